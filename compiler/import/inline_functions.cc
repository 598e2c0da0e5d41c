#include "compiler/import/inline_functions.h"

#include "support/error.h"

#include <map>
#include <set>
#include <string>

namespace pfcomp::import {
namespace {

using FunctionKey = std::pair<std::string, std::string>;  // (domain, name)
using Functions = std::map<FunctionKey, const onnx::FunctionProto *>;

std::string normalDomain(const std::string &domain) { return domain == "ai.onnx" ? "" : domain; }

const onnx::FunctionProto *calledFunction(const Functions &functions, const onnx::NodeProto &n) {
  auto it = functions.find({normalDomain(n.domain()), n.op_type()});
  return it == functions.end() ? nullptr : it->second;
}

// Renames the uses of `renamed` values in a subgraph of a body node (names the subgraph
// defines itself shadow them).
void renameInSubgraph(onnx::GraphProto &g, std::map<std::string, std::string> renamed) {
  for (const auto &i : g.input()) renamed.erase(i.name());
  for (const auto &t : g.initializer()) renamed.erase(t.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output()) renamed.erase(o);
  for (auto &n : *g.mutable_node()) {
    for (auto &in : *n.mutable_input())
      if (auto it = renamed.find(in); it != renamed.end()) in = it->second;
    for (auto &a : *n.mutable_attribute()) {
      if (a.has_g()) renameInSubgraph(*a.mutable_g(), renamed);
      for (auto &sub : *a.mutable_graphs()) renameInSubgraph(sub, renamed);
    }
  }
  for (auto &o : *g.mutable_output())
    if (auto it = renamed.find(o.name()); it != renamed.end()) o.set_name(it->second);
}

// The body of `f` for the call `call`, appended to `out`.
void expandCall(const onnx::NodeProto &call, const onnx::FunctionProto &f,
                google::protobuf::RepeatedPtrField<onnx::NodeProto> &out) {
  const std::string prefix = call.name() + "/";
  std::map<std::string, std::string> renamed;
  for (int k = 0; k < f.input_size(); ++k)
    renamed[f.input(k)] = k < call.input_size() ? call.input(k) : "";
  for (int k = 0; k < f.output_size(); ++k)
    renamed[f.output(k)] = k < call.output_size() ? call.output(k) : "";
  auto rename = [&](const std::string &v) {
    if (v.empty()) return v;
    auto it = renamed.find(v);
    if (it != renamed.end()) return it->second;
    return renamed[v] = prefix + v;  // a body-internal value
  };
  std::map<std::string, const onnx::AttributeProto *> given;
  for (const auto &a : call.attribute()) given[a.name()] = &a;
  for (int k = 0; k < f.node_size(); ++k) {
    onnx::NodeProto n = f.node(k);
    n.set_name(prefix + (n.name().empty() ? n.op_type() + "_" + std::to_string(k) : n.name()));
    for (auto &in : *n.mutable_input()) in = rename(in);
    for (auto &o : *n.mutable_output()) o = rename(o);
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> attrs;
    for (const auto &a : n.attribute()) {
      if (a.ref_attr_name().empty()) { *attrs.Add() = a; continue; }
      auto it = given.find(a.ref_attr_name());
      if (it == given.end()) continue;  // not given by the call: the op's default
      onnx::AttributeProto bound = *it->second;
      bound.set_name(a.name());
      *attrs.Add() = std::move(bound);
    }
    n.mutable_attribute()->Swap(&attrs);
    for (auto &a : *n.mutable_attribute()) {
      if (a.has_g()) renameInSubgraph(*a.mutable_g(), renamed);
      for (auto &sub : *a.mutable_graphs()) renameInSubgraph(sub, renamed);
    }
    *out.Add() = std::move(n);
  }
}

// One pass over a graph (and its subgraphs): each call replaced by its body, not expanded
// further. Returns the number of calls.
int expandOnce(onnx::GraphProto &g, const Functions &functions) {
  int calls = 0;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (auto &n : *g.mutable_node()) {
    for (auto &a : *n.mutable_attribute()) {
      if (a.has_g()) calls += expandOnce(*a.mutable_g(), functions);
      for (auto &sub : *a.mutable_graphs()) calls += expandOnce(sub, functions);
    }
    if (const onnx::FunctionProto *f = calledFunction(functions, n)) {
      expandCall(n, *f, nodes);
      ++calls;
    } else {
      *nodes.Add() = std::move(n);
    }
  }
  g.mutable_node()->Swap(&nodes);
  return calls;
}

// The function a call chain returns to, if any: depth-first over the call graph.
bool callsItself(const Functions &functions, const onnx::FunctionProto &f,
                 std::set<const onnx::FunctionProto *> &onPath) {
  if (!onPath.insert(&f).second) return true;
  for (const auto &n : f.node())
    if (const onnx::FunctionProto *callee = calledFunction(functions, n))
      if (callsItself(functions, *callee, onPath)) return true;
  onPath.erase(&f);
  return false;
}

}  // namespace

llvm::Expected<int> inlineLocalFunctions(onnx::ModelProto &model, llvm::StringRef modelPath) {
  if (model.functions_size() == 0) return 0;
  Functions functions;
  for (const auto &f : model.functions()) functions[{normalDomain(f.domain()), f.name()}] = &f;
  for (const auto &f : model.functions()) {
    std::set<const onnx::FunctionProto *> onPath;
    if (callsItself(functions, f, onPath))
      return makeError(ErrorCode::ModelMalformed,
                       "{0}: model-local function '{1}' (domain '{2}') calls itself", modelPath,
                       f.name(), f.domain());
  }
  // Without recursion every chain of calls ends within as many passes as there are functions.
  int total = 0;
  for (int pass = 0; pass <= model.functions_size(); ++pass) {
    int calls = expandOnce(*model.mutable_graph(), functions);
    total += calls;
    if (calls == 0) break;
  }
  model.clear_functions();
  return total;
}

}  // namespace pfcomp::import
