#include "runtime/device/lm_validity.h"

#include <algorithm>

namespace pfcomp::device {

int64_t LmValidity::firstMissing(int64_t addr, int64_t size, int64_t active) const {
  if (size <= 0 || active <= 0) return -1;
  int32_t low = *std::min_element(widest_.begin() + addr, widest_.begin() + addr + size);
  return low < active ? low : -1;
}

void LmValidity::write(int64_t addr, int64_t size, int64_t active) {
  const int32_t n = static_cast<int32_t>(active);
  for (int64_t b = addr; b < addr + size; ++b) widest_[b] = std::max(widest_[b], n);
}

}  // namespace pfcomp::device
