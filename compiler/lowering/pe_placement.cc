#include "compiler/lowering/pe_placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <numeric>
#include <unordered_map>

namespace pfcomp::lowering {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Where a window starts on one axis, for the tile starting at `ts` on the axis it follows.
int64_t windowStart(const device::AxisMap &m, int64_t ts) {
  return m.ratio_den() > 0 ? (m.ratio_num() * ts) / m.ratio_den()
                           : m.scale() * (ts / std::max<int64_t>(1, m.div()));
}

// Placements and window counts are pure functions of their (small) inputs, and the schedulers
// emit the same layers with the same tilings many times over (every annealing candidate, every
// beam completion), so both are memoised process-wide. A lock guards the tables: L1Merge costs
// candidates on a thread pool.
template <typename Value>
class Memo {
 public:
  std::shared_ptr<const Value> find(const std::string &key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second;
  }
  void insert(const std::string &key, std::shared_ptr<const Value> value) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();  // bounds memory on huge models
    entries_.emplace(key, std::move(value));
  }

 private:
  static constexpr size_t kMaxEntries = 1 << 16;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Value>> entries_;
};

void appendInts(std::string &key, std::initializer_list<int64_t> values) {
  for (int64_t v : values) key.append(reinterpret_cast<const char *>(&v), sizeof v);
}
template <typename Range>
void appendRange(std::string &key, const Range &values) {
  appendInts(key, {static_cast<int64_t>(std::size(values))});
  for (auto v : values) appendInts(key, {static_cast<int64_t>(v)});
}

// Grid coordinates of consecutive tiles, stepped like an odometer (no divisions per tile).
class TileCoords {
 public:
  TileCoords(const Dims &grid, int64_t tile) : grid_(grid), coord_(grid.size()) {
    for (int a = static_cast<int>(grid.size()) - 1; a >= 0; --a)
      coord_[a] = tile % grid[a], tile /= grid[a];
  }
  const Dims &operator*() const { return coord_; }
  void next() {
    for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) {
      if (++coord_[a] < grid_[a]) return;
      coord_[a] = 0;
    }
  }

 private:
  const Dims &grid_;
  Dims coord_;
};

// Keys below this many slots are numbered with a table instead of a sort.
bool fitsTable(int64_t range, int64_t count) {
  return range >= 0 && range <= std::max<int64_t>(int64_t{1} << 16, 8 * count);
}

struct Placed {
  std::vector<int64_t> phys, byPhys;
};

Memo<Placed> &placements() {
  static Memo<Placed> memo;
  return memo;
}
Memo<device::WindowSpread> &windowCounts() {
  static Memo<device::WindowSpread> memo;
  return memo;
}

}  // namespace

std::string Placement::stepKey() const {
  std::string key;
  appendRange(key, grid_);
  appendRange(key, tile_);
  appendRange(key, order_);
  appendInts(key, {spread_, blockAxis_, block_, align_, runs_, first_, static_cast<int64_t>(phys_.size()),
                   hw_.pes(), hw_.pesPerGroup(), hw_.pesPerL2b(), hw_.pesPerL1b()});
  return key;
}

void Placement::place(int64_t firstTile, int64_t active) {
  first_ = firstTile;
  phys_.resize(active);  // the key reads the step's size
  const std::string key = stepKey();
  if (auto known = placements().find(key)) {
    phys_ = known->phys, byPhys_ = known->byPhys;
    return;
  }
  computePlacement(firstTile, active);
  placements().insert(key, std::make_shared<const Placed>(Placed{phys_, byPhys_}));
}

void Placement::computePlacement(int64_t firstTile, int64_t active) {
  const std::vector<int> &order = order_;
  const bool spread = spread_;
  std::vector<int64_t> rank(active);
  std::iota(rank.begin(), rank.end(), 0);
  if (!order.empty() || blockAxis_ >= 0) {
    std::vector<int> axes = order;
    if (axes.empty())
      for (size_t a = 0; a < grid_.size(); ++a) axes.push_back(static_cast<int>(a));
    // Each tile's index when the grid is numbered in `order`; the step's tiles get the PEs in
    // that sequence.
    std::vector<int64_t> key(active);
    int64_t range = 1;  // keys lie in [0, range)
    for (int a : axes) range *= a == blockAxis_ ? ceilDiv(grid_[a], block_) : grid_[a];
    if (blockAxis_ >= 0) range *= block_;
    TileCoords coords(grid_, firstTile);
    for (int64_t pe = 0; pe < active; ++pe, coords.next()) {
      const Dims &coord = *coords;
      int64_t k = 0;
      for (int a : axes)
        k = a == blockAxis_ ? k * ceilDiv(grid_[a], block_) + coord[a] / block_ : k * grid_[a] + coord[a];
      if (blockAxis_ >= 0) k = k * block_ + coord[blockAxis_] % block_;
      key[pe] = k;
    }
    std::vector<int64_t> byKey(active);
    if (fitsTable(range, active)) {  // keys are distinct: a bucket per key
      std::vector<int32_t> at(range, -1);
      for (int64_t pe = 0; pe < active; ++pe) at[key[pe]] = static_cast<int32_t>(pe);
      int64_t r = 0;
      for (int32_t pe : at)
        if (pe >= 0) byKey[r++] = pe;
    } else {
      std::iota(byKey.begin(), byKey.end(), 0);
      std::sort(byKey.begin(), byKey.end(), [&](int64_t x, int64_t y) { return key[x] < key[y]; });
    }
    for (int64_t r = 0; r < active; ++r) rank[byKey[r]] = r;
    byPhys_ = std::move(byKey);
  } else {
    byPhys_ = rank;
  }
  phys_.resize(active);
  const int64_t pes = hw_.pes();
  const int64_t perL1b = hw_.pesPerL1b(), runs = std::max<int64_t>(1, runs_);
  for (int64_t pe = 0; pe < active; ++pe)
    phys_[pe] = align_ > 0 ? rank[pe] / align_ / runs * perL1b + rank[pe] / align_ % runs * align_ + rank[pe] % align_
                : spread && active < pes ? rank[pe] * pes / active : rank[pe];
}

