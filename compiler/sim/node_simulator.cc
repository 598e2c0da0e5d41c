#include "compiler/sim/node_simulator.h"

#include "compiler/ir/dtype.h"
#include "compiler/lowering/node_cost.h"
#include "compiler/lowering/plan_node.h"
#include "runtime/device/cost_model.h"

#include <cmath>

namespace pfcomp::sim {

llvm::Expected<ir::NodeCost> simulateNode(const ir::Node &node, const lowering::GraphView &graph,
                                          const device::Hardware &hw) {
  auto program = lowering::costNode(node, graph, hw);
  if (!program) return program.takeError();
  ir::NodeCost cost;
  cost.set_cycles(program->timeline.total_cycles);
  cost.set_compute_cycles(program->timeline.pe_busy);
  cost.set_transfer_cycles(program->timeline.dma_busy);
  cost.set_flops(program->flops);
  cost.set_dram_bytes(program->dram_bytes);
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
