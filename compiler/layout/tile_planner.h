// The `lpz` layout planner: for each node, the tile each PE computes per time step. It first
// cuts the output until every PE has work, then cuts further (output axes or reduction chunks,
// whichever frees the most LM) until one tile's operands fit the LM budget.
#pragma once

#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/layer_plan.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::layout {

struct TilingChoice {
  lowering::Tile tile;
  lowering::LayerPlacement placement;  // of the node's largest layer
  lowering::Dims space;                // the node's iteration space
  std::vector<std::string> history;    // each decision, in order, for layout_plan_history.html
};

// `searchEvaluations` > 0 then refines the tile by local search on the simulated cost of the
// node's tile program (halving / doubling one axis or chunk at a time), keeping what is faster.
llvm::Expected<TilingChoice> chooseTiling(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw, int64_t lmBudget,
                                          int searchEvaluations = 0);

// DESIGN.md notation for a tiled value: each axis as `grid_LEVEL:tile`, levels from the PE tree,
// time steps as `T`. E.g. ((1:1), (64_L1B:1), (8_MAB:14), (8_PE:14)).
std::string layoutText(const lowering::Dims &space, const lowering::Dims &tile,
                       const device::Hardware &hw);

}  // namespace pfcomp::layout
