// Which physical PE runs which tile of a time step. The emulator runs every tile the same
// wherever it sits; the placement only decides which tree node (Group, L2B, L1B) each window
// passes through, so it is a cost decision of the compiler. Row-major packs tile k on PE k (the
// O0 baseline); a placed layer numbers the tiles in `order` (grid axes, outermost first) so
// PEs that share a window sit under one node (the tree multicasts it), and spreads a step with
// fewer tiles than PEs evenly over the tree so every Group's DRAM link works.
#pragma once

#include "compiler/lowering/layer_plan.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/hardware.h"

#include <string>
#include <vector>

namespace pfcomp::lowering {

class Placement {
 public:
  Placement(const device::Hardware &hw, Dims grid, Dims tile)
      : hw_(hw), grid_(std::move(grid)), tile_(std::move(tile)) {}

  // How the tiles of every step are placed. An empty `order` is row-major packing. With
  // `blockAxis` >= 0 that axis is cut in blocks of `block`: the block index keeps its place in
  // the order and the position inside the block becomes the innermost digit, so neighbouring PEs
  // vary that axis a little and the next axis too (an L1B then holds a few of each).
  void setOrder(std::vector<int> order, bool spread, int blockAxis = -1, int64_t block = 1) {
    order_ = std::move(order), spread_ = spread, blockAxis_ = blockAxis, block_ = block, align_ = 0, first_ = -1;
  }
  const std::vector<int> &order() const { return order_; }
  // Row-major in runs of `group` consecutive tiles, `runs` runs per L1B from its first PE: no L1B
  // boundary cuts a run (L1Merge). fitsAligned: the runs fit an L1B and the step fits the PEs.
  void setAligned(int64_t group, int64_t runs) {
    order_.clear(), spread_ = false, blockAxis_ = -1, align_ = group, runs_ = runs, first_ = -1;
  }
  bool fitsAligned(int64_t active) const;
  // Places the tiles firstTile .. firstTile+active-1 (again only when the step changes).
  void ensure(int64_t firstTile, int64_t active) {
    if (firstTile != first_ || active != static_cast<int64_t>(phys_.size())) place(firstTile, active);
  }

  // Distinct windows of `op` among the placed PEs, overall and under the busiest node of
  // each level (PEs whose windows start at the same place read the same bytes).
  device::WindowSpread windows(const OperandMap &op) const;
  // Every PE its own window (stores, data-dependent loads).
  device::WindowSpread distinct() const;

  // Grid axes ordered so the axes most operand bytes do not follow are innermost: the PEs
  // sharing those windows are neighbours. `bytes[i]` weighs operand `ops[i]`.
  std::vector<int> sharingOrder(const std::vector<const OperandMap *> &ops,
                                const std::vector<int64_t> &bytes) const;
  std::string describe() const;
  // The physical PE of active PE `pe` of the placed step.
  int64_t physical(int64_t pe) const { return phys_[pe]; }

 private:
  void place(int64_t firstTile, int64_t active);
  void computePlacement(int64_t firstTile, int64_t active);
  device::WindowSpread countWindows(const OperandMap &op) const;
  // Everything the placed step depends on, as a memo key.
  std::string stepKey() const;

  const device::Hardware &hw_;
  Dims grid_, tile_;
  std::vector<int> order_;
  bool spread_ = false;
  int blockAxis_ = -1;
  int64_t block_ = 1;
  int64_t align_ = 0, runs_ = 1;
  int64_t first_ = -1;
  std::vector<int64_t> phys_;  // physical PE of each active PE
  std::vector<int64_t> byPhys_;  // the active PEs in physical order
};

}  // namespace pfcomp::lowering
