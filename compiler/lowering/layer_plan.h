// How one MNGraph node becomes device layers: each layer is an iteration space cut into tiles,
// with, per operand, the window of DRAM each tile needs (an affine map of the tile's position)
// and the PE kernel that turns the input windows into the output tile.
//
// Shared by layout-plan (LM footprint of a tiling), simulate (cost of a tiling) and emit (the
// program itself), so the three agree on what a tiling means.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/program.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pfcomp::lowering {

using Dims = std::vector<int64_t>;

// The window of one MNGraph value that one tile needs.
struct OperandMap {
  std::string value;                      // MNGraph value name
  Dims view;                              // shape the value is seen with (same bytes, row-major)
  std::vector<device::AxisMap> axes;      // one per view axis
  std::vector<int32_t> lm_perm;           // view axes in LM order; empty = identity
  double pad = 0;                         // fill for window elements outside the value
  Dims kernel_shape;                      // how the kernel sees the LM tile
  device::DType lm_dtype = device::DT_UNDEFINED;  // LM element type; undefined = the layer's
  int indirect_input = -1;                // an indirect axis reads its indices from this input's tile
  bool follows_reduction() const;
  int64_t elements() const;
};

// A binary op applied to the finished output tile with another operand (bias, Gemm's C).
struct Epilogue {
  std::string kernel_op;                  // e.g. "binary:Add"
  OperandMap operand;
  double operand_scale = 1;               // operand multiplied by this first (Gemm's beta)
};

struct Tile {
  Dims out;                               // per output axis
  Dims chunk;                             // per reduction axis
};

struct LayerPlan {
  std::string name;                       // node name, "#k" appended for the k-th part
  std::string op_type;
  Dims space;                             // iteration space (output extent per axis)
  Dims red_extent;                        // full extent of each reduction axis
  std::vector<bool> splittable;           // may this output axis be cut?
  Dims divides;                           // per output axis: tile must divide this (0 = free)
  std::vector<OperandMap> inputs;         // kernel inputs
  OperandMap output;                      // where the output tile is stored
  std::vector<Epilogue> epilogue;
  std::string kernel_op;                  // "" = pure data movement (load, then store as is)
  int stored_input = 0;                   // data movement: the input whose tile is stored
  std::vector<int64_t> kernel_ints;
  std::vector<double> kernel_floats;
  double pad_neutral = 0;                 // pad for reduction-chunk inputs
  double flops = 0;                       // whole layer
  device::DType dtype = device::F32;
};

// Everything a rule needs to know about the graph.
class GraphView {
 public:
  explicit GraphView(const ir::Graph &graph);
  const ir::Value &value(const std::string &name) const;
  bool has(const std::string &name) const;
  Dims shape(const std::string &name) const;
  const ir::Graph &graph() const { return graph_; }
  int opset() const { return opset_; }

 private:
  const ir::Graph &graph_;
  std::map<std::string, int> index_;
  int opset_ = 13;
};

}  // namespace pfcomp::lowering
