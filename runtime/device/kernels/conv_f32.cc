#include "runtime/device/kernels/conv_f32.h"

#include <immintrin.h>

#include <algorithm>

namespace pfcomp::device::kernels {
namespace {

// The first `lanes` of 8 set.
__m256i laneMask(int lanes) {
  static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(table + 8 - lanes));
}

// Row vector r of tap t: output columns 0..7 read input columns 0..7 (kSw = 1) or the even
// ones of 0..15 (kSw = 2, two loads and a shuffle), from x + taps[t] + rowOff[r]. Masked loads
// read only the columns the row's valid outputs need (masks[2r], masks[2r + 1]).
template <int kSw, bool kMasked>
inline __m256 loadRow(const float *p, const __m256i *masks) {
  if constexpr (kSw == 1) {
    return kMasked ? _mm256_maskload_ps(p, masks[0]) : _mm256_loadu_ps(p);
  } else {
    const __m256 a = kMasked ? _mm256_maskload_ps(p, masks[0]) : _mm256_loadu_ps(p);
    const __m256 b = kMasked ? _mm256_maskload_ps(p + 8, masks[1]) : _mm256_loadu_ps(p + 8);
    const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 a4 a6 b4 b6
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), 0xd8));
  }
}

// out[cb * R + r] += sum over taps t in [t0, t1) of w[cb * wStride + t] * (row vector r of tap t).
// S independent partial sums (taps t, t + 1, ... t + S - 1) keep 8 accumulators in flight, enough
// to hide the FMA latency however few channels and rows the block has.
template <int CB, int R, int kSw, bool kMasked>
void convMicro(const float *x, const int32_t *taps, int64_t t0, int64_t t1, const float *w,
               int64_t wStride, const int32_t *rowOff, const __m256i *masks, __m256 *out) {
  constexpr int S = CB * R >= 8 ? 1 : 8 / (CB * R);
  __m256 acc[S][CB][R];
  for (int s = 0; s < S; ++s)
    for (int cb = 0; cb < CB; ++cb)
      for (int r = 0; r < R; ++r) acc[s][cb][r] = _mm256_setzero_ps();
  auto tap = [&](int s, int64_t t) __attribute__((always_inline)) {
    const float *xt = x + taps[t];
    __m256 xv[R];
    for (int r = 0; r < R; ++r) xv[r] = loadRow<kSw, kMasked>(xt + rowOff[r], masks + 2 * r);
    for (int cb = 0; cb < CB; ++cb) {
      const __m256 wv = _mm256_broadcast_ss(w + cb * wStride + t);
      for (int r = 0; r < R; ++r) acc[s][cb][r] = _mm256_fmadd_ps(wv, xv[r], acc[s][cb][r]);
    }
  };
  int64_t t = t0;
  for (; t + S <= t1; t += S)
    for (int s = 0; s < S; ++s) tap(s, t + s);
  for (; t < t1; ++t) tap(0, t);
  for (int cb = 0; cb < CB; ++cb)
    for (int r = 0; r < R; ++r) {
      __m256 sum = acc[0][cb][r];
      for (int s = 1; s < S; ++s) sum = _mm256_add_ps(sum, acc[s][cb][r]);
      out[cb * R + r] = _mm256_add_ps(out[cb * R + r], sum);
    }
}

using MicroFn = void (*)(const float *, const int32_t *, int64_t, int64_t, const float *, int64_t,
                         const int32_t *, const __m256i *, __m256 *);

// The same block with AVX-512: row vectors 2q and 2q + 1 share one 16-lane register (one load
// when they are neighbours in memory, kContig), so each tap needs half the multiply-adds. Every
// lane sees the same fused multiply-adds in the same order as in convMicro (the same S partial
// sums, added up the same way), so the results are the same bits.
#define PFCOMP_AVX512 __attribute__((target("avx512f,avx512dq")))

