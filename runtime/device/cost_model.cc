#include "runtime/device/cost_model.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace pfcomp::device {
namespace {

int64_t ceilDiv(double a, double b) { return static_cast<int64_t>(std::ceil(a / b)); }

}  // namespace

std::vector<Hop> transferHops(const Hardware &hw, int64_t bytesPerPe, const WindowSpread &spread,
                              bool load) {
  // Each level's links work in parallel, so the busiest one sets that leg's time; the legs are
  // pipelined, so the slowest leg sets the transfer's.
  struct Level { const char *upper, *lower; int64_t busiest, total; double bw; };
  const Level levels[] = {
      {"DRAM", "L2BM", spread.per_group, spread.total, hw.bw_dram_per_group},
      {"L2BM", "L1BM", spread.per_l2b, spread.total, hw.bw_group_to_l2b},
      {"L1BM", "LM", spread.per_l1b, spread.total, hw.bw_l2b_to_l1b},
      {"LM", "PE", 1, spread.total, hw.bw_l1b_to_pe},
  };
  std::vector<Hop> hops;
  for (const Level &level : levels) {
    Hop hop;
    hop.set_from(load ? level.upper : level.lower);
    hop.set_to(load ? level.lower : level.upper);
    hop.set_bytes(bytesPerPe * level.total);
    hop.set_cycles(ceilDiv(static_cast<double>(bytesPerPe * level.busiest), level.bw));
    hops.push_back(hop);
  }
  if (!load) std::reverse(hops.begin(), hops.end());
  return hops;
}

std::vector<Hop> l1bmTransferHops(const Hardware &hw, int64_t bytesPerPe, const WindowSpread &spread,
                                  bool load) {
  std::vector<Hop> all = transferHops(hw, bytesPerPe, spread, load);
  std::vector<Hop> hops;
  for (const Hop &h : all)
    if (h.from() != "DRAM" && h.to() != "DRAM" && h.from() != "L2BM" && h.to() != "L2BM") hops.push_back(h);
  return hops;
}

int64_t transferCycles(const Hardware &hw, const std::vector<Hop> &hops) {
  // The legs are pipelined: the slowest one sets the pace.
  int64_t slowest = 0;
  for (const Hop &hop : hops) slowest = std::max(slowest, hop.cycles());
  return slowest + hw.transfer_latency;
}

int64_t computeCycles(const Hardware &hw, DType dtype, const KernelWork &work) {
  double mauPerPe, vecPerPe;
  // Integer tiles have no entry of their own in the descriptor: 64-bit lanes go at the f64 rate,
  // narrower ones at the f32 rate (not credited with packing 8- / 16-bit lanes).
  switch (dtype) {
    case F64: case I64: case U64:
      mauPerPe = hw.flop_per_mab_cycle_f64; vecPerPe = hw.vec_per_pe_cycle_f64; break;
    case F16: mauPerPe = hw.flop_per_mab_cycle_f16; vecPerPe = hw.vec_per_pe_cycle_f16; break;
    default: mauPerPe = hw.flop_per_mab_cycle_f32; vecPerPe = hw.vec_per_pe_cycle_f32; break;
  }
  mauPerPe /= hw.pe_per_mab;
  return ceilDiv(work.mau_flops, mauPerPe) + ceilDiv(work.vector_ops, vecPerPe) +
         hw.compute_latency;
}

int64_t hostLinkCycles(const Hardware &hw, int64_t linkBytes) {
  return hw.host_link_latency + static_cast<int64_t>(std::ceil(linkBytes / hw.bw_host_link));
}

Timeline computeTimeline(const Program &program) {
  Timeline t;
  t.times.resize(program.instrs_size());
  std::unordered_map<int, int64_t> tagDone;
  int64_t issue = 0, dmaFree = 0, peFree = 0;
  for (int i = 0; i < program.instrs_size(); ++i) {
    const Instr &in = program.instrs(i);
    InstrTime &time = t.times[i];
    switch (in.kind()) {
      case Instr::LOAD:
      case Instr::STORE:
        time.start = std::max(issue, dmaFree);
        time.end = time.start + in.cycles();
        dmaFree = time.end - in.latency();  // the queue pipelines start-up latency
        t.dma_busy += in.cycles() - in.latency();
        break;
      case Instr::COMPUTE:
        time.start = std::max(issue, peFree);
        time.end = time.start + in.cycles();
        peFree = time.end;
        t.pe_busy += in.cycles();
        break;
      case Instr::WAIT:
        for (int tag : in.wait_tags()) issue = std::max(issue, tagDone[tag]);
        time.start = time.end = issue;
        break;
      case Instr::HOST:
        // The host reads what the device wrote: it starts when both engines are idle, and
        // nothing after it issues before it ends.
        time.start = std::max({issue, dmaFree, peFree, t.total_cycles});
        time.end = time.start + in.cycles();
        issue = dmaFree = peFree = time.end;
        t.host_busy += in.cycles();
        break;
      default: break;
    }
    if (in.kind() != Instr::WAIT) tagDone[in.tag()] = time.end;
    t.total_cycles = std::max(t.total_cycles, time.end);
  }
  return t;
}

}  // namespace pfcomp::device
