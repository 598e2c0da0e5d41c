// The cost of one node under its tiling: its layers' tile program run through the cycle model.
// layout-plan uses it to compare candidate tilings, simulate to record the chosen one's cost.
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

namespace pfcomp::lowering {

struct NodeProgramCost {
  device::Timeline timeline;
  double flops = 0;
  int64_t dram_bytes = 0;
  int64_t instructions = 0;
};

// `node` must carry a tiling (alias ops cost nothing).
llvm::Expected<NodeProgramCost> costNode(const ir::Node &node, const GraphView &graph,
                                         const device::Hardware &hw);

}  // namespace pfcomp::lowering
