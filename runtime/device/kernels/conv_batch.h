// A conv2d instruction for all its PEs at once (PreparedKernel::runBatch). PEs whose input
// window is the same (one spatial tile, different output channels) share one im2col of it; a
// register-blocked matrix product then runs over all their output-channel rows together, so
// each input value loaded serves up to a dozen rows instead of one or two.
#pragma once

#include "runtime/device/kernels/conv_f32.h"
#include "runtime/device/kernels/kernel.h"

#include <cstdint>

namespace pfcomp::device::kernels {

// Per PE p: x[p] = its window (laid out as `x`), w[p] = its weights (taps contiguous, output
// channels wStride floats apart). out gets per PE its CO x OH x OW sums, back to back. N = 1.
void convBatchF32(const ConvGeometry &g, const ConvInputLayout &x, int64_t wStride, int64_t n,
                  const float *const *xs, const float *const *ws, float *out,
                  PreparedKernel::ParallelFor parallel);

}  // namespace pfcomp::device::kernels
