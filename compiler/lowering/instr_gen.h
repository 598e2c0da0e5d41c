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
// A tile kept in LM between layers (spill_opt): step s's tile sits at addr + s * step_bytes.
struct LmTile {
  int64_t addr = -1, step_bytes = 0;
  bool valid() const { return addr >= 0; }
  int64_t at(int64_t step) const { return addr + step * step_bytes; }
};

struct ChainLink {
  const LayerPlan *plan;
  int from_prev = -1;
  std::vector<LmTile> lm_inputs;  // per input: read from LM there instead of loading (empty: none)
  LmTile lm_output;               // last link: leave the output tile here
  bool store = true;              // last link: store the output to DRAM
};

// How the program of a layer is shaped beyond its tiling (the node's Tiling flags; simulate
// sets them unless simulation_mode=fake, so O0 keeps the plain program):
//  - place_tiles: tiles sit on physical PEs in the grid order that keeps PEs sharing a window
//    under one tree node (multicast), and a step with fewer tiles than PEs is spread over every
//    Group (pe_placement.h);
//  - double_buffer: every region a load writes (and the stored output tile) gets a second LM
//    copy when both fit, so the loads of the next reduction chunk or time step run on the DMA
//    queue while the PEs compute the current one (software pipelining with the same tags and
//    waits: a region is reloaded only after the compute that last read it).
struct EmitFlags {
  bool place_tiles = false;
  bool double_buffer = false;
  int64_t l1b_align = 0, l1b_runs = 0;  // Tiling.l1b_align / l1b_runs (instead of place_tiles' search)
};
EmitFlags emitFlags(const ir::Tiling &tiling);

// A chain of layers over the same tiles, executed step by step: the head (with its reduction
// chunks), then each following layer on the previous output still in LM; only the last output
// is stored. All links share `tile`; only the head may reduce. Scratch LM must stay below
// `lmLimit` (where tiles kept in LM begin; -1 = the whole LM).
llvm::Expected<int> emitChain(const std::vector<ChainLink> &chain, const Dims &tile,
                              const Dims &chunk, const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag, int64_t lmLimit = -1,
                              EmitFlags flags = {});

// Appends the layer (a Layer entry and its instructions, each with its cycles) to `program`.
// `firstTag` numbers the completion tags; returns the next free tag.
// Internal (E901) when `tile` cuts an axis `plan` must keep whole or does not divide `divides`.
llvm::Error checkSplitRules(const LayerPlan &plan, const Dims &tile);

llvm::Expected<int> emitLayer(const LayerPlan &plan, const Dims &tile, const Dims &chunk,
                              const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag, EmitFlags flags = {},
                              int64_t lmLimit = -1);

}  // namespace pfcomp::lowering

namespace pfcomp::lowering {

// All layers of `node` with the tiling layout-plan gave it (alias ops only register their
// alias), scratch LM below `lmLimit` (-1: the whole LM). Returns the next free tag.
llvm::Expected<int> emitNode(const ir::Node &node, const GraphView &graph,
                             const device::Hardware &hw, BufferTable &buffers,
                             device::Program &program, int firstTag, int64_t lmLimit = -1);

}  // namespace pfcomp::lowering
