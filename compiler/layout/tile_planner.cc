#include "compiler/layout/tile_planner.h"

#include "compiler/lowering/node_cost.h"
#include "compiler/lowering/plan_node.h"
#include "support/error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace pfcomp::layout {
namespace {

using lowering::Dims;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string dimsText(const Dims &d) {
  return llvm::join(llvm::map_range(d, [](int64_t v) { return std::to_string(v); }), "x");
}

// Largest value <= limit that divides n (n > 0).
int64_t divisorAtMost(int64_t n, int64_t limit) {
  for (int64_t v = std::max<int64_t>(1, limit); v > 1; --v)
    if (n % v == 0) return v;
  return 1;
}

struct Candidate {
  lowering::Tile tile;
  std::string why;
};

class Planner {
 public:
  Planner(const ir::Node &node, const lowering::GraphView &graph, const device::Hardware &hw)
      : node_(node), graph_(graph), hw_(hw) {}

  llvm::Error init() {
    auto layers = lowering::planNode(node_, graph_, {});
    if (!layers) return layers.takeError();
    for (const auto &l : *layers) {
      if (space_.empty()) {
        space_ = l.space;
        red_ = l.red_extent;
        splittable_ = l.splittable;
        divides_ = l.divides;
      }
      for (size_t a = 0; a < space_.size() && a < l.space.size(); ++a)
        space_[a] = std::max(space_[a], l.space[a]);
    }
    elementBytes_ = graph_.value(node_.outputs(0)).dtype() == ir::F64 ? 8
                    : graph_.value(node_.outputs(0)).dtype() == ir::F16 ? 2 : 4;
    return llvm::Error::success();
  }

  bool empty() const { return space_.empty(); }
  const Dims &space() const { return space_; }
  const Dims &red() const { return red_; }

  // LM bytes of the hungriest layer under `tile`.
  llvm::Expected<int64_t> footprint(const lowering::Tile &tile) const {
    auto layers = lowering::planNode(node_, graph_, tile);
    if (!layers) return layers.takeError();
    int64_t most = 0;
    for (const auto &l : *layers) most = std::max(most, lowering::lmFootprint(l, elementBytes_));
    return most;
  }

  int64_t tiles(const lowering::Tile &tile) const {
    int64_t n = 1;
    for (size_t a = 0; a < space_.size(); ++a) n *= ceilDiv(space_[a], tile.out[a]);
    return n;
  }

  // Cuts of output axis `a` in half (respecting `divides`), or nothing.
  bool halveAxis(lowering::Tile &tile, size_t a) const {
    if (!splittable_[a] || tile.out[a] <= 1) return false;
    int64_t next = ceilDiv(tile.out[a], 2);
    if (divides_[a] > 0) next = divisorAtMost(divides_[a], next);
    if (next >= tile.out[a]) return false;
    tile.out[a] = next;
    return true;
  }

  bool canGrow(const lowering::Tile &tile, size_t a) const {
    return splittable_[a] && tile.out[a] < space_[a] && grown(tile, a).out[a] > tile.out[a];
  }
  lowering::Tile grown(const lowering::Tile &tile, size_t a) const {
    lowering::Tile t = tile;
    int64_t next = std::min(space_[a], tile.out[a] * 2);
    if (divides_[a] > 0) next = divisorAtMost(divides_[a], next);
    t.out[a] = std::max(next, tile.out[a]);
    return t;
  }

  std::vector<Candidate> cuts(const lowering::Tile &tile, bool withReductions) const {
    std::vector<Candidate> out;
    for (size_t a = 0; a < space_.size(); ++a) {
      lowering::Tile t = tile;
      if (halveAxis(t, a)) out.push_back({t, llvm::formatv("halve output axis {0}", a).str()});
    }
    if (withReductions)
      for (size_t r = 0; r < red_.size(); ++r)
        if (tile.chunk[r] > 1) {
          lowering::Tile t = tile;
          t.chunk[r] = ceilDiv(t.chunk[r], 2);
          out.push_back({t, llvm::formatv("halve reduction chunk {0}", r).str()});
        }
    return out;
  }

 private:
  const ir::Node &node_;
  const lowering::GraphView &graph_;
  const device::Hardware &hw_;
  Dims space_, red_, divides_;
  std::vector<bool> splittable_;
  int64_t elementBytes_ = 4;
};

}  // namespace

// Cycles of `node` cut with `tile`, from its tile program.
static llvm::Expected<int64_t> tileCycles(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw, const lowering::Tile &tile) {
  ir::Node probe = node;
  probe.clear_tiling();
  for (int64_t v : tile.out) probe.mutable_tiling()->add_out_tile(v);
  for (int64_t v : tile.chunk) probe.mutable_tiling()->add_red_chunk(v);
  auto cost = lowering::costNode(probe, graph, hw);
  if (!cost) return cost.takeError();
  return cost->timeline.total_cycles;
}

