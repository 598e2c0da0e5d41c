// Turning an MNGraph node into layer plans for a given tiling.
#pragma once

#include "compiler/lowering/layer_plan.h"

#include "llvm/Support/Error.h"

namespace pfcomp::lowering {

// The node's layers cut with `tile` (clipped to each layer's space). An empty `tile.out` /
// `tile.chunk` means "whole": useful to learn a node's space and reduction extents.
// Alias ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity) have no layers.
llvm::Expected<std::vector<LayerPlan>> planNode(const ir::Node &node, const GraphView &graph,
                                                const Tile &tile);

// Bytes of LM one PE needs for a layer: every input window, the output tile, epilogue operands.
int64_t lmFootprint(const LayerPlan &plan, int64_t elementBytes);

}  // namespace pfcomp::lowering
