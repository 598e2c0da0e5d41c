// Node Simulation's search: candidate tilings of a node around the layout planner's choice,
// each costed by running its tile program through the cycle model. simulation_mode sets the
// candidates: fast (a few fixed variations), default (local search), best (a wider local
// search, skipping candidates that do not fit), full (the same, recording those as failures).
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::sim {

struct SearchResult {
  lowering::Tile tile;
  int64_t cycles = 0;
  int evaluated = 0, failed = 0;
  std::vector<std::string> history;
};

// `mode` is fast, default, best or full (best and full end no worse than default). The node
// carries the planner's tiling.
llvm::Expected<SearchResult> searchTiling(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw, int64_t lmBudget,
                                          const std::string &mode);

// simulation_mode=auto: the mode the scheduler wants.
std::string autoMode(const std::string &scheduler);

}  // namespace pfcomp::sim
