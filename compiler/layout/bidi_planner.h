// The `bidi` layout planner: chooses every node's tiling jointly with its neighbours. Each node
// first gets a few good tilings of its own (a short local search from the lpz and legacy starts,
// costed by its tile program through the cycle model). Then forward passes (each node may take
// its producer's tiling) and backward passes (each node may take its consumer's tiling, alone or
// with the rest of its chain on that side) alternate until nothing changes, each decision
// minimising the moved nodes' own cycles minus the DRAM round trips they save: where an
// elementwise consumer runs right after its producer on the same tiles, the two run as one chain
// in LM (the chaining schedulers) and the store and reload of the value between them disappear.
// The saving is the two nodes' cycles minus their chain program's.
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::layout {

// One decision, for layout_plan_history.html.
struct BidiDecision {
  std::string pass;  // "seed", "forward" or "backward"
  int sweep = 0;     // 0 for seeds, then 1, 2, ...
  std::string node;
  std::vector<std::string> candidates;  // each with its costs, in the order considered
  std::string chosen;
  bool changed = false;  // the node's tiling differs from before this decision
};

struct BidiPlan {
  std::vector<lowering::Tile> tiles;  // per node of the graph; empty `out` for alias ops
  std::vector<BidiDecision> history;
  int sweeps = 0;              // forward+backward sweeps run
  int64_t seed_cycles = 0;     // sum of the chosen nodes' own cycles before propagation
  int64_t final_cycles = 0;    // after propagation
  int64_t saved_cycles = 0;    // DRAM round trips the final tilings remove (matching neighbours)
  int chained_edges = 0;       // producer -> consumer pairs on the same tiles
};

// `optimizedProgram`: tilings are costed with placed tiles and double-buffered LM, the program
// shape simulate gives every node unless simulation_mode=fake. `chains`: the scheduler runs
// consecutive producer/consumer pairs on the same tiles as chains (all but always_from_dram);
// without it no neighbour's tiling saves anything and each node keeps its own best.
llvm::Expected<BidiPlan> planBidi(const ir::Graph &graph, const lowering::GraphView &view,
                                  const device::Hardware &hw, int64_t lmBudget, bool optimizedProgram,
                                  bool chains);

}  // namespace pfcomp::layout
