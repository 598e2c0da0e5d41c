#include "compiler/import/inline_if.h"

#include "compiler/import/graph_edit.h"
#include "compiler/import/host_tensor.h"

#include "llvm/ADT/StringSet.h"

#include <functional>
#include <map>

namespace pfcomp::import {
namespace {

const onnx::GraphProto *branchOf(const onnx::NodeProto &node, const char *name) {
  for (const auto &a : node.attribute())
    if (a.name() == name && a.has_g()) return &a.g();
  return nullptr;
}

// Renames the values the branch defines (initializers, node outputs) with `prefix`, also where
// nested subgraphs read them; names from the enclosing graph stay as they are.
void renameLocals(onnx::GraphProto &branch, const std::string &prefix) {
  llvm::StringSet<> local;
  for (const auto &t : branch.initializer()) local.insert(t.name());
  for (const auto &n : branch.node())
    for (const auto &o : n.output()) local.insert(o);
  auto rename = [&](std::string *s) {
    if (!s->empty() && local.contains(*s)) *s = prefix + *s;
  };
  std::function<void(onnx::GraphProto &)> renameReads = [&](onnx::GraphProto &g) {
    for (auto &n : *g.mutable_node()) {
      for (auto &in : *n.mutable_input()) rename(&in);
      for (auto &a : *n.mutable_attribute()) {
        if (a.has_g()) renameReads(*a.mutable_g());
        for (auto &sub : *a.mutable_graphs()) renameReads(sub);
      }
    }
    for (auto &o : *g.mutable_output()) rename(o.mutable_name());
  };
  renameReads(branch);
  for (auto &n : *branch.mutable_node()) {
    for (auto &o : *n.mutable_output()) rename(&o);
    if (!n.name().empty()) n.set_name(prefix + n.name());
  }
  for (auto &t : *branch.mutable_initializer()) t.set_name(prefix + t.name());
  for (auto &vi : *branch.mutable_value_info()) rename(vi.mutable_name());
}

}  // namespace

int inlineConstantIfs(onnx::GraphProto &g) {
  std::map<std::string, const onnx::TensorProto *> inits;
  for (const auto &t : g.initializer()) inits[t.name()] = &t;
  int inlined = 0;
  std::vector<onnx::TensorProto> newInits;
  std::vector<onnx::ValueInfoProto> newInfo;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (auto &node : *g.mutable_node()) {
    auto cond = node.op_type() == "If" && node.input_size() == 1 ? inits.find(node.input(0)) : inits.end();
    if (cond == inits.end()) {
      *kept.Add() = std::move(node);
      continue;
    }
    auto value = decodeTensor(*cond->second);
    if (!value || value->numElements() != 1) {
      if (!value) llvm::consumeError(value.takeError());
      *kept.Add() = std::move(node);
      continue;
    }
    const onnx::GraphProto *taken = branchOf(node, value->getF(0) != 0 ? "then_branch" : "else_branch");
    if (!taken || taken->output_size() != node.output_size()) {
      *kept.Add() = std::move(node);
      continue;
    }
    onnx::GraphProto branch = *taken;
    renameLocals(branch, freshValueName(g, node.name().empty() ? "if" : node.name()) + "/");
    for (auto &n : *branch.mutable_node()) *kept.Add() = std::move(n);
    for (auto &t : *branch.mutable_initializer()) newInits.push_back(std::move(t));
    for (auto &vi : *branch.mutable_value_info()) newInfo.push_back(std::move(vi));
    // The If's outputs are the branch's, under the names the rest of the graph reads.
    for (int k = 0; k < node.output_size(); ++k) {
      onnx::NodeProto *copy = kept.Add();
      copy->set_op_type("Identity");
      copy->set_name(node.name() + "/out" + std::to_string(k));
      copy->add_input(branch.output(k).name());
      copy->add_output(node.output(k));
    }
    ++inlined;
  }
  g.mutable_node()->Swap(&kept);
  for (auto &t : newInits) *g.add_initializer() = std::move(t);
  for (auto &vi : newInfo) *g.add_value_info() = std::move(vi);
  return inlined;
}

}  // namespace pfcomp::import
