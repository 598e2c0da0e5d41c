// Emitting the tile-level instructions of one layer: per time step, the PEs load their input
// windows (per reduction chunk), run the kernel in lock step, apply the epilogue and store.
#pragma once

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/layer_plan.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

namespace pfcomp::lowering {

struct LayerPlacement {
  int64_t pes = 0;        // PEs per time step
  int64_t steps = 0;      // time steps over the output tiles
  int64_t red_steps = 1;  // reduction chunks per tile
  int64_t lm_bytes = 0;   // LM used per PE
};

// How many PEs and steps a layer uses with its tile on this hardware.
LayerPlacement placeLayer(const LayerPlan &plan, const Dims &tile, const device::Hardware &hw);

// One layer of a chain: `from_prev` is the input that the previous layer's output feeds
// straight from LM (-1 for the chain's head).
struct ChainLink {
  const LayerPlan *plan;
  int from_prev = -1;
};

// A chain of layers over the same tiles, executed step by step: the head (with its reduction
// chunks), then each following layer on the previous output still in LM; only the last output
// is stored. All links share `tile`; only the head may reduce.
llvm::Expected<int> emitChain(const std::vector<ChainLink> &chain, const Dims &tile,
                              const Dims &chunk, const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag);

// Appends the layer (a Layer entry and its instructions, each with its cycles) to `program`.
// `firstTag` numbers the completion tags; returns the next free tag.
llvm::Expected<int> emitLayer(const LayerPlan &plan, const Dims &tile, const Dims &chunk,
                              const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag);

}  // namespace pfcomp::lowering

namespace pfcomp::lowering {

// All layers of `node` with the tiling layout-plan gave it (alias ops only register their
// alias). Returns the next free tag.
llvm::Expected<int> emitNode(const ir::Node &node, const GraphView &graph,
                             const device::Hardware &hw, BufferTable &buffers,
                             device::Program &program, int firstTag);

}  // namespace pfcomp::lowering
