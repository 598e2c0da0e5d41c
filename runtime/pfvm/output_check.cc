#include "runtime/pfvm/output_check.h"

#include "runtime/device/element_convert.h"

#include <cmath>

namespace pfcomp::runtime {

CheckResult checkTensor(const HostTensor &actual, const HostTensor &expected, double rtol, double atol) {
  CheckResult r;
  // Same dims, not only the same count: a transposed or mis-ranked result is wrong too.
  if (actual.dims != expected.dims) {
    r.problem = "shape " + actual.shapeText() + " vs expected " + expected.shapeText();
    return r;
  }
  std::vector<double> a(actual.elements()), e(expected.elements());
  if (!device::convertElements(actual.dtype, actual.bytes.data(), device::F64, a.data(), a.size()) ||
      !device::convertElements(expected.dtype, expected.bytes.data(), device::F64, e.data(), e.size())) {
    r.problem = "cannot compare " + dtypeText(actual.dtype) + " with " + dtypeText(expected.dtype);
    return r;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    double diff = std::fabs(a[i] - e[i]);
    if (std::isnan(a[i]) && std::isnan(e[i])) continue;  // NaN where NaN is expected
    if (std::isinf(a[i]) && a[i] == e[i]) continue;  // the same infinity (rtol * inf is NaN)
    if (!std::isfinite(a[i]) && std::isfinite(e[i])) {
      ++r.nonfinite, ++r.mismatches;
      continue;
    }
    r.max_abs = std::max(r.max_abs, diff);
    if (e[i] != 0) r.max_rel = std::max(r.max_rel, diff / std::fabs(e[i]));
    if (!(diff <= atol + rtol * std::fabs(e[i]))) ++r.mismatches;
  }
  r.pass = r.mismatches == 0;
  return r;
}

}  // namespace pfcomp::runtime
