#include "compiler/lowering/pe_placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <numeric>

namespace pfcomp::lowering {
namespace {

// Where a window starts on one axis, for the tile starting at `ts` on the axis it follows.
int64_t windowStart(const device::AxisMap &m, int64_t ts) {
  return m.ratio_den() > 0 ? (m.ratio_num() * ts) / m.ratio_den()
                           : m.scale() * (ts / std::max<int64_t>(1, m.div()));
}

}  // namespace

void Placement::place(int64_t firstTile, int64_t active) {
  const std::vector<int> &order = order_;
  const bool spread = spread_;
  first_ = firstTile;
  std::vector<int64_t> rank(active);
  std::iota(rank.begin(), rank.end(), 0);
  if (!order.empty()) {
    // Each tile's index when the grid is numbered in `order`; the step's tiles get the PEs in
    // that sequence.
    std::vector<int64_t> key(active);
    Dims coord(grid_.size());
    for (int64_t pe = 0; pe < active; ++pe) {
      int64_t tile = firstTile + pe;
      for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) coord[a] = tile % grid_[a], tile /= grid_[a];
      int64_t k = 0;
      for (int a : order) k = k * grid_[a] + coord[a];
      key[pe] = k;
    }
    std::vector<int64_t> byKey(active);
    std::iota(byKey.begin(), byKey.end(), 0);
    std::sort(byKey.begin(), byKey.end(), [&](int64_t x, int64_t y) { return key[x] < key[y]; });
    for (int64_t r = 0; r < active; ++r) rank[byKey[r]] = r;
  }
  phys_.resize(active);
  const int64_t pes = hw_.pes();
  for (int64_t pe = 0; pe < active; ++pe)
    phys_[pe] = spread && active < pes ? rank[pe] * pes / active : rank[pe];
}

device::WindowSpread Placement::windows(const OperandMap &op) const {
  const int64_t active = static_cast<int64_t>(phys_.size());
  // Window start of every PE on the axes the operand follows, then a dense id per window.
  std::vector<Dims> keys(active);
  Dims start(grid_.size());
  for (int64_t pe = 0; pe < active; ++pe) {
    int64_t tile = first_ + pe;
    for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) {
      start[a] = (tile % grid_[a]) * tile_[a];
      tile /= grid_[a];
    }
    for (const auto &m : op.axes) {
      if (m.follows() < 0) continue;
      keys[pe].push_back(windowStart(m, start[m.follows()]));
    }
  }
  std::vector<int64_t> order(active);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return keys[x] < keys[y]; });
  std::vector<int64_t> id(active);
  int64_t ids = 0;
  for (int64_t i = 0; i < active; ++i) {
    if (i > 0 && keys[order[i]] != keys[order[i - 1]]) ++ids;
    id[order[i]] = ids;
  }
  ++ids;
  // The most distinct windows under one node of a level of `perNode` PEs.
  auto busiest = [&](int64_t perNode) {
    std::vector<int64_t> pairs(active);
    for (int64_t pe = 0; pe < active; ++pe) pairs[pe] = phys_[pe] / perNode * ids + id[pe];
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    int64_t most = 0, run = 0, node = -1;
    for (int64_t p : pairs) {
      run = p / ids == node ? run + 1 : 1;
      node = p / ids;
      most = std::max(most, run);
    }
    return std::max<int64_t>(1, most);
  };
  return {std::max<int64_t>(1, ids), busiest(hw_.pesPerGroup()), busiest(hw_.pesPerL2b()),
          busiest(hw_.pesPerL1b())};
}

device::WindowSpread Placement::distinct() const {
  auto busiest = [&](int64_t perNode) {
    std::vector<int64_t> count;
    for (int64_t p : phys_) {
      size_t node = p / perNode;
      if (count.size() <= node) count.resize(node + 1);
      ++count[node];
    }
    return std::max<int64_t>(1, count.empty() ? 1 : *std::max_element(count.begin(), count.end()));
  };
  return {std::max<int64_t>(1, static_cast<int64_t>(phys_.size())), busiest(hw_.pesPerGroup()),
          busiest(hw_.pesPerL2b()), busiest(hw_.pesPerL1b())};
}

std::vector<int> Placement::sharingOrder(const std::vector<const OperandMap *> &ops,
                                         const std::vector<int64_t> &bytes) const {
  std::vector<int64_t> shared(grid_.size(), 0);
  for (size_t i = 0; i < ops.size(); ++i)
    for (size_t a = 0; a < grid_.size(); ++a)
      if (llvm::none_of(ops[i]->axes, [&](const device::AxisMap &m) {
            // Follows `a` in effect: the window moves somewhere along the grid (a grouped
            // conv's input channels follow the output channels only across groups).
            return m.follows() == static_cast<int>(a) &&
                   windowStart(m, 0) != windowStart(m, (grid_[a] - 1) * tile_[a]);
          }))
        shared[a] += bytes[i];
  std::vector<int> order(grid_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return shared[x] < shared[y]; });
  return order;
}

std::string Placement::describe() const {
  const std::vector<int> &order = order_;
  const bool spread = spread_;
  std::string s = order.empty() ? "row-major"
                                : "axes " + llvm::join(llvm::map_range(order, [](int a) { return std::to_string(a); }), ",");
  return spread ? s + " spread" : s;
}

}  // namespace pfcomp::lowering
