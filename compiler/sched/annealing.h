// The auto_recompute_sa scheduler: simulated annealing over spill_opt's decisions — which lone
// elementwise consumers adopt their producer's tiles and which values stay in LM (the rest are
// stored and reloaded) — scored with the cost model: the first unit's cycles, then each unit's
// cycles on top of its predecessor's (the pair emitted together with the cross-unit prefetch,
// less the predecessor alone), cached per unit and decision. The start state (spill_opt's choice)
// and the last improvements are then scored on the whole program and the fastest is kept, so
// the result is never slower than spill_opt. Seeded, so the same input gives the same schedule.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

namespace pfcomp::sched {

struct AnnealStats {
  int64_t iterations = 0, accepted = 0, improved = 0;
  int64_t start_cycles = 0, best_cycles = 0;  // estimate of spill_opt's choice and the best found
  int64_t exact_cycles = 0;                   // whole program of the state kept
  int kept = 0, spilled = 0, adopted = 0;
};

llvm::Expected<AnnealStats> annealSchedule(ir::Graph &graph, const device::Hardware &hw, int64_t budget,
                                           int64_t iterations, uint64_t seed);

}  // namespace pfcomp::sched
