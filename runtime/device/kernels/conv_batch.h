// A conv2d instruction for all its PEs at once (PreparedKernel::runBatch). PEs whose input
// window is the same (one spatial tile, different output channels) share one im2col of it; a
// register-blocked matrix product then runs over all their output-channel rows together, so
// each input value loaded serves up to a dozen rows instead of one or two.
#pragma once

#include "runtime/device/kernels/conv_f32.h"
#include "runtime/device/kernels/kernel.h"

#include <cstdint>
#include <vector>

namespace pfcomp::device::kernels {

// The PEs of a batch grouped by input window (each group shares one im2col): `order` lists
// them by window, group g is order[start[g] .. start[g + 1]). The windows are the same every
// run, so this is found once.
struct ConvBatchGroups {
  std::vector<int64_t> order, start;
};
ConvBatchGroups groupByWindow(int64_t n, const float *const *xs);

// Per PE p: x[p] = its window (laid out as `x`), w[p] = its weights (taps contiguous, output
// channels wStride floats apart). out gets per PE its CO x OH x OW sums, back to back. N = 1.
void convBatchF32(const ConvGeometry &g, const ConvInputLayout &x, int64_t wStride, const float *const *xs,
                  const float *const *ws, const ConvBatchGroups &groups, float *out,
                  PreparedKernel::ParallelFor parallel);

}  // namespace pfcomp::device::kernels
