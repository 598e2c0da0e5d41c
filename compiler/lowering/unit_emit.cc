#include "compiler/lowering/unit_emit.h"

#include "compiler/lowering/chain.h"
#include "compiler/lowering/host_call.h"
#include "compiler/lowering/instr_gen.h"

namespace pfcomp::lowering {

llvm::Expected<int> emitUnit(const std::vector<const ir::Node *> &unit, const GraphView &graph,
                             const device::Hardware &hw, BufferTable &buffers,
                             device::Program &program, int firstTag,
                             const LmResidency &residency) {
  if (unit.front()->on_host())
    return emitHostCall(*unit.front(), graph, hw, buffers, program, firstTag);
  if (unit.size() > 1 || residency.involves(unit))
    return emitNodeChain(unit, graph, hw, buffers, program, firstTag, &residency);
  return emitNode(*unit.front(), graph, hw, buffers, program, firstTag,
                  residency.scratchLimit(unit));
}

}  // namespace pfcomp::lowering
