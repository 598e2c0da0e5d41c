#include "compiler/import/graph_edit.h"

namespace pfcomp::import {
namespace {

void collectUses(const onnx::GraphProto &g, llvm::StringSet<> &used) {
  for (const auto &n : g.node()) {
    for (const auto &i : n.input())
      if (!i.empty()) used.insert(i);
    for (const auto &a : n.attribute()) {
      if (a.has_g()) collectUses(a.g(), used);
      for (const auto &sub : a.graphs()) collectUses(sub, used);
    }
  }
}

}  // namespace

llvm::StringSet<> usedValueNames(const onnx::GraphProto &g) {
  llvm::StringSet<> used;
  collectUses(g, used);
  for (const auto &o : g.output()) used.insert(o.name());
  return used;
}

int removeDeadNodes(onnx::GraphProto &g) {
  int removed = 0;
  llvm::StringSet<> used;
  for (const auto &o : g.output()) used.insert(o.name());
  std::vector<bool> keep(g.node_size(), false);
  for (int k = g.node_size() - 1; k >= 0; --k) {
    const auto &n = g.node(k);
    bool live = false;
    for (const auto &o : n.output()) live |= !o.empty() && used.contains(o);
    if (!live) { ++removed; continue; }
    keep[k] = true;
    llvm::StringSet<> uses;
    onnx::GraphProto single;
    *single.add_node() = n;
    collectUses(single, uses);
    for (const auto &u : uses) used.insert(u.getKey());
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int k = 0; k < g.node_size(); ++k)
    if (keep[k]) *nodes.Add() = std::move(*g.mutable_node(k));
  g.mutable_node()->Swap(&nodes);
  return removed;
}

void pruneUnused(onnx::GraphProto &g) {
  const llvm::StringSet<> used = usedValueNames(g);
  google::protobuf::RepeatedPtrField<onnx::TensorProto> inits;
  for (auto &t : *g.mutable_initializer())
    if (used.contains(t.name())) *inits.Add() = std::move(t);
  g.mutable_initializer()->Swap(&inits);
  llvm::StringSet<> produced;
  for (const auto &n : g.node())
    for (const auto &o : n.output()) produced.insert(o);
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> infos;
  for (auto &vi : *g.mutable_value_info())
    if (produced.contains(vi.name())) *infos.Add() = std::move(vi);
  g.mutable_value_info()->Swap(&infos);
}

std::string freshValueName(const onnx::GraphProto &g, const std::string &base) {
  llvm::StringSet<> names;
  for (const auto &vi : g.input()) names.insert(vi.name());
  for (const auto &vi : g.output()) names.insert(vi.name());
  for (const auto &t : g.initializer()) names.insert(t.name());
  for (const auto &n : g.node()) {
    for (const auto &o : n.output()) names.insert(o);
    for (const auto &i : n.input()) names.insert(i);
  }
  if (!names.contains(base)) return base;
  for (int k = 1;; ++k)
    if (!names.contains(base + "_" + std::to_string(k))) return base + "_" + std::to_string(k);
}

}  // namespace pfcomp::import
