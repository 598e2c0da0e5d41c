#include "compiler/sim/node_simulator.h"

#include "compiler/ir/dtype.h"
#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/plan_node.h"
#include "runtime/device/cost_model.h"

#include <cmath>

namespace pfcomp::sim {

llvm::Expected<ir::NodeCost> simulateNode(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw) {
  device::Program scratch;
  lowering::BufferTable buffers(graph, scratch);
  auto tag = lowering::emitNode(node, graph, hw, buffers, scratch, 0);
  if (!tag) return tag.takeError();
  device::Timeline timeline = device::computeTimeline(scratch);
  ir::NodeCost cost;
  cost.set_cycles(timeline.total_cycles);
  cost.set_compute_cycles(timeline.pe_busy);
  cost.set_transfer_cycles(timeline.dma_busy);
  double flops = 0;
  for (const auto &l : scratch.layers()) flops += l.flops();
  cost.set_flops(flops);
  int64_t dram = 0;
  for (const auto &in : scratch.instrs())
    for (const auto &hop : in.xfer().hops())
      if (hop.from() == "DRAM" || hop.to() == "DRAM") dram += hop.bytes();
  cost.set_dram_bytes(dram);
  cost.set_method("simulated");
  return cost;
}

llvm::Expected<ir::NodeCost> estimateNode(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw) {
  ir::NodeCost cost;
  cost.set_method("analytic");
  auto layers = lowering::planNode(node, graph, {});
  if (!layers) return layers.takeError();
  double flops = 0, bytes = 0;
  for (const auto &l : *layers) {
    flops += l.flops;
    for (const auto &in : l.inputs) bytes += ir::numElements(graph.value(in.value).shape());
    bytes += ir::numElements(graph.value(l.output.value).shape());
  }
  bytes *= layers->empty() ? 0 : ir::dtypeSize(graph.value(node.outputs(0)).dtype());
  double peak = hw.mabs() * (graph.value(node.outputs(0)).dtype() == ir::F64   ? hw.flop_per_mab_cycle_f64
                             : graph.value(node.outputs(0)).dtype() == ir::F16 ? hw.flop_per_mab_cycle_f16
                                                                               : hw.flop_per_mab_cycle_f32);
  int64_t compute = static_cast<int64_t>(std::ceil(flops / peak));
  int64_t transfer = static_cast<int64_t>(std::ceil(bytes / (hw.bw_dram_per_group * hw.groups)));
  cost.set_compute_cycles(compute);
  cost.set_transfer_cycles(transfer);
  cost.set_cycles(layers->empty() ? 0 : compute + transfer + hw.transfer_latency);
  cost.set_flops(flops);
  cost.set_dram_bytes(static_cast<int64_t>(bytes));
  return cost;
}

}  // namespace pfcomp::sim
