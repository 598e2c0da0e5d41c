// Node Simulation: the cost of each node under its tiling, either by generating the node's
// tile program and running it through the cycle model ("simulated"), or by an analytic
// roofline estimate without a program ("fake").
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

namespace pfcomp::sim {

llvm::Expected<ir::NodeCost> simulateNode(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw);
llvm::Expected<ir::NodeCost> estimateNode(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw);

}  // namespace pfcomp::sim
