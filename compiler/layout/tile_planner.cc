#include "compiler/layout/tile_planner.h"

#include "compiler/lowering/plan_node.h"
#include "compiler/lowering/tiling_space.h"
#include "support/error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace pfcomp::layout {

using lowering::Dims;
using lowering::ceilDiv;
using lowering::dimsText;

llvm::Expected<TilingChoice> chooseTiling(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw, int64_t lmBudget,
                                          bool keepInnerAxis) {
  lowering::TilingSpace planner(node, graph, hw);
  if (auto err = planner.init()) return std::move(err);
  TilingChoice choice;
  if (planner.empty()) return choice;  // alias op: nothing to tile
  choice.space = planner.space();
  lowering::Tile tile{planner.space(), planner.red()};
  choice.history.push_back("start: whole space [" + dimsText(tile.out) + "], reduction [" +
                           dimsText(tile.chunk) + "]");
  // 1. Parallelism: cut the largest axis until every PE has a tile. The innermost axis is cut
  //    last (it counts a quarter): it is the contiguous run the DMA moves and the PE kernels
  //    stream over, so long rows are worth keeping.
  auto weight = [&](size_t a) {
    return keepInnerAxis && a + 1 == tile.out.size() ? tile.out[a] / 4.0 : double(tile.out[a]);
  };
  while (planner.tiles(tile) < hw.pes()) {
    size_t best = tile.out.size();
    for (size_t a = 0; a < tile.out.size(); ++a) {
      lowering::Tile t = tile;
      if (planner.halveAxis(t, a) && (best == tile.out.size() || weight(a) > weight(best))) best = a;
    }
    if (best == tile.out.size()) break;
    planner.halveAxis(tile, best);
    choice.history.push_back(llvm::formatv("spread over PEs: axis {0} -> tile [{1}], {2} tiles",
                                           best, dimsText(tile.out), planner.tiles(tile)).str());
  }
  // 2. Capacity: cut whatever frees the most LM until a tile fits.
  auto bytes = planner.footprint(tile);
  if (!bytes) return bytes.takeError();
  while (*bytes > lmBudget) {
    lowering::Tile best;
    int64_t bestBytes = -1;
    std::string why;
    for (const lowering::Candidate &c : planner.cuts(tile, true)) {
      auto b = planner.footprint(c.tile);
      if (!b) return b.takeError();
      if (bestBytes < 0 || *b < bestBytes) best = c.tile, bestBytes = *b, why = c.why;
    }
    if (bestBytes < 0 || bestBytes >= *bytes)
      return makeError(ErrorCode::LmOverflow,
                       "node '{0}' ({1}): the smallest tile [{2}] still needs {3} bytes of LM per "
                       "PE, the budget is {4}",
                       node.name(), node.op_type(), dimsText(tile.out), *bytes, lmBudget);
    tile = best;
    *bytes = bestBytes;
    choice.history.push_back(llvm::formatv("fit LM: {0} -> tile [{1}] chunk [{2}], {3} bytes", why,
                                           dimsText(tile.out), dimsText(tile.chunk), *bytes).str());
  }
  choice.tile = tile;
  auto placement = placeTile(node, graph, hw, planner, tile);
  if (!placement) return placement.takeError();
  choice.placement = *placement;
  return choice;
}

llvm::Expected<lowering::LayerPlacement> placeTile(const ir::Node &node, const lowering::GraphView &graph,
                                                   const device::Hardware &hw,
                                                   const lowering::TilingSpace &space,
                                                   const lowering::Tile &tile) {
  lowering::LayerPlacement placement;
  auto layers = lowering::planNode(node, graph, tile);
  if (!layers) return layers.takeError();
  for (const auto &l : *layers) {
    lowering::Dims t(l.space.size());
    for (size_t a = 0; a < t.size(); ++a) t[a] = std::min(tile.out[a], l.space[a]);
    auto p = lowering::placeLayer(l, t, hw);
    if (p.pes * p.steps > placement.pes * placement.steps) placement = p;
  }
  placement.red_steps = 1;
  for (size_t r = 0; r < tile.chunk.size(); ++r)
    placement.red_steps *= ceilDiv(space.red()[r], tile.chunk[r]);
  auto bytes = space.footprint(tile);
  if (!bytes) return bytes.takeError();
  placement.lm_bytes = *bytes;
  return placement;
}

}  // namespace pfcomp::layout
