// The spill_opt scheduler: on top of reuse_consecutive's chains, a value stays in LM after its
// producer (no store, no reload) for every consumer that runs on the same tiles and reads exactly
// the producer's tile; values are kept in schedule order until the SRAM budget is full, the rest
// spill (stored to DRAM and loaded again). Elementwise consumers adopt their producer's tiles so
// that more of them qualify.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <set>
#include <string>
#include <vector>

namespace pfcomp::sched {

// A value that could stay in LM: its producer's schedule position, the readers that could take it
// from LM, whether something else needs it in DRAM, and its LM size per time step.
struct LmCandidate {
  std::string value;
  std::string producer;
  int first = 0, last = 0;  // schedule positions: producer, last LM reader
  std::vector<std::string> readers;
  bool needs_dram = false;
  int64_t step_bytes = 0, steps = 1;
  int64_t bytes() const { return step_bytes * steps; }
};

struct LmAnalysis {
  std::vector<LmCandidate> candidates;  // in producer order
  std::vector<int64_t> scratch;         // LM bytes each schedule position needs for itself
  int adopted = 0;                      // consumers that took their producer's tiles
};

// Lets lone elementwise consumers (except those in `keepOwnTiles`) adopt their producer's tiles,
// then lists the candidates. `adoptable` (optional) receives every consumer that could adopt.
llvm::Expected<LmAnalysis> analyseLm(ir::Graph &graph, const device::Hardware &hw,
                                     const std::set<std::string> &keepOwnTiles = {},
                                     std::vector<std::string> *adoptable = nullptr);

struct Placement {
  int kept = 0, spilled = 0;
  int64_t bytes_kept = 0;
};

// Places the wanted candidates in LM (first fit from the top of `budget` down, above every
// scratch they live across), writing schedule.residents; those that do not fit spill.
Placement placeResidents(ir::Graph &graph, const LmAnalysis &lm, const std::vector<bool> &wanted,
                         int64_t budget);

// spill_opt: every candidate wanted, in schedule order.
llvm::Expected<Placement> spillOpt(ir::Graph &graph, const device::Hardware &hw, int64_t budget);

}  // namespace pfcomp::sched
