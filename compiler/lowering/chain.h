// Chains: consecutive nodes run together tile by tile, each on the previous node's output tile
// still in LM, so intermediates never go back to DRAM (the reuse_consecutive scheduler).
#pragma once

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/layer_plan.h"
#include "compiler/lowering/lm_residency.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace pfcomp::lowering {

// The input of `next` fed by `prev`'s output if `next` can run on `prev`'s tiles straight from LM
// (one layer each, same iteration space and element type, an elementwise `next`, `prev`'s output
// read by `next` alone and not a graph output), else -1. `prev` carries its tiling.
int chainInput(const ir::Node &prev, const ir::Node &next, const GraphView &graph);

// LM bytes per PE the chain needs with the head's tiling.
llvm::Expected<int64_t> chainFootprint(const std::vector<const ir::Node *> &nodes, const GraphView &graph);

// Emits the chain (head's tiling for every link; one node is a chain of one), reading and
// leaving values in LM where `residency` says. Returns the next free tag.
llvm::Expected<int> emitNodeChain(const std::vector<const ir::Node *> &nodes, const GraphView &graph,
                                  const device::Hardware &hw, BufferTable &buffers,
                                  device::Program &program, int firstTag,
                                  const LmResidency *residency = nullptr);

// Layer plans of a chain cut with its head's tiling (every node must have exactly one layer).
llvm::Expected<std::vector<LayerPlan>> planChain(const std::vector<const ir::Node *> &nodes,
                                                 const GraphView &graph);

}  // namespace pfcomp::lowering
