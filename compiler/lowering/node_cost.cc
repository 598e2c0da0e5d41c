#include "compiler/lowering/node_cost.h"

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/instr_gen.h"

namespace pfcomp::lowering {

llvm::Expected<NodeProgramCost> costNode(const ir::Node &node, const GraphView &graph,
                                         const device::Hardware &hw) {
  device::Program scratch;
  BufferTable buffers(graph, scratch);
  auto tag = emitNode(node, graph, hw, buffers, scratch, 0);
  if (!tag) return tag.takeError();
  NodeProgramCost cost;
  cost.timeline = device::computeTimeline(scratch);
  for (const auto &l : scratch.layers()) cost.flops += l.flops();
  for (const auto &in : scratch.instrs())
    for (const auto &hop : in.xfer().hops())
      if (hop.from() == "DRAM" || hop.to() == "DRAM") cost.dram_bytes += hop.bytes();
  cost.instructions = scratch.instrs_size();
  return cost;
}

}  // namespace pfcomp::lowering