template <int kSw, bool kMasked, bool kContig>
PFCOMP_AVX512 __attribute__((always_inline)) inline __m512 loadPair(const float *p0, const float *p1,
                                                                    const __m256i *masks, __mmask16 k0,
                                                                    __mmask16 k1) {
  if constexpr (kContig && kSw == 1) {
    return kMasked ? _mm512_maskz_loadu_ps(k0, p0) : _mm512_loadu_ps(p0);
  } else if constexpr (kContig) {
    // 32 neighbouring columns, the even ones.
    const __m512 a = kMasked ? _mm512_maskz_loadu_ps(k0, p0) : _mm512_loadu_ps(p0);
    const __m512 b = kMasked ? _mm512_maskz_loadu_ps(k1, p0 + 16) : _mm512_loadu_ps(p0 + 16);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(a, even, b);
  } else {
    return _mm512_insertf32x8(_mm512_castps256_ps512(loadRow<kSw, kMasked>(p0, masks)),
                              loadRow<kSw, kMasked>(p1, masks + 2), 1);
  }
}

template <int CB, int R, int kSw, bool kMasked, bool kContig>
PFCOMP_AVX512 void convMicroZmm(const float *x, const int32_t *taps, int64_t t0, int64_t t1, const float *w,
                                int64_t wStride, const int32_t *rowOff, const __m256i *masks, __m256 *out) {
  static_assert(R % 2 == 0, "row vectors go in pairs");
  constexpr int S = CB * R >= 8 ? 1 : 8 / (CB * R);  // as convMicro
  constexpr int Q = R / 2;
  // Lane masks of the pair's loads: contiguous pairs load 16 (kSw = 1) or 32 (kSw = 2) columns.
  __mmask16 k0[Q], k1[Q];
  for (int q = 0; q < Q; ++q) {
    auto bits = [](const __m256i &m) { return _mm256_movemask_ps(_mm256_castsi256_ps(m)); };
    const __m256i *m = masks + 4 * q;  // row 2q: m[0], m[1]; row 2q + 1: m[2], m[3]
    if constexpr (kSw == 1) {
      k0[q] = static_cast<__mmask16>(bits(m[0]) | bits(m[2]) << 8), k1[q] = 0;
    } else {
      k0[q] = static_cast<__mmask16>(bits(m[0]) | bits(m[1]) << 8);
      k1[q] = static_cast<__mmask16>(bits(m[2]) | bits(m[3]) << 8);
    }
  }
  __m512 acc[S][CB][Q];
  for (int s = 0; s < S; ++s)
    for (int cb = 0; cb < CB; ++cb)
      for (int q = 0; q < Q; ++q) acc[s][cb][q] = _mm512_setzero_ps();
#define PFCOMP_TAP(s, t)                                                                                  \
  do {                                                                                                   \
    const float *xt = x + taps[t];                                                                       \
    __m512 xv[Q];                                                                                        \
    for (int q = 0; q < Q; ++q)                                                                          \
      xv[q] = loadPair<kSw, kMasked, kContig>(xt + rowOff[2 * q], xt + rowOff[2 * q + 1], masks + 4 * q, \
                                              k0[q], k1[q]);                                             \
    for (int cb = 0; cb < CB; ++cb) {                                                                    \
      const __m512 wv = _mm512_set1_ps(w[cb * wStride + (t)]);                                          \
      for (int q = 0; q < Q; ++q) acc[s][cb][q] = _mm512_fmadd_ps(wv, xv[q], acc[s][cb][q]);             \
    }                                                                                                    \
  } while (0)
  int64_t t = t0;
  for (; t + S <= t1; t += S)
    for (int s = 0; s < S; ++s) PFCOMP_TAP(s, t + s);
  for (; t < t1; ++t) PFCOMP_TAP(0, t);
#undef PFCOMP_TAP
  for (int cb = 0; cb < CB; ++cb)
    for (int q = 0; q < Q; ++q) {
      __m512 sum = acc[0][cb][q];
      for (int s = 1; s < S; ++s) sum = _mm512_add_ps(sum, acc[s][cb][q]);
      __m256 &lo = out[cb * R + 2 * q], &hi = out[cb * R + 2 * q + 1];
      lo = _mm256_add_ps(lo, _mm512_castps512_ps256(sum));
      hi = _mm256_add_ps(hi, _mm512_extractf32x8_ps(sum, 1));
    }
}

