// One scheduling unit emitted as `emit` builds it, shared by emit and by the schedulers that
// cost candidate programs (annealing, beam, L1Merge) so all of them build the same program.
#pragma once

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/layer_plan.h"
#include "compiler/lowering/lm_residency.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace pfcomp::lowering {

// A host call, a chain (or a lone node reading or leaving values in LM) or a lone node. Every
// unit's scratch LM stays below the values kept in LM while it runs, also when it uses none
// of them itself. Returns the next free tag.
llvm::Expected<int> emitUnit(const std::vector<const ir::Node *> &unit, const GraphView &graph,
                             const device::Hardware &hw, BufferTable &buffers,
                             device::Program &program, int firstTag,
                             const LmResidency &residency);

}  // namespace pfcomp::lowering
