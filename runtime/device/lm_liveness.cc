#include "runtime/device/lm_liveness.h"

#include <algorithm>

namespace pfcomp::device {
namespace {

// Runs of bytes in [lo, hi) where keep(b) holds.
template <typename Keep>
std::vector<LmSpan> spans(int64_t lo, int64_t hi, Keep keep) {
  std::vector<LmSpan> out;
  for (int64_t b = lo; b < hi;) {
    if (!keep(b)) {
      ++b;
      continue;
    }
    int64_t e = b;
    while (e < hi && keep(e)) ++e;
    out.push_back({b, e});
    b = e;
  }
  return out;
}

}  // namespace

// Backwards over the program, per LM byte: the PEs below live[b] read it later, before a write
// that covers them. A write with fewer PEs than that leaves it live (conservative).
std::vector<SegmentLm> planSegmentLm(const std::vector<InstrLm> &instrs,
                                     const std::vector<std::pair<int, int>> &segments, int64_t lmBytes) {
  std::vector<SegmentLm> out(segments.size());
  std::vector<int64_t> live(lmBytes, 0);
  std::vector<char> written(lmBytes, 0), touched(lmBytes, 0);
  for (int s = static_cast<int>(segments.size()) - 1; s >= 0; --s) {
    const auto [begin, end] = segments[s];
    int64_t lo = lmBytes, hi = 0;
    for (int i = begin; i < end; ++i)
      for (const auto *ranges : {&instrs[i].reads, &instrs[i].writes})
        for (auto [a, e] : *ranges) {
          lo = std::min(lo, a), hi = std::max(hi, e);
          for (int64_t b = a; b < e; ++b) touched[b] = 1;
          if (ranges == &instrs[i].writes)
            for (int64_t b = a; b < e; ++b) written[b] = 1;
        }
    if (lo >= hi) continue;
    out[s].copyOut = spans(lo, hi, [&](int64_t b) { return written[b] && live[b] > 0; });
    for (int i = end - 1; i >= begin; --i) {
      const int64_t active = instrs[i].active;
      for (auto [a, e] : instrs[i].writes)
        for (int64_t b = a; b < e; ++b)
          if (active >= live[b]) live[b] = 0;
      for (auto [a, e] : instrs[i].reads)
        for (int64_t b = a; b < e; ++b) live[b] = std::max(live[b], active);
    }
    // What the segment reads from before it, and whatever it may hand on (so that PEs an
    // instruction skips hand on what they had).
    for (const LmSpan &o : out[s].copyOut)
      for (int64_t b = o.first; b < o.second; ++b) touched[b] = 2;
    out[s].copyIn = spans(lo, hi, [&](int64_t b) { return touched[b] == 2 || (touched[b] && live[b] > 0); });
    std::fill(touched.begin() + lo, touched.begin() + hi, 0);
    std::fill(written.begin() + lo, written.begin() + hi, 0);
  }
  return out;
}

}  // namespace pfcomp::device
