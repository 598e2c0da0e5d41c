// The reuse_consecutive scheduler: on top of the dependency order, a node that only consumes the
// node just before it (elementwise, same tiles) runs on that node's output tile while it is
// still in LM, as long as the chain fits the SRAM budget. The rest is always_from_dram.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

namespace pfcomp::sched {

// Fills schedule.groups and gives chained nodes their head's tiling. Returns the number of
// intermediate values kept in LM.
llvm::Expected<int> chainConsecutive(ir::Graph &graph, const device::Hardware &hw, int64_t lmBudget);

}  // namespace pfcomp::sched
