// Direct 2-D convolution of one PE's fp32 NCHW tiles with AVX2 register blocking: a block of
// output rows (8 columns per vector) of up to four output channels stays in registers while
// the reduction runs over every (channel, kh, kw) tap, each tap loading its input rows once
// and broadcasting one weight per output channel. No im2col: the tiles are small, so copying
// the input per tap would cost as much as the multiply-adds.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <vector>

namespace pfcomp::device::kernels {

struct ConvGeometry {
  int64_t n = 1, c = 1, ih = 1, iw = 1;  // X[N, C, IH, IW]
  int64_t co = 1, kh = 1, kw = 1;        // W[CO, C, KH, KW]
  int64_t oh = 1, ow = 1;                // Y[N, CO, OH, OW]
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
};

// Where X's elements are: element (n, c, h, w) at n * batch + c * channel + h * row + w. The
// tile in LM is dense; a view into DRAM has the buffer's strides.
struct ConvInputLayout {
  int64_t batch = 0, channel = 0, row = 0;
  bool bounded = true;  // nothing readable past the tile's last element (LM): mask the tail loads
};

class DirectConvF32 {
 public:
  // wide: pairs of row vectors in AVX-512 registers where the CPU has them (the same sums to
  // the bit); false keeps to AVX2 (tests compare the two).
  DirectConvF32(const ConvGeometry &g, const ConvInputLayout &x, bool wide = true);
  // Y = conv(X, W), or Y += conv(X, W) when accumulating (a reduction chunk after the first).
  // W's (c, kh, kw) taps are contiguous per output channel, `wStride` floats apart.
  void run(const float *x, const float *w, int64_t wStride, float *y, bool accumulate) const;

  // PEs that are neighbours along the output rows (PE i's X at x + i * OW * SW, one W): with
  // output rows of at most 8 columns per PE, stride 1 or 2 and no masked taps, each output row
  // of theirs runs as one wide row, 16 columns per AVX-512 vector, each column with its own
  // PE's partial sums (the same bits as run()). PE i's Y at ys[i].
  bool joinsRows() const;
  void runRow(const float *x, int64_t pes, const float *w, int64_t wStride, float *const *ys, bool accumulate) const;

 private:
  // A block of output channels [co, co + cb) times output row vectors [row, row + r).
  // A block's multiply-adds over a range of taps (conv_f32.cc: convMicro and its AVX-512 form).
  using Micro = void (*)(const float *, const int32_t *, int64_t, int64_t, const float *, int64_t,
                         const int32_t *, const __m256i *, __m256 *);
  struct Block {
    int cb = 1, r = 1;
    int64_t co = 0, row = 0;
    int64_t safeTaps = 0;  // taps whose full-width row loads stay inside the input tile
    bool contiguous = true;  // row vectors 2q + 1 start where 2q's columns end (AVX-512 pairs)
    int64_t masks = 0;       // its 2 * r load masks in masks_
    Micro plain = nullptr, masked = nullptr;  // its micro-kernels (taps below / from safeTaps)
  };
  void splitPhases(const float *src, float *dst) const;

  ConvGeometry g_;
  ConvInputLayout x_;
  bool wide_ = true;
  bool split_ = false;               // sw > 2: columns are first split into sw phases
  int64_t loadStride_ = 1;           // input columns between neighbouring output columns as loaded
  int64_t jmax_ = 0;                 // columns per phase
  int64_t splitFloats_ = 0;          // floats of the phase-split copy of one image
  std::vector<int32_t> taps_;        // per (c, kh, kw): input offset of the tap
  std::vector<int32_t> rowOff_;      // per output row vector (oh, 8-column group): input offset
  std::vector<int32_t> rowLanes_;    // its valid columns (1..8)
  std::vector<int32_t> rowOut_;      // its output offset within one channel
  std::vector<Block> blocks_;
  std::vector<int32_t> masks_;  // per block, per row vector: the lanes of its two column loads
};

}  // namespace pfcomp::device::kernels