const bool kHasAvx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");

// The 16 columns of a wide row at one tap: neighbouring input columns (kSw = 1) or the even
// ones of 32 (kSw = 2); masked to the columns the valid lanes read.
template <int kSw>
PFCOMP_AVX512 __attribute__((always_inline)) inline __m512 loadWide(const float *p, __mmask16 k0, __mmask16 k1) {
  if constexpr (kSw == 1) {
    return _mm512_maskz_loadu_ps(k0, p);
  } else {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(k0, p), even, _mm512_maskz_loadu_ps(k1, p + 16));
  }
}

// A PE block of CB channels and R output rows over 16 columns of each of those rows of a wide
// row (runRow), with the S partial sums convMicro uses for that block, added up as there (onto
// zero): each lane gets the bits of its own PE. out gets CB x R x 16 sums.
template <int CB, int R, int kSw>
PFCOMP_AVX512 void rowMicro(const float *x, const int32_t *taps, int64_t t1, const float *w, int64_t wStride,
                            const int32_t *rowOff, int64_t lanes, float *out) {
  constexpr int S = CB * R >= 8 ? 1 : 8 / (CB * R);
  const int64_t cols = kSw * (lanes - 1) + 1;  // input columns the valid lanes read
  const __mmask16 k0 = static_cast<__mmask16>((1u << std::min<int64_t>(cols, 16)) - 1);
  const __mmask16 k1 = static_cast<__mmask16>((1u << std::max<int64_t>(cols - 16, 0)) - 1);
  __m512 acc[S][CB][R];
  for (int s = 0; s < S; ++s)
    for (int cb = 0; cb < CB; ++cb)
      for (int r = 0; r < R; ++r) acc[s][cb][r] = _mm512_setzero_ps();
#define PFCOMP_ROW_TAP(s, t)                                                                  \
  do {                                                                                       \
    __m512 xv[R];                                                                            \
    for (int r = 0; r < R; ++r) xv[r] = loadWide<kSw>(x + taps[t] + rowOff[r], k0, k1);      \
    for (int cb = 0; cb < CB; ++cb) {                                                        \
      const __m512 wv = _mm512_set1_ps(w[cb * wStride + (t)]);                               \
      for (int r = 0; r < R; ++r) acc[s][cb][r] = _mm512_fmadd_ps(wv, xv[r], acc[s][cb][r]); \
    }                                                                                        \
  } while (0)
  int64_t t = 0;
  for (; t + S <= t1; t += S)
    for (int s = 0; s < S; ++s) PFCOMP_ROW_TAP(s, t + s);
  for (; t < t1; ++t) PFCOMP_ROW_TAP(0, t);
#undef PFCOMP_ROW_TAP
  for (int cb = 0; cb < CB; ++cb)
    for (int r = 0; r < R; ++r) {
      __m512 sum = acc[0][cb][r];
      for (int s = 1; s < S; ++s) sum = _mm512_add_ps(sum, acc[s][cb][r]);
      _mm512_storeu_ps(out + 16 * (cb * R + r), _mm512_add_ps(_mm512_setzero_ps(), sum));
    }
}

template <int kSw, bool kMasked, bool kContig>
MicroFn pickMicroZmm(int cb, int r) {
  switch (cb * 8 + r) {
    case 8 + 2: return convMicroZmm<1, 2, kSw, kMasked, kContig>;
    case 8 + 4: return convMicroZmm<1, 4, kSw, kMasked, kContig>;
    case 16 + 2: return convMicroZmm<2, 2, kSw, kMasked, kContig>;
    case 16 + 4: return convMicroZmm<2, 4, kSw, kMasked, kContig>;
    default: return convMicroZmm<4, 2, kSw, kMasked, kContig>;
  }
}