llvm::Expected<TilingChoice> chooseTiling(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw, int64_t lmBudget,
                                          int searchEvaluations) {
  Planner planner(node, graph, hw);
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
  auto weight = [&](size_t a) { return a + 1 == tile.out.size() ? tile.out[a] / 4.0 : double(tile.out[a]); };
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
    for (const Candidate &c : planner.cuts(tile, true)) {
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
  // 3. Search: neighbours of the tile (one axis or chunk halved or doubled) that fit, by cost.
  if (searchEvaluations > 0) {
    auto best = tileCycles(node, graph, hw, tile);
    if (!best) return best.takeError();
    choice.history.push_back(llvm::formatv("search: start at {0} cycles", *best).str());
    int evaluations = 0;
    for (bool improved = true; improved && evaluations < searchEvaluations;) {
      improved = false;
      std::vector<Candidate> candidates = planner.cuts(tile, true);
      for (size_t a = 0; a < tile.out.size(); ++a)
        if (planner.canGrow(tile, a))
          candidates.push_back({planner.grown(tile, a), llvm::formatv("double output axis {0}", a).str()});
      for (size_t r = 0; r < tile.chunk.size(); ++r)
        if (tile.chunk[r] < planner.red()[r]) {
          lowering::Tile t = tile;
          t.chunk[r] = std::min(planner.red()[r], t.chunk[r] * 2);
          candidates.push_back({t, llvm::formatv("double reduction chunk {0}", r).str()});
        }
      lowering::Tile next;
      std::string why;
      for (const Candidate &c : candidates) {
        if (evaluations >= searchEvaluations) break;
        auto fit = planner.footprint(c.tile);
        if (!fit) return fit.takeError();
        if (*fit > lmBudget) continue;
        ++evaluations;
        auto cycles = tileCycles(node, graph, hw, c.tile);
        if (!cycles) {
          llvm::consumeError(cycles.takeError());  // a candidate that cannot be built is skipped
          continue;
        }
        if (*cycles < *best) *best = *cycles, next = c.tile, why = c.why, improved = true, *bytes = *fit;
      }
      if (improved) {
        tile = next;
        choice.history.push_back(llvm::formatv("search: {0} -> tile [{1}] chunk [{2}], {3} cycles", why,
                                               dimsText(tile.out), dimsText(tile.chunk), *best).str());
      }
    }
    choice.history.push_back(llvm::formatv("search: done after {0} evaluations", evaluations).str());
  }
  choice.tile = tile;
  auto layers = lowering::planNode(node, graph, tile);
  if (!layers) return layers.takeError();
  for (const auto &l : *layers) {
    lowering::Dims t(l.space.size());
    for (size_t a = 0; a < t.size(); ++a) t[a] = std::min(tile.out[a], l.space[a]);
    auto p = lowering::placeLayer(l, t, hw);
    if (p.pes * p.steps > choice.placement.pes * choice.placement.steps) choice.placement = p;
  }
  choice.placement.red_steps = 1;
  for (size_t r = 0; r < tile.chunk.size(); ++r)
    choice.placement.red_steps *= ceilDiv(planner.red()[r], tile.chunk[r]);
  choice.placement.lm_bytes = *bytes;
  return choice;
}

std::string layoutText(const Dims &space, const Dims &tile, const device::Hardware &hw) {
  // Tiles are numbered row-major and tile k goes to PE k mod P: the innermost axes fill the PEs
  // of a MAB first, then MABs, L1Bs, L2Bs and Groups; what is left over is time (T).
  struct Level { const char *name; int64_t count; };
  const Level levels[] = {{"PE", hw.pe_per_mab}, {"MAB", hw.mab_per_l1b}, {"L1B", hw.l1b_per_l2b},
                          {"L2B", hw.l2b_per_group}, {"Group", hw.groups}, {"T", INT64_MAX}};
  size_t level = 0;
  int64_t room = levels[0].count;
  std::vector<std::string> axes;
  for (int a = static_cast<int>(space.size()) - 1; a >= 0; --a) {
    int64_t grid = ceilDiv(space[a], tile[a]);
    std::vector<std::string> parts;
    while (grid > 1) {
      int64_t take = std::min(grid, room);
      parts.push_back(llvm::formatv("{0}_{1}", take, levels[level].name).str());
      grid = ceilDiv(grid, take);
      room = ceilDiv(room, take);
      if (room <= 1 && level + 1 < std::size(levels)) room = levels[++level].count;
    }
    parts.push_back(llvm::formatv("{0}:1", tile[a]).str());
    axes.insert(axes.begin(), "(" + llvm::join(parts, ", ") + ")");
  }
  return "(" + llvm::join(axes, ", ") + ")";
}

}  // namespace pfcomp::layout
