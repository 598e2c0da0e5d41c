// LM validity of the checked mode, decided when the program is loaded: which LM bytes of which
// PE hold data before each instruction. Every instruction touches the same LM range on PEs
// [0, active_pes), so PE p holds byte b exactly when an earlier write of b had active_pes > p:
// one "widest write" count per LM byte stands for all PEs, and the outcome does not depend on
// the data, only on the program.
#pragma once

#include <cstdint>
#include <vector>

namespace pfcomp::device {

class LmValidity {
 public:
  explicit LmValidity(int64_t lmBytes) : widest_(lmBytes, 0) {}
  // The lowest PE below `active` that lacks a byte of [addr, addr + size), or -1 when all hold it.
  int64_t firstMissing(int64_t addr, int64_t size, int64_t active) const;
  void write(int64_t addr, int64_t size, int64_t active);

 private:
  std::vector<int32_t> widest_;  // per LM byte: the most PEs an earlier write covered
};

}  // namespace pfcomp::device