// The AVX-512 form of a block of an even number of row vectors; null where there is none.
MicroFn pickMicroZmm(int sw, bool masked, bool contig, int cb, int r) {
  if (r % 2 != 0 || (cb == 4 && r != 2)) return nullptr;
  if (sw == 2) {
    if (contig) return masked ? pickMicroZmm<2, true, true>(cb, r) : pickMicroZmm<2, false, true>(cb, r);
    return masked ? pickMicroZmm<2, true, false>(cb, r) : pickMicroZmm<2, false, false>(cb, r);
  }
  if (contig) return masked ? pickMicroZmm<1, true, true>(cb, r) : pickMicroZmm<1, false, true>(cb, r);
  return masked ? pickMicroZmm<1, true, false>(cb, r) : pickMicroZmm<1, false, false>(cb, r);
}

template <int kSw, bool kMasked>
MicroFn pickMicro(int cb, int r) {
  switch (cb * 8 + r) {
    case 8 + 1: return convMicro<1, 1, kSw, kMasked>;
    case 8 + 2: return convMicro<1, 2, kSw, kMasked>;
    case 8 + 4: return convMicro<1, 4, kSw, kMasked>;
    case 16 + 1: return convMicro<2, 1, kSw, kMasked>;
    case 16 + 2: return convMicro<2, 2, kSw, kMasked>;
    case 16 + 4: return convMicro<2, 4, kSw, kMasked>;
    case 32 + 1: return convMicro<4, 1, kSw, kMasked>;
    default: return convMicro<4, 2, kSw, kMasked>;
  }
}

MicroFn pickMicro(int sw, bool masked, int cb, int r) {
  if (sw == 2) return masked ? pickMicro<2, true>(cb, r) : pickMicro<2, false>(cb, r);
  return masked ? pickMicro<1, true>(cb, r) : pickMicro<1, false>(cb, r);
}

}  // namespace

// dst[p * jmax_ + j] = src[j * sw + p], zero past the row. Stride 2, the common case, moves 16
// columns per step: two loads, even and odd lanes gathered by shuffles.
void DirectConvF32::splitPhases(const float *src, float *dst) const {
  int64_t j = 0;
  if (g_.sw == 2) {
    for (; 2 * j + 16 <= g_.iw; j += 8) {
      const __m256 a = _mm256_loadu_ps(src + 2 * j), b = _mm256_loadu_ps(src + 2 * j + 8);
      const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
      _mm256_storeu_ps(dst + j, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), 0xd8)));
      _mm256_storeu_ps(dst + jmax_ + j, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odd), 0xd8)));
    }
  }
  for (int64_t p = 0; p < g_.sw; ++p)
    for (int64_t jj = j; jj < jmax_; ++jj) {
      const int64_t col = jj * g_.sw + p;
      dst[p * jmax_ + jj] = col < g_.iw ? src[col] : 0.0f;
    }
}

