#include "runtime/host/fourier.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace pfcomp::host {

namespace {
constexpr double kPi = 3.14159265358979323846;
bool isPowerOfTwo(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }
}  // namespace

Fourier::Fourier(int64_t length) : length_(length), cos_(length), sin_(length) {
  for (int64_t w = 0; w < length; ++w) {
    cos_[w] = std::cos(2 * kPi * w / length);
    sin_[w] = std::sin(2 * kPi * w / length);
  }
}

void Fourier::transform(const std::vector<double> &in, int64_t n, int64_t bins, bool inverse,
                        double *out) {
  const int64_t len = length_, used = std::min(n, len);
  const double sign = inverse ? 1 : -1, scale = inverse ? 1.0 / len : 1.0;
  if (!isPowerOfTwo(len)) {
    for (int64_t k = 0; k < bins; ++k) {
      double re = 0, im = 0;
      for (int64_t t = 0; t < used; ++t) {
        const int64_t w = (k * t) % len;
        const double c = cos_[w], s = sign * sin_[w], xr = in[2 * t], xi = in[2 * t + 1];
        re += xr * c - xi * s;
        im += xr * s + xi * c;
      }
      out[2 * k] = re * scale;
      out[2 * k + 1] = im * scale;
    }
    return;
  }
  // Iterative radix-2: bit-reversed load, then butterflies of growing span.
  work_.assign(2 * len, 0);
  int bits = 0;
  while ((int64_t{1} << bits) < len) ++bits;
  for (int64_t t = 0; t < used; ++t) {
    int64_t r = 0;
    for (int b = 0; b < bits; ++b) r |= ((t >> b) & 1) << (bits - 1 - b);
    work_[2 * r] = in[2 * t];
    work_[2 * r + 1] = in[2 * t + 1];
  }
  for (int64_t span = 2; span <= len; span *= 2) {
    const int64_t half = span / 2, stride = len / span;
    for (int64_t start = 0; start < len; start += span)
      for (int64_t j = 0; j < half; ++j) {
        const double c = cos_[j * stride], s = sign * sin_[j * stride];
        double *a = &work_[2 * (start + j)], *b = &work_[2 * (start + j + half)];
        const double br = b[0] * c - b[1] * s, bi = b[0] * s + b[1] * c;
        b[0] = a[0] - br;
        b[1] = a[1] - bi;
        a[0] += br;
        a[1] += bi;
      }
  }
  for (int64_t k = 0; k < 2 * bins; ++k) out[k] = work_[k] * scale;
}

}  // namespace pfcomp::host
