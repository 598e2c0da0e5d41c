// The layout planners: for each node, the tile each PE computes per time step. They first cut
// the output until every PE has work, then cut further (output axes or reduction chunks,
// whichever frees the most LM) until one tile's operands fit the LM budget.
#pragma once

#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/layer_plan.h"
#include "compiler/lowering/tiling_space.h"
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

// `keepInnerAxis` (lpz) cuts the innermost axis last, so PE kernels and transfers keep long
// contiguous rows; legacy cuts whichever axis is largest. simulate refines the tile afterwards.
llvm::Expected<TilingChoice> chooseTiling(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw, int64_t lmBudget,
                                          bool keepInnerAxis);

// PEs, time steps, reduction steps (of the node's largest layer) and LM bytes of `tile`.
llvm::Expected<lowering::LayerPlacement> placeTile(const ir::Node &node, const lowering::GraphView &graph,
                                                   const device::Hardware &hw,
                                                   const lowering::TilingSpace &space,
                                                   const lowering::Tile &tile);

}  // namespace pfcomp::layout
