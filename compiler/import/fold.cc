#include "compiler/import/fold.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/graph_edit.h"
#include "compiler/import/inline_if.h"
#include "compiler/import/model_loader.h"
#include "compiler/import/static_sequences.h"
#include "compiler/import/unroll.h"
#include "compiler/import/value_types.h"

#include <map>

namespace pfcomp::import {

llvm::Expected<int> foldConstantsOnce(onnx::ModelProto &model) {
  onnx::GraphProto &g = *model.mutable_graph();
  std::map<std::string, HostTensor> consts;
  for (const auto &t : g.initializer()) {
    auto decoded = decodeTensor(t);
    if (decoded) consts[t.name()] = std::move(*decoded);
    else llvm::consumeError(decoded.takeError());  // e.g. strings: never folded through
  }
  const llvm::StringMap<ValueType> types = collectValueTypes(g);

  int folded = 0;
  std::vector<std::string> newConsts;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (auto &node : *g.mutable_node()) {
    bool foldable = canEvaluate(node.op_type());
    std::vector<HostTensor> shapeOnly;  // stand-ins for static non-constant Shape inputs
    shapeOnly.reserve(node.input_size());
    std::vector<const HostTensor *> ins;
    for (int k = 0; foldable && k < node.input_size(); ++k) {
      const std::string &name = node.input(k);
      if (name.empty()) { ins.push_back(nullptr); continue; }
      auto c = consts.find(name);
      if (c != consts.end()) { ins.push_back(&c->second); continue; }
      auto t = types.find(name);
      const bool readsShapeOnly = node.op_type() == "Shape" || node.op_type() == "Size" ||
                                  node.op_type() == "EyeLike";
      if (readsShapeOnly && t != types.end() && t->second.isStatic()) {
        HostTensor stub;
        if (isHostSupportedType(t->second.elem_type)) stub.type = t->second.elem_type;
        stub.dims = t->second.dims;
        shapeOnly.push_back(stub);
        ins.push_back(&shapeOnly.back());
        continue;
      }
      foldable = false;
    }
    if (foldable) {
      auto outs = evaluateNode(node, ins);
      if (outs && static_cast<int>(outs->size()) >= node.output_size()) {
        for (int k = 0; k < node.output_size(); ++k) {
          consts[node.output(k)] = std::move((*outs)[k]);
          newConsts.push_back(node.output(k));
        }
        ++folded;
        continue;
      }
      if (!outs) llvm::consumeError(outs.takeError());
    }
    *kept.Add() = std::move(node);
  }
  g.mutable_node()->Swap(&kept);
  for (const auto &name : newConsts) *g.add_initializer() = encodeTensor(consts[name], name);
  removeDeadNodes(g);
  pruneUnused(g);
  return folded;
}

llvm::Expected<int> foldConstants(onnx::ModelProto &model, llvm::StringRef modelPath) {
  int total = 0;
  for (int round = 0; round < 16; ++round) {
    auto n = foldConstantsOnce(model);
    if (!n) return n.takeError();
    // Sequences whose structure is known (positions folded) become lists of tensors. What that
    // makes constant (an optional's presence, a length) may fold and decide an If whose branch
    // resolves further: such a chain through unrolled iterations settles here, without shape
    // inference between its steps (the bound only guards against a rewrite cycle).
    for (int step = 0; step < kMaxUnrolledIterations; ++step) {
      const int resolved = resolveStaticSequences(*model.mutable_graph(), defaultOpset(model));
      if (resolved == 0) break;
      auto refolded = foldConstantsOnce(model);
      if (!refolded) return refolded.takeError();
      *n += resolved + *refolded + inlineConstantIfs(*model.mutable_graph());
    }
    // Folding may have made an If's condition constant; its branch then joins the graph.
    *n += inlineConstantIfs(*model.mutable_graph());
    // ... or a Loop's trip count: its iterations join the graph.
    *n += unrollStaticLoops(*model.mutable_graph(), defaultOpset(model));
    total += *n;
    if (*n == 0) break;
    if (auto err = inferShapes(model, modelPath)) return std::move(err);
  }
  if (auto err = checkSequencesResolved(model.graph(), modelPath)) return std::move(err);
  return total;
}

}  // namespace pfcomp::import
