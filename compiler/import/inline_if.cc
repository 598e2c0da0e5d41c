#include "compiler/import/inline_if.h"

#include "compiler/import/graph_edit.h"
#include "compiler/import/host_tensor.h"
#include "compiler/import/subgraph_inline.h"

#include <map>

namespace pfcomp::import {
int inlineConstantIfs(onnx::GraphProto &g) {
  std::map<std::string, const onnx::TensorProto *> inits;
  for (const auto &t : g.initializer()) inits[t.name()] = &t;
  int inlined = 0;
  InlinedParts parts;
  for (auto &node : *g.mutable_node()) {
    auto cond = node.op_type() == "If" && node.input_size() == 1 ? inits.find(node.input(0)) : inits.end();
    if (cond == inits.end()) {
      *parts.nodes.Add() = std::move(node);
      continue;
    }
    auto value = decodeTensor(*cond->second);
    if (!value || value->numElements() != 1) {
      if (!value) llvm::consumeError(value.takeError());
      *parts.nodes.Add() = std::move(node);
      continue;
    }
    const onnx::GraphProto *taken = graphAttr(node, value->getF(0) != 0 ? "then_branch" : "else_branch");
    if (!taken || taken->output_size() != node.output_size()) {
      *parts.nodes.Add() = std::move(node);
      continue;
    }
    const std::string prefix = freshValueName(g, node.name().empty() ? "if" : node.name()) + "/";
    std::vector<std::string> outs = inlineSubgraph(*taken, prefix, {}, parts);
    // The If's outputs are the branch's, under the names the rest of the graph reads.
    for (int k = 0; k < node.output_size(); ++k)
      appendIdentity(parts, node.name() + "/out" + std::to_string(k), outs[k], node.output(k));
    ++inlined;
  }
  replaceNodes(g, parts);
  return inlined;
}

}  // namespace pfcomp::import
