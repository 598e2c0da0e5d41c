// --check: comparing outputs with reference tensors, numpy.allclose style:
// |actual - expected| <= atol + rtol * |expected|.
#pragma once

#include "runtime/api/tensor_file.h"

#include <string>

namespace pfcomp::runtime {

struct CheckResult {
  bool pass = false;
  double max_abs = 0, max_rel = 0;
  int64_t mismatches = 0;
  std::string problem;  // shape / dtype mismatch, empty otherwise
};

CheckResult checkTensor(const HostTensor &actual, const HostTensor &expected, double rtol, double atol);

}  // namespace pfcomp::runtime
