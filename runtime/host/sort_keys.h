// Ordering keys for the sorting ops (TopK, Unique): elements as doubles (float types) or as
// order-preserving int64s (integer types), with one total order in which NaN sorts last.
#pragma once

#include "runtime/host/tensor_access.h"

#include <cmath>

namespace pfcomp::host {

// Calls fn(keys) with a std::vector<double> or std::vector<int64_t> of all of t's elements.
template <typename Fn> auto withSortKeys(const Tensor &t, Fn fn) {
  const int64_t n = t.elements();
  if (isFloatType(t.dtype)) {
    std::vector<double> keys(n);
    for (int64_t i = 0; i < n; ++i) keys[i] = loadF(t, i);
    return fn(keys);
  }
  std::vector<int64_t> keys(n);
  for (int64_t i = 0; i < n; ++i) keys[i] = orderKeyI(t, i);
  return fn(keys);
}

inline bool keyLess(double a, double b) { return !std::isnan(a) && (std::isnan(b) || a < b); }
inline bool keyLess(int64_t a, int64_t b) { return a < b; }

}  // namespace pfcomp::host
