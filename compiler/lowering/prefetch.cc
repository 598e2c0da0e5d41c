#include "compiler/lowering/prefetch.h"

#include "runtime/device/cost_model.h"
#include "runtime/device/kernels/kernel.h"

#include <algorithm>
#include <set>

namespace pfcomp::lowering {
namespace {

using Range = std::pair<int64_t, int64_t>;  // [begin, end)

int64_t align64(int64_t v) { return (v + 63) / 64 * 64; }

bool overlaps(const Range &a, const Range &b) { return a.first < b.second && b.first < a.second; }

Range lmRange(const device::Program &p, const device::Instr &in) {
  const device::Transfer &x = in.xfer();
  int64_t n = 1;
  for (const auto &a : x.axes()) n *= a.size();
  device::DType t = x.lm_dtype() != device::DT_UNDEFINED ? x.lm_dtype() : p.buffers(x.buffer()).dtype();
  return {x.lm_addr(), x.lm_addr() + n * device::dtypeBytes(t)};
}

Range dramRange(const device::Program &p, const device::Instr &in) {
  const device::Buffer &b = p.buffers(in.xfer().buffer());
  return {b.dram_offset(), b.dram_offset() + b.bytes()};
}

bool indirect(const device::Instr &in) {
  for (const auto &a : in.xfer().axes())
    if (a.indirect()) return true;
  return false;
}

// LM byte ranges an instruction reads or writes.
llvm::Expected<std::vector<Range>> lmTouched(const device::Program &p, const device::Instr &in) {
  switch (in.kind()) {
    case device::Instr::LOAD:
    case device::Instr::STORE: return std::vector<Range>{lmRange(p, in)};
    case device::Instr::COMPUTE: {
      auto k = device::prepareKernel(in.kernel());
      if (!k) return k.takeError();
      std::vector<Range> r;
      for (auto [a, n] : (*k)->reads) r.push_back({a, a + n});
      for (auto [a, n] : (*k)->writes) r.push_back({a, a + n});
      return r;
    }
    default: return std::vector<Range>{};
  }
}

// Moves the scratch addresses (below `limit`) of one instruction up by `by`.
void relocate(device::Instr &in, int64_t by, int64_t limit) {
  auto move = [&](int64_t a) { return a < limit ? a + by : a; };
  if (in.kind() == device::Instr::LOAD || in.kind() == device::Instr::STORE) {
    device::Transfer &x = *in.mutable_xfer();
    x.set_lm_addr(move(x.lm_addr()));
    for (auto &a : *x.mutable_axes())
      if (a.indirect()) a.set_indirect_lm_addr(move(a.indirect_lm_addr()));
  } else if (in.kind() == device::Instr::COMPUTE) {
    for (auto &a : *in.mutable_kernel()->mutable_addrs()) a = move(a);
  }
}

}  // namespace

llvm::Expected<PrefetchStats> prefetchAcrossUnits(device::Program &program,
                                                  const std::vector<EmittedUnit> &units, int64_t lmBytes) {
  PrefetchStats stats;
  stats.cycles_before = device::computeTimeline(program).total_cycles;
  device::Program original = program;
  const int n = program.instrs_size();
  std::vector<int> unitOf(program.layers_size(), 0);
  for (size_t u = 0; u < units.size(); ++u)
    for (int l = units[u].first_layer; l < program.layers_size(); ++l) unitOf[l] = u;

  // 1. Alternate scratch: unit u's scratch [0, end) moves to `base` when it fits under its limit.
  std::vector<int64_t> scratchEnd(units.size(), 0);
  for (int i = 0; i < n; ++i) {
    const device::Instr &in = program.instrs(i);
    size_t u = unitOf[in.layer()];
    int64_t limit = units[u].lm_limit >= 0 ? units[u].lm_limit : lmBytes;
    auto touched = lmTouched(program, in);
    if (!touched) return touched.takeError();
    for (const Range &r : *touched)
      if (r.first < limit) scratchEnd[u] = std::max(scratchEnd[u], r.second);
  }
  std::vector<int64_t> base(units.size(), 0);
  for (size_t u = 1; u < units.size(); ++u) {
    int64_t room = units[u].lm_limit >= 0 ? units[u].lm_limit : lmBytes;
    int64_t prevBase = base[u - 1], prevEnd = base[u - 1] + scratchEnd[u - 1];
    if (prevBase >= scratchEnd[u]) continue;  // fits below the previous unit's scratch
    int64_t b = align64(prevEnd);
    if (b + scratchEnd[u] <= room) base[u] = b;
  }
  for (int i = 0; i < n; ++i) {
    device::Instr &in = *program.mutable_instrs(i);
    size_t u = unitOf[in.layer()];
    if (base[u] > 0) relocate(in, base[u], units[u].lm_limit >= 0 ? units[u].lm_limit : lmBytes);
  }
  for (size_t u = 0; u < units.size(); ++u) {
    stats.relocated_units += base[u] > 0;
    program.set_lm_bytes(std::max(program.lm_bytes(), base[u] + scratchEnd[u]));
  }

  // 2. Hoist loads over what they do not conflict with.
  std::vector<device::Instr> out;
  std::vector<std::vector<Range>> touched;
  out.reserve(n);
  constexpr int kMaxDistance = 256;  // bounds the search on long programs
  for (int i = 0; i < n; ++i) {
    const device::Instr &in = program.instrs(i);
    auto t = lmTouched(program, in);
    if (!t) return t.takeError();
    size_t pos = out.size();
    if (in.kind() == device::Instr::LOAD && !indirect(in)) {
      const Range lm = lmRange(program, in), dram = dramRange(program, in);
      std::vector<size_t> waits;           // WAITs passed, nearest first
      std::set<int> laterComputes;         // tags of the COMPUTEs passed
      for (int walked = 0; pos > 0 && walked < kMaxDistance; ++walked) {
        const device::Instr &x = out[pos - 1];
        // Loads keep their order; nothing moves across a host call (it writes DRAM the device reads).
        if (x.kind() == device::Instr::LOAD || x.kind() == device::Instr::HOST) break;
        if (x.kind() == device::Instr::STORE && overlaps(dramRange(program, x), dram)) break;
        if (llvm::any_of(touched[pos - 1], [&](const Range &r) { return overlaps(r, lm); })) {
          // A COMPUTE using these LM bytes must be done before the load starts: stay behind the
          // first WAIT passed that covers it (the PE queue is in order, so a WAIT on any later
          // compute does), or do not move at all.
          if (x.kind() == device::Instr::COMPUTE) {
            laterComputes.insert(x.tag());
            size_t behind = out.size();
            for (auto w = waits.rbegin(); w != waits.rend(); ++w)
              if (llvm::any_of(out[*w].wait_tags(), [&](int t) { return laterComputes.count(t) > 0; })) {
                behind = *w + 1;
                break;
              }
            pos = behind;
          }
          break;
        }
        if (x.kind() == device::Instr::WAIT) waits.push_back(pos - 1);
        if (x.kind() == device::Instr::COMPUTE) laterComputes.insert(x.tag());
        --pos;
      }
      if (pos != out.size()) ++stats.hoisted_loads;
    }
    out.insert(out.begin() + pos, in);
    touched.insert(touched.begin() + pos, std::move(*t));
  }
  program.mutable_instrs()->Clear();
  for (auto &in : out) *program.add_instrs() = std::move(in);
  stats.cycles_after = device::computeTimeline(program).total_cycles;
  if (stats.cycles_after > stats.cycles_before) {
    program = std::move(original);
    stats.cycles_after = stats.cycles_before;
    stats.hoisted_loads = stats.relocated_units = 0;
  }
  return stats;
}

}  // namespace pfcomp::lowering
