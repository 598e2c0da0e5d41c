// Discrete Fourier transforms of one length, in double precision: radix-2 FFT for powers of
// two, a direct sum over the twiddle table otherwise.
#pragma once

#include <cstdint>
#include <vector>

namespace pfcomp::host {

class Fourier {
public:
  explicit Fourier(int64_t length);
  // The first `bins` of the length-L transform of `n` complex samples (re, im pairs; zero-padded
  // or truncated to L) into `out`. The inverse transform is scaled by 1/L.
  void transform(const std::vector<double> &in, int64_t n, int64_t bins, bool inverse, double *out);

private:
  int64_t length_;
  std::vector<double> cos_, sin_;  // e^{-2 pi i w / L} = cos_[w] - i sin_[w]
  std::vector<double> work_;       // FFT buffer: L complex values
};

}  // namespace pfcomp::host
