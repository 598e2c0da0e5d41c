// Which LM bytes a segment takes from before it and leaves for after it. The emulator runs a
// segment's PEs on a small per-thread scratch LM (hot in the cache, no page faults) and moves
// only these bytes between the scratch and the device's LM: a tile produced and consumed inside
// one segment (conv output -> bias -> relu -> store) never touches device LM at all.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace pfcomp::device {

using LmSpan = std::pair<int64_t, int64_t>;  // LM bytes [first, second)

// One instruction's LM footprint, the same on each of PEs [0, active).
struct InstrLm {
  int64_t active = 0;
  std::vector<LmSpan> reads, writes;
};

struct SegmentLm {
  std::vector<LmSpan> copyIn;   // read in the segment before written in it (and copyOut's bytes)
  std::vector<LmSpan> copyOut;  // written in the segment and maybe read after it
};

// `segments` are [begin, end) instruction ranges covering `instrs` in order.
std::vector<SegmentLm> planSegmentLm(const std::vector<InstrLm> &instrs,
                                     const std::vector<std::pair<int, int>> &segments, int64_t lmBytes);

}  // namespace pfcomp::device
