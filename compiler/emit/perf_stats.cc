#include "compiler/emit/perf_stats.h"

#include "compiler/ir/dtype.h"
#include "runtime/device/profile.h"

#include <algorithm>
#include <climits>
#include <map>

namespace pfcomp::emit {

nlohmann::json perfStats(const ir::Graph &graph, const device::Program &program,
                         const device::Timeline &timeline, const device::Hardware &hw) {
  const double usPerCycle = 1e6 / hw.clock_hz;
  // Device layers are named after their node, with "#k" for a node's k-th part.
  std::map<std::string, int64_t> nodeCycles;
  std::map<std::string, double> nodeFlops;
  for (const device::LayerTime &lt : device::layerTimes(program, timeline)) {
    std::string node = lt.name.substr(0, lt.name.find('#'));
    nodeCycles[node] += lt.end - lt.start;
    nodeFlops[node] += lt.flops;
  }
  // How the program placed each node's tiles and buffered its LM (its first device layer).
  std::map<std::string, std::string> nodePlacement;
  for (const device::Layer &l : program.layers())
    nodePlacement.emplace(l.name().substr(0, l.name().find('#')), l.placement());
  std::map<std::string, const ir::Value *> values;
  for (const ir::Value &v : graph.values()) values[v.name()] = &v;
  auto shapeOf = [&](const std::string &name) {
    nlohmann::json s = nlohmann::json::array();
    if (auto it = values.find(name); it != values.end())
      for (int64_t d : it->second->shape()) s.push_back(d);
    return s;
  };
  nlohmann::json layers = nlohmann::json::array();
  std::map<std::string, std::pair<int64_t, int64_t>> byOp;  // cycles, count
  double flops = 0;
  std::map<std::string, const ir::Node *> byName;
  for (const ir::Node &n : graph.nodes()) byName[n.name()] = &n;
  for (const std::string &name : graph.schedule().order()) {
    const ir::Node &n = *byName[name];
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto &in : n.inputs()) inputs.push_back(shapeOf(in));
    const ir::Value *out = values[n.outputs(0)];
    int64_t cycles = nodeCycles[n.name()];
    layers.push_back({{"name", n.name()},
                      {"op", n.op_type()},
                      {"inputs", inputs},
                      {"output", shapeOf(n.outputs(0))},
                      {"dtype", ir::dtypeName(out->dtype())},
                      {"layout", n.on_host() ? "host"
                                 : out->layout().text().empty() ? "alias (no data movement)" : out->layout().text()},
                      {"cycles", cycles},
                      {"time_us", cycles * usPerCycle},
                      {"flops", nodeFlops[n.name()]},
                      {"placement", nodePlacement[n.name()]}});
    byOp[n.op_type()].first += cycles;
    byOp[n.op_type()].second += 1;
    flops += nodeFlops[n.name()];
  }
  nlohmann::json stats = {{"ALL",
                           {{"cycles", timeline.total_cycles},
                            {"time_us", timeline.total_cycles * usPerCycle},
                            {"count", graph.nodes_size()}}}};
  for (const auto &[op, v] : byOp)
    stats[op] = {{"cycles", v.first}, {"time_us", v.first * usPerCycle}, {"count", v.second}};
  // Roofline lower bound: the larger of the FLOPs at the dtype's peak and the minimum DRAM
  // traffic (parameters, inputs and outputs once) at the full DRAM bandwidth.
  // Views share their bytes: count the union of the DRAM ranges once.
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const auto &b : program.buffers())
    if (b.kind() != device::Buffer::SCRATCH) ranges.push_back({b.dram_offset(), b.dram_offset() + b.bytes()});
  std::sort(ranges.begin(), ranges.end());
  double minBytes = 0;
  int64_t end = INT64_MIN;
  for (const auto &[lo, hi] : ranges) {
    if (hi > std::max(lo, end)) minBytes += hi - std::max(lo, end);
    end = std::max(end, hi);
  }
  // Compute bound: each layer's FLOPs at the peak of the type it computes in (one f64 value
  // must not hold a whole model to the f64 peak, nor one f32 layer an f16 model to f32's).
  std::vector<device::DType> layerType(program.layers_size(), device::F32);
  for (const device::Instr &in : program.instrs())
    if (in.kind() == device::Instr::COMPUTE) layerType[in.layer()] = in.kernel().dtype();
  double computeBound = 0;
  for (int l = 0; l < program.layers_size(); ++l) {
    const double perMab = layerType[l] == device::F64   ? hw.flop_per_mab_cycle_f64
                          : layerType[l] == device::F16 ? hw.flop_per_mab_cycle_f16
                                                        : hw.flop_per_mab_cycle_f32;
    computeBound += program.layers(l).flops() / (hw.mabs() * perMab);
  }
  const double peakPerCycle = computeBound > 0 ? flops / computeBound : hw.mabs() * hw.flop_per_mab_cycle_f32;
  const double memoryBound = minBytes / (hw.bw_dram_per_group * hw.groups);
  const double bound = std::max(computeBound, memoryBound);
  nlohmann::json roofline = {{"peak_flop_per_cycle", peakPerCycle},
                             {"min_dram_bytes", minBytes},
                             {"dram_bytes_per_cycle", hw.bw_dram_per_group * hw.groups},
                             {"compute_bound_cycles", computeBound},
                             {"memory_bound_cycles", memoryBound},
                             {"bound_cycles", bound},
                             {"bound_time_us", bound * usPerCycle},
                             {"bound_by", computeBound >= memoryBound ? "compute" : "memory"},
                             {"predicted_over_bound", bound > 0 ? timeline.total_cycles / bound : 0.0}};
  // Host ops: each HOST instruction with what it moves over the host link and its time.
  nlohmann::json hostOps = nlohmann::json::array();
  for (int i = 0; i < program.instrs_size(); ++i) {
    const device::Instr &in = program.instrs(i);
    if (in.kind() != device::Instr::HOST) continue;
    int64_t linkBytes = 0;
    for (auto ids : {in.host().inputs(), in.host().outputs()})
      for (int id : ids)
        if (id >= 0) linkBytes += program.buffers(id).bytes();
    hostOps.push_back({{"name", in.host().node()},
                       {"op", in.host().op()},
                       {"link_bytes", linkBytes},
                       {"link_cycles", in.host().link_cycles()},
                       {"cycles", in.cycles()},
                       {"time_us", in.cycles() * usPerCycle}});
  }
  // Bytes the transfers move over DRAM's links, and the values L1Merge kept off them.
  int64_t dramTraffic = 0;
  for (const device::Instr &in : program.instrs())
    for (const device::Hop &h : in.xfer().hops())
      if (h.from() == "DRAM" || h.to() == "DRAM") dramTraffic += h.bytes();
  nlohmann::json merged = nlohmann::json::array();
  for (const auto &m : graph.schedule().l1_merges()) merged.push_back(m.value());
  nlohmann::json l1Merges = {{"count", graph.schedule().l1_merges_size()},
                             {"values", merged},
                             {"l1bm_image_bytes", program.l1bm_image_bytes()}};
  return {{"hardware", {{"name", hw.name}, {"clock_hz", hw.clock_hz}, {"pes", hw.pes()}}},
          {"roofline", roofline},
          {"flops", flops},
          {"predicted_cycles", timeline.total_cycles},
          {"predicted_time_us", timeline.total_cycles * usPerCycle},
          {"dram_bytes", program.dram_bytes()},
          {"dram_traffic_bytes", dramTraffic},
          {"l1_merges", l1Merges},
          {"lm_bytes_per_pe", program.lm_bytes()},
          {"instructions", program.instrs_size()},
          {"layers", layers},
          {"perf_stats", stats},
          {"host_ops", hostOps}};
}

}  // namespace pfcomp::emit
