// What the op rules share: attribute access, the resolved tile, and AxisMap builders.
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "support/error.h"

#include <optional>

namespace pfcomp::lowering::rules {

class RuleContext {
 public:
  RuleContext(const ir::Node &node, const GraphView &graph, const Tile &tile)
      : node(node), graph(graph), tile_(tile) {}

  const ir::Node &node;
  const GraphView &graph;

  // Fixes the tile for a layer once its space and reduction extents are known.
  void resolve(LayerPlan &plan);
  int64_t t(int axis) const { return t_[axis]; }
  int64_t c(int redAxis) const { return c_[redAxis]; }
  const Dims &tile() const { return t_; }

  const ir::Attribute *attr(const char *name) const;
  int64_t attrInt(const char *name, int64_t dflt) const;
  double attrFloat(const char *name, double dflt) const;
  std::string attrString(const char *name, const std::string &dflt) const;
  Dims attrInts(const char *name, Dims dflt = {}) const;

  // Input / output names and shapes.
  const std::string &in(int i) const { return node.inputs(i); }
  bool hasIn(int i) const { return node.inputs_size() > i && !node.inputs(i).empty(); }
  const std::string &out(int i = 0) const { return node.outputs(i); }
  Dims inShape(int i) const { return graph.shape(in(i)); }
  Dims outShape(int i = 0) const { return graph.shape(out(i)); }

  LayerPlan newLayer(const std::string &suffix = "") const;
  llvm::Error unsupported(const llvm::Twine &why) const;

 private:
  const Tile &tile_;
  Dims t_, c_;
};

// Window axis following output axis `axis`: start = offset + scale * tileStart, `size` elements.
device::AxisMap follow(int axis, int64_t size, int64_t scale = 1, int64_t offset = 0,
                       int64_t step = 1);
// Window axis that does not move with the tile.
device::AxisMap fixed(int64_t offset, int64_t size);
// Window axis following reduction axis `redAxis`: start = chunk start.
device::AxisMap reduction(int redAxis, int64_t size);

// Operand over a value whose axes follow the output axes one to one (aligned to the right, numpy
// broadcasting: extent-1 axes stay fixed).
OperandMap broadcastOperand(const RuleContext &ctx, const std::string &value, const Dims &space);
// The output store map: every axis follows the output axis with the tile size, plus `offset`.
OperandMap storeOperand(const RuleContext &ctx, const std::string &value, const Dims &view,
                        const Dims &offset = {});

}  // namespace pfcomp::lowering::rules