DirectConvF32::DirectConvF32(const ConvGeometry &g, const ConvInputLayout &x, bool wide)
    : g_(g), x_(x), wide_(wide && kHasAvx512) {
  // Stride 2 gathers its even columns in registers; larger strides split the input first.
  split_ = g.sw > 2;
  loadStride_ = split_ ? 1 : g.sw;
  // Input layout the taps index: the tile itself, or per (channel, row) sw phases of jmax_
  // columns, so that a tap's columns ow * sw + kw * dw are contiguous in ow.
  int64_t rowStride = x.row, chanStride = x.channel;
  if (split_) {
    jmax_ = (g.iw + g.sw - 1) / g.sw;
    rowStride = g.sw * jmax_;
    chanStride = g.ih * rowStride;
    splitFloats_ = g.c * chanStride;
  }
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t kh = 0; kh < g.kh; ++kh)
      for (int64_t kw = 0; kw < g.kw; ++kw) {
        int64_t col = kw * g.dw;
        int64_t off = c * chanStride + kh * g.dh * rowStride;
        off += split_ ? (col % g.sw) * jmax_ + col / g.sw : col;
        taps_.push_back(static_cast<int32_t>(off));
      }
  const int64_t vectors = (g.ow + 7) / 8;
  for (int64_t oh = 0; oh < g.oh; ++oh)
    for (int64_t v = 0; v < vectors; ++v) {
      rowOff_.push_back(static_cast<int32_t>(oh * g.sh * rowStride + v * 8 * loadStride_));
      rowLanes_.push_back(static_cast<int32_t>(std::min<int64_t>(8, g.ow - v * 8)));
      rowOut_.push_back(static_cast<int32_t>(oh * g.ow + v * 8));
    }
  const int64_t rows = static_cast<int64_t>(rowOff_.size()), tapCount = static_cast<int64_t>(taps_.size());
  // The furthest float of the input tile: a bounded one has nothing readable past it.
  const int64_t inputFloats = (g.c - 1) * x.channel + (g.ih - 1) * x.row + g.iw;
  for (int64_t co = 0; co < g.co;) {
    const int cb = g.co - co >= 4 ? 4 : g.co - co >= 2 ? 2 : 1;
    const int rmax = cb == 4 ? 2 : 4;
    for (int64_t row = 0; row < rows;) {
      int r = static_cast<int>(std::min<int64_t>(rmax, rows - row));
      if (r == 3) r = 2;
      Block b{cb, r, co, row, tapCount};
      for (int i = 0; i + 1 < r; i += 2)
        b.contiguous &= rowOff_[row + i + 1] == rowOff_[row + i] + 8 * loadStride_;
      if (!split_ && x.bounded) {
        int64_t end = 0;  // furthest float a full-width row load of the block reaches past its tap
        for (int i = 0; i < r; ++i) end = std::max<int64_t>(end, rowOff_[row + i] + 8 * loadStride_);
        b.safeTaps = std::upper_bound(taps_.begin(), taps_.end(), static_cast<int32_t>(inputFloats - end)) -
                     taps_.begin();
      }
      // Input columns a row's valid outputs read: 0..lanes-1, or 0, 2, .. 2 * (lanes - 1).
      b.masks = static_cast<int64_t>(masks_.size());
      for (int i = 0; i < r; ++i) {
        const int cols = loadStride_ == 2 ? 2 * rowLanes_[row + i] - 1 : rowLanes_[row + i];
        masks_.push_back(std::min(cols, 8));
        masks_.push_back(std::max(cols - 8, 0));
      }
      for (bool masked : {false, true}) {
        MicroFn f = wide_ ? pickMicroZmm(loadStride_, masked, b.contiguous, cb, r) : nullptr;
        (masked ? b.masked : b.plain) = f ? f : pickMicro(loadStride_, masked, cb, r);
      }
      blocks_.push_back(b);
      row += r;
    }
    co += cb;
  }
}

void DirectConvF32::run(const float *x, const float *w, int64_t wStride, float *y, bool accumulate) const {
  thread_local std::vector<float> scratch;
  const int64_t tapCount = static_cast<int64_t>(taps_.size());
  const int64_t plane = g_.oh * g_.ow;
  for (int64_t n = 0; n < g_.n; ++n) {
    const float *in = x + n * x_.batch;
    if (split_) {
      // 16 floats of slack: full-width loads of the last row vectors stay inside.
      if (static_cast<int64_t>(scratch.size()) < splitFloats_ + 16) scratch.assign(splitFloats_ + 16, 0.0f);
      float *s = scratch.data();
      for (int64_t row = 0; row < g_.c * g_.ih; ++row)
        splitPhases(in + (row / g_.ih) * x_.channel + (row % g_.ih) * x_.row, s + row * g_.sw * jmax_);
      in = s;
    }
    float *out = y + n * g_.co * plane;
    for (const Block &b : blocks_) {
      __m256 acc[8];
      __m256i masks[8];
      for (int i = 0; i < 8; ++i) acc[i] = _mm256_setzero_ps();
      for (int i = 0; i < 2 * b.r; ++i) masks[i] = laneMask(masks_[b.masks + i]);
      const float *wb = w + b.co * wStride;
      if (b.safeTaps > 0)
        b.plain(in, taps_.data(), 0, b.safeTaps, wb, wStride, &rowOff_[b.row], masks, acc);
      if (b.safeTaps < tapCount)
        b.masked(in, taps_.data(), b.safeTaps, tapCount, wb, wStride, &rowOff_[b.row], masks, acc);
      // Only the row's valid lanes are stored (or added: dst + acc, as element by element).
      for (int cb = 0; cb < b.cb; ++cb)
        for (int r = 0; r < b.r; ++r) {
          float *dst = out + (b.co + cb) * plane + rowOut_[b.row + r];
          const __m256i keep = laneMask(rowLanes_[b.row + r]);
          const __m256 v = acc[cb * b.r + r];
          _mm256_maskstore_ps(dst, keep, accumulate ? _mm256_add_ps(_mm256_maskload_ps(dst, keep), v) : v);
        }
    }
  }
}

