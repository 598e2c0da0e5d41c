// The space of tilings of one node: its iteration space, reduction extents and which axes may
// be cut; the LM footprint and the simulated cycles of a candidate tile; and the layout text.
// Shared by layout-plan (the starting tiling) and simulate (the search over candidates).
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "compiler/lowering/plan_node.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"

#include <string>
#include <vector>

namespace pfcomp::lowering {

int64_t ceilDiv(int64_t a, int64_t b);
// Largest value <= limit that divides n (n > 0).
int64_t divisorAtMost(int64_t n, int64_t limit);
std::string dimsText(const Dims &d);

struct Candidate {
  Tile tile;
  std::string why;
};

class TilingSpace {
 public:
  TilingSpace(const ir::Node &node, const lowering::GraphView &graph, const device::Hardware &hw)
      : node_(node), graph_(graph), hw_(hw) {}

  // Learns the space from the node's layers (alias ops have none: empty()).
  llvm::Error init() {
    auto layers = planNode(node_, graph_, {});
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
  llvm::Expected<int64_t> footprint(const Tile &tile) const {
    auto layers = planNode(node_, graph_, tile);
    if (!layers) return layers.takeError();
    int64_t most = 0;
    for (const auto &l : *layers) most = std::max(most, lmFootprint(l, elementBytes_));
    return most;
  }

  int64_t tiles(const Tile &tile) const {
    int64_t n = 1;
    for (size_t a = 0; a < space_.size(); ++a) n *= ceilDiv(space_[a], tile.out[a]);
    return n;
  }

  // Cuts of output axis `a` in half (respecting `divides`), or nothing.
  bool halveAxis(Tile &tile, size_t a) const {
    if (!splittable_[a] || tile.out[a] <= 1) return false;
    int64_t next = ceilDiv(tile.out[a], 2);
    if (divides_[a] > 0) next = divisorAtMost(divides_[a], next);
    if (next >= tile.out[a]) return false;
    tile.out[a] = next;
    return true;
  }

  bool canGrow(const Tile &tile, size_t a) const {
    return splittable_[a] && tile.out[a] < space_[a] && grown(tile, a).out[a] > tile.out[a];
  }
  Tile grown(const Tile &tile, size_t a) const {
    Tile t = tile;
    int64_t next = std::min(space_[a], tile.out[a] * 2);
    if (divides_[a] > 0) next = divisorAtMost(divides_[a], next);
    t.out[a] = std::max(next, tile.out[a]);
    return t;
  }

  std::vector<Candidate> cuts(const Tile &tile, bool withReductions) const {
    std::vector<Candidate> out;
    for (size_t a = 0; a < space_.size(); ++a) {
      Tile t = tile;
      if (halveAxis(t, a)) out.push_back({t, llvm::formatv("halve output axis {0}", a).str()});
    }
    if (withReductions)
      for (size_t r = 0; r < red_.size(); ++r)
        if (tile.chunk[r] > 1) {
          Tile t = tile;
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


// Cycles of `node` cut with `tile`, from its tile program through the cycle model.
llvm::Expected<int64_t> tileCycles(const ir::Node &node, const GraphView &graph,
                                   const device::Hardware &hw, const Tile &tile);

// DESIGN.md notation for a tiled value: each axis as `grid_LEVEL:tile`, levels from the PE tree,
// time steps as `T`. E.g. ((1:1), (64_L1B:1), (8_MAB:14), (8_PE:14)).
std::string layoutText(const Dims &space, const Dims &tile, const device::Hardware &hw);

// Writes `tile` into the node's tiling with its placement on `hw`.
void setTiling(ir::Node &node, const Tile &tile, const TilingSpace &space, const device::Hardware &hw);

}  // namespace pfcomp::lowering