bool Placement::fitsAligned(int64_t active) const {
  if (align_ <= 0) return true;
  const int64_t perL1b = hw_.pesPerL1b();
  if (runs_ < 1 || align_ * runs_ > perL1b) return false;
  return ceilDiv(ceilDiv(active, align_), runs_) * perL1b <= hw_.pes();
}

device::WindowSpread Placement::windows(const OperandMap &op) const {
  // Only where windows start matters (windowStart's terms of each followed axis).
  std::string key = stepKey();
  for (const auto &m : op.axes)
    if (m.follows() >= 0)
      appendInts(key, {m.follows(), m.scale(), m.div(), m.ratio_num(), m.ratio_den()});
  if (auto known = windowCounts().find(key)) return *known;
  device::WindowSpread counted = countWindows(op);
  windowCounts().insert(key, std::make_shared<const device::WindowSpread>(counted));
  return counted;
}

device::WindowSpread Placement::countWindows(const OperandMap &op) const {
  const int64_t active = static_cast<int64_t>(phys_.size());
  // A window is set by its start on each axis the operand follows, a function of one grid
  // coordinate: number each axis's distinct starts densely, then a window's id is the mixed-radix
  // number of its per-axis ids (exact, no hashing).
  struct AxisIds { int follows; std::vector<int64_t> id; int64_t count; };
  std::vector<AxisIds> axes;
  for (const auto &m : op.axes) {
    if (m.follows() < 0) continue;
    const int a = m.follows();
    std::vector<int64_t> starts(grid_[a]);
    for (int64_t c = 0; c < grid_[a]; ++c) starts[c] = windowStart(m, c * tile_[a]);
    std::vector<int64_t> distinct = starts;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    AxisIds ids{a, std::vector<int64_t>(grid_[a]), static_cast<int64_t>(distinct.size())};
    for (int64_t c = 0; c < grid_[a]; ++c)
      ids.id[c] = std::lower_bound(distinct.begin(), distinct.end(), starts[c]) - distinct.begin();
    axes.push_back(std::move(ids));
  }
  std::vector<int64_t> key(active);
  int64_t range = 1;  // keys lie in [0, range); -1 once that would overflow a table
  for (const AxisIds &ax : axes)
    range = range < 0 || ax.count > (int64_t{1} << 30) / std::max<int64_t>(range, 1) ? -1 : range * ax.count;
  TileCoords coords(grid_, first_);
  for (int64_t pe = 0; pe < active; ++pe, coords.next()) {
    int64_t k = 0;
    for (const AxisIds &ax : axes) k = k * ax.count + ax.id[(*coords)[ax.follows]];
    key[pe] = k;
  }
  // Dense ids over the step's windows (their order does not matter, only their count).
  std::vector<int64_t> id(active);
  int64_t ids = 0;
  if (fitsTable(range, active)) {
    std::vector<int32_t> slot(range, -1);
    for (int64_t pe = 0; pe < active; ++pe) {
      int32_t &s = slot[key[pe]];
      if (s < 0) s = static_cast<int32_t>(ids++);
      id[pe] = s;
    }
  } else {
    std::vector<int64_t> sorted = key;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    ids = static_cast<int64_t>(sorted.size());
    for (int64_t pe = 0; pe < active; ++pe)
      id[pe] = std::lower_bound(sorted.begin(), sorted.end(), key[pe]) - sorted.begin();
  }
  // The most distinct windows under one node of a level of `perNode` PEs: walk the PEs in
  // physical order (nodes are contiguous) stamping each window with the node that saw it.
  std::vector<int64_t> seen(ids);
  auto busiest = [&](int64_t perNode) {
    std::fill(seen.begin(), seen.end(), -1);
    int64_t most = 1, run = 0, node = -1;
    for (int64_t pe : byPhys_) {
      const int64_t n = phys_[pe] / perNode;
      if (n != node) node = n, run = 0;
      if (seen[id[pe]] != n) seen[id[pe]] = n, most = std::max(most, ++run);
    }
    return most;
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
  if (blockAxis_ >= 0) s += ", axis " + std::to_string(blockAxis_) + " in blocks of " + std::to_string(block_);
  if (align_ > 0) s += ", " + std::to_string(runs_) + " runs of " + std::to_string(align_) + " per L1B";
  return spread ? s + " spread" : s;
}

}  // namespace pfcomp::lowering