namespace {

using RowMicro = void (*)(const float *, const int32_t *, int64_t, const float *, int64_t, const int32_t *, int64_t,
                          float *);

template <int kSw>
RowMicro pickRowMicro(int cb, int r) {
  switch (cb * 8 + r) {
    case 8 + 1: return rowMicro<1, 1, kSw>;
    case 8 + 2: return rowMicro<1, 2, kSw>;
    case 8 + 4: return rowMicro<1, 4, kSw>;
    case 16 + 1: return rowMicro<2, 1, kSw>;
    case 16 + 2: return rowMicro<2, 2, kSw>;
    case 16 + 4: return rowMicro<2, 4, kSw>;
    case 32 + 1: return rowMicro<4, 1, kSw>;
    default: return rowMicro<4, 2, kSw>;
  }
}

}  // namespace

bool DirectConvF32::joinsRows() const {
  const int64_t tapCount = static_cast<int64_t>(taps_.size());
  // One row vector per output row: a PE's rows continue in its neighbour's columns.
  bool ok = wide_ && !split_ && g_.n == 1 && g_.ow <= 8;
  for (const Block &b : blocks_) ok &= b.safeTaps == tapCount;
  return ok;
}

void DirectConvF32::runRow(const float *x, int64_t pes, const float *w, int64_t wStride, float *const *ys,
                           bool accumulate) const {
  const int64_t ow = g_.ow, columns = pes * ow, tapCount = static_cast<int64_t>(taps_.size()),
                plane = g_.oh * g_.ow;
  alignas(64) float sums[8 * 16];
  for (const Block &b : blocks_) {
    const float *wb = w + b.co * wStride;
    const RowMicro micro = loadStride_ == 2 ? pickRowMicro<2>(b.cb, b.r) : pickRowMicro<1>(b.cb, b.r);
    for (int64_t c0 = 0; c0 < columns; c0 += 16) {
      const int64_t lanes = std::min<int64_t>(16, columns - c0);
      micro(x + c0 * loadStride_, taps_.data(), tapCount, wb, wStride, &rowOff_[b.row], lanes, sums);
      // The chunk's columns, PE by PE.
      for (int64_t pe = c0 / ow, c = c0; c < c0 + lanes; ++pe) {
        const int64_t j0 = c - pe * ow, j1 = std::min(ow, c0 + lanes - pe * ow);
        for (int cb = 0; cb < b.cb; ++cb)
          for (int r = 0; r < b.r; ++r) {
            float *dst = ys[pe] + (b.co + cb) * plane + rowOut_[b.row + r];
            const float *v = sums + 16 * (cb * b.r + r) + (c - c0) - j0;
            for (int64_t j = j0; j < j1; ++j) dst[j] = accumulate ? dst[j] + v[j] : v[j];
          }
        c += j1 - j0;
      }
    }
  }
}

}  // namespace pfcomp::device::kernels
