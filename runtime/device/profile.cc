#include "runtime/device/profile.h"

namespace pfcomp::device {

std::vector<LayerTime> layerTimes(const Program &program, const Timeline &timeline) {
  std::vector<LayerTime> out(program.layers_size());
  for (int l = 0; l < program.layers_size(); ++l) {
    out[l].name = program.layers(l).name();
    out[l].op_type = program.layers(l).op_type();
    out[l].flops = program.layers(l).flops();
    out[l].start = INT64_MAX;
  }
  for (int i = 0; i < program.instrs_size(); ++i) {
    const Instr &in = program.instrs(i);
    if (in.kind() == Instr::WAIT) continue;
    LayerTime &lt = out[in.layer()];
    lt.start = std::min(lt.start, timeline.times[i].start);
    lt.end = std::max(lt.end, timeline.times[i].end);
    (in.kind() == Instr::COMPUTE ? lt.compute_cycles : lt.transfer_cycles) += in.cycles();
    ++lt.instructions;
  }
  for (LayerTime &lt : out)
    if (lt.start == INT64_MAX) lt.start = lt.end;
  return out;
}

nlohmann::json profileJson(const Program &program, const Timeline &timeline, const Hardware &hw) {
  const double usPerCycle = 1e6 / hw.clock_hz;
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerTime &lt : layerTimes(program, timeline))
    layers.push_back({{"name", lt.name},
                      {"op", lt.op_type},
                      {"start_us", lt.start * usPerCycle},
                      {"end_us", lt.end * usPerCycle},
                      {"time_us", (lt.end - lt.start) * usPerCycle},
                      {"cycles", lt.end - lt.start},
                      {"transfer_cycles", lt.transfer_cycles},
                      {"compute_cycles", lt.compute_cycles},
                      {"instructions", lt.instructions},
                      {"flops", lt.flops}});
  return {{"hardware", hw.name},
          {"clock_hz", hw.clock_hz},
          {"total_cycles", timeline.total_cycles},
          {"time_us", timeline.total_cycles * usPerCycle},
          {"dma_busy_cycles", timeline.dma_busy},
          {"pe_busy_cycles", timeline.pe_busy},
          {"layers", layers}};
}

nlohmann::json traceJson(const Program &program, const Timeline &timeline, const Hardware &hw) {
  const double usPerCycle = 1e6 / hw.clock_hz;
  enum Track { kLoad = 1, kStore = 2, kPe = 3 };
  nlohmann::json events = nlohmann::json::array();
  const std::pair<int, const char *> tracks[] = {
      {kLoad, "DMA load (DRAM>L2BM>L1BM>LM)"}, {kStore, "DMA store (LM>L1BM>L2BM>DRAM)"}, {kPe, "PE array"}};
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"args", {{"name", "gpfn3 " + hw.name}}}});
  for (const auto &[tid, name] : tracks)
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", tid}, {"args", {{"name", name}}}});
  for (int i = 0; i < program.instrs_size(); ++i) {
    const Instr &in = program.instrs(i);
    if (in.kind() == Instr::WAIT) continue;
    int tid = in.kind() == Instr::LOAD ? kLoad : in.kind() == Instr::STORE ? kStore : kPe;
    nlohmann::json args = {{"layer", program.layers(in.layer()).name()},
                           {"cycles", in.cycles()},
                           {"active_pes", in.active_pes()}};
    if (in.kind() == Instr::COMPUTE) args["kernel"] = in.kernel().op();
    else args["buffer"] = program.buffers(in.xfer().buffer()).name();
    events.push_back({{"name", program.layers(in.layer()).name()},
                      {"cat", in.kind() == Instr::COMPUTE ? "compute" : "transfer"},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", tid},
                      {"ts", timeline.times[i].start * usPerCycle},
                      {"dur", (timeline.times[i].end - timeline.times[i].start) * usPerCycle},
                      {"args", args}});
  }
  return {{"traceEvents", events}, {"displayTimeUnit", "ns"}};
}

}  // namespace pfcomp::device
