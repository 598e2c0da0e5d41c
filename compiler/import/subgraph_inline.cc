#include "compiler/import/subgraph_inline.h"

#include "compiler/import/host_tensor.h"

#include <functional>
#include <map>

namespace pfcomp::import {

std::vector<std::string> inlineSubgraph(const onnx::GraphProto &body, const std::string &prefix,
                                        const std::vector<std::string> &inputs, InlinedParts &parts) {
  onnx::GraphProto copy = body;
  std::map<std::string, std::string> renamed;
  for (const auto &t : copy.initializer()) renamed[t.name()] = prefix + t.name();
  for (const auto &n : copy.node())
    for (const auto &o : n.output())
      if (!o.empty()) renamed[o] = prefix + o;
  for (int k = 0; k < copy.input_size() && k < static_cast<int>(inputs.size()); ++k)
    renamed[copy.input(k).name()] = inputs[k];
  auto rename = [&](std::string *s) {
    auto it = renamed.find(*s);
    if (!s->empty() && it != renamed.end()) *s = it->second;
  };
  // Nested subgraphs read this body's values by name (their own names are distinct: ONNX's
  // names are unique across scopes).
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
  renameReads(copy);
  for (auto &n : *copy.mutable_node()) {
    for (auto &o : *n.mutable_output()) rename(&o);
    n.set_name(prefix + (n.name().empty() ? n.op_type() : n.name()));
    *parts.nodes.Add() = std::move(n);
  }
  for (auto &t : *copy.mutable_initializer()) {
    t.set_name(prefix + t.name());
    parts.initializers.push_back(std::move(t));
  }
  // Types of the body's own values carry over; its inputs' are the enclosing values'.
  for (auto &vi : *copy.mutable_value_info()) {
    auto it = renamed.find(vi.name());
    if (it == renamed.end() || it->second != prefix + vi.name()) continue;
    vi.set_name(it->second);
    parts.valueInfo.push_back(std::move(vi));
  }
  std::vector<std::string> outs;
  for (const auto &o : copy.output()) outs.push_back(o.name());
  return outs;
}

void appendIdentity(InlinedParts &parts, const std::string &name, const std::string &from,
                    const std::string &to) {
  onnx::NodeProto &n = *parts.nodes.Add();
  n.set_op_type("Identity");
  n.set_name(name);
  n.add_input(from);
  n.add_output(to);
}

void appendStack(InlinedParts &parts, const std::string &name, const std::vector<std::string> &xs,
                 int64_t axis, int64_t opset, const std::string &to) {
  std::string axesName;
  if (opset >= 13) {
    axesName = name + "/axes";
    parts.initializers.push_back(encodeTensor(HostTensor::ints({axis}), axesName));
  }
  onnx::NodeProto concat;
  concat.set_op_type("Concat");
  concat.set_name(name + "/concat");
  for (size_t k = 0; k < xs.size(); ++k) {
    onnx::NodeProto &u = *parts.nodes.Add();
    u.set_op_type("Unsqueeze");
    u.set_name(name + "/unsqueeze" + std::to_string(k));
    u.add_input(xs[k]);
    if (opset >= 13) {
      u.add_input(axesName);
    } else {
      auto *a = u.add_attribute();
      a->set_name("axes"), a->set_type(onnx::AttributeProto::INTS), a->add_ints(axis);
    }
    u.add_output(name + "/item" + std::to_string(k));
    concat.add_input(u.output(0));
  }
  auto *a = concat.add_attribute();
  a->set_name("axis"), a->set_type(onnx::AttributeProto::INT), a->set_i(axis);
  concat.add_output(to);
  *parts.nodes.Add() = std::move(concat);
}

const onnx::GraphProto *graphAttr(const onnx::NodeProto &node, const char *name) {
  for (const auto &a : node.attribute())
    if (a.name() == name && a.has_g()) return &a.g();
  return nullptr;
}

void replaceNodes(onnx::GraphProto &graph, InlinedParts &parts) {
  graph.mutable_node()->Swap(&parts.nodes);
  for (auto &t : parts.initializers) *graph.add_initializer() = std::move(t);
  for (auto &vi : parts.valueInfo) *graph.add_value_info() = std::move(vi);
}

}  // namespace pfcomp::import
