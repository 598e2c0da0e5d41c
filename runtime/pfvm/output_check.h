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
  // NaN or infinity where the reference has a finite value (fp16 overflow, say): counted in
  // `mismatches` too, and not in the maxima, which cannot hold them.
  int64_t nonfinite = 0;
  std::string problem;  // shape / dtype mismatch, empty otherwise
};

CheckResult checkTensor(const HostTensor &actual, const HostTensor &expected, double rtol, double atol);

}  // namespace pfcomp::runtime
