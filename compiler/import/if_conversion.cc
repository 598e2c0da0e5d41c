#include "compiler/import/if_conversion.h"

#include "compiler/import/graph_edit.h"
#include "compiler/import/host_tensor.h"
#include "compiler/import/subgraph_inline.h"
#include "compiler/import/value_types.h"

#include <set>

namespace pfcomp::import {
namespace {

// Both branches' declared output types (where they declare one) agree with the If's inferred,
// static tensor type: Where then selects between two tensors of that very type.
bool selectable(const onnx::NodeProto &node, const onnx::GraphProto &thenG,
                const onnx::GraphProto &elseG, const llvm::StringMap<ValueType> &types) {
  if (thenG.output_size() != node.output_size() || elseG.output_size() != node.output_size())
    return false;
  for (int k = 0; k < node.output_size(); ++k) {
    auto t = types.find(node.output(k));
    if (t == types.end() || !t->second.isStatic() || t->second.elem_type == 0) return false;
    for (const onnx::GraphProto *g : {&thenG, &elseG}) {
      const onnx::ValueInfoProto &declared = g->output(k);
      if (!declared.has_type()) continue;
      if (!declared.type().has_tensor_type()) return false;  // sequences, optionals
      const ValueType branch = valueTypeOf(declared.type());
      if ((branch.elem_type && branch.elem_type != t->second.elem_type) ||
          (branch.isStatic() && branch.dims != t->second.dims))
        return false;
    }
  }
  return true;
}

}  // namespace

int convertRuntimeIfs(onnx::GraphProto &g) {
  std::set<std::string> constants;
  for (const auto &t : g.initializer()) constants.insert(t.name());
  const llvm::StringMap<ValueType> types = collectValueTypes(g);
  int converted = 0;
  InlinedParts parts;
  for (auto &node : *g.mutable_node()) {
    const onnx::GraphProto *thenG = graphAttr(node, "then_branch");
    const onnx::GraphProto *elseG = graphAttr(node, "else_branch");
    if (node.op_type() != "If" || node.input_size() != 1 || constants.count(node.input(0)) ||
        !thenG || !elseG || !selectable(node, *thenG, *elseG, types)) {
      *parts.nodes.Add() = std::move(node);
      continue;
    }
    const std::string base = freshValueName(g, node.name().empty() ? "if" : node.name());
    const std::vector<std::string> thenOuts = inlineSubgraph(*thenG, base + "/then/", {}, parts);
    const std::vector<std::string> elseOuts = inlineSubgraph(*elseG, base + "/else/", {}, parts);
    // The condition as a scalar, so Where's result has exactly the outputs' shape.
    onnx::TensorProto scalarShape;
    scalarShape.set_name(base + "/scalar_shape");
    scalarShape.set_data_type(onnx::TensorProto::INT64);
    scalarShape.add_dims(0);
    parts.initializers.push_back(scalarShape);
    onnx::NodeProto *cond = parts.nodes.Add();
    cond->set_op_type("Reshape");
    cond->set_name(base + "/cond");
    cond->add_input(node.input(0));
    cond->add_input(scalarShape.name());
    cond->add_output(base + "/cond_scalar");
    for (int k = 0; k < node.output_size(); ++k) {
      onnx::NodeProto *select = parts.nodes.Add();
      select->set_op_type("Where");
      select->set_name(base + "/select" + std::to_string(k));
      select->add_input(cond->output(0));
      select->add_input(thenOuts[k]);
      select->add_input(elseOuts[k]);
      select->add_output(node.output(k));
    }
    ++converted;
  }
  replaceNodes(g, parts);
  return converted;
}

}  // namespace pfcomp::import
