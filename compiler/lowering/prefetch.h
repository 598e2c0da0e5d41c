// Cross-layer prefetch (spill_opt, auto_recompute_sa): a unit's loads start while the previous
// units still compute and store, instead of after them. Two steps on the finished program:
//  1. scratch LM alternates between units (a unit's scratch moves just past the previous one's
//     when both fit under the values kept in LM), so consecutive units touch different LM;
//  2. every LOAD moves up past WAITs, COMPUTEs and STOREs it does not conflict with (LM bytes
//     written or read by them, DRAM bytes a passed STORE writes), never past another LOAD, so
//     the DMA queue keeps its load order and the load only issues earlier.
// Functionally the program is the same; the cost model sees the earlier issue.
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace pfcomp::lowering {

// One emitted unit (a chain or a node): its first layer and where values kept in LM begin
// while it runs (-1: none, the whole LM is scratch).
struct EmittedUnit {
  int first_layer = 0;
  int64_t lm_limit = -1;
};

struct PrefetchStats {
  int relocated_units = 0, hoisted_loads = 0;
  int64_t cycles_before = 0, cycles_after = 0;
};

// Rewrites `program` in place (kept only if the cost model's total does not grow).
llvm::Expected<PrefetchStats> prefetchAcrossUnits(device::Program &program,
                                                  const std::vector<EmittedUnit> &units, int64_t lmBytes);

}  // namespace pfcomp::lowering
