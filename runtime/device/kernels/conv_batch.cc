#include "runtime/device/kernels/conv_batch.h"

#include "llvm/ADT/DenseMap.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

namespace pfcomp::device::kernels {
namespace {

// MR rows x NV vectors of 8 columns from column j0: o[r][j0 + j] = sum_k w[r][k] * col[k][j0 + j],
// for the `cols` valid columns. MR * NV accumulators (8 or 12) keep both FMA pipes busy; the
// row pointers are copied into locals so they stay in registers.
template <int MR, int NV>
void gemmTile(const float *col, int64_t ldc, int64_t kTotal, const float *const *wRows, float *const *o,
              int64_t j0, int64_t cols) {
  const float *w[MR];
  for (int r = 0; r < MR; ++r) w[r] = wRows[r];
  __m256 acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_setzero_ps();
  const float *c = col + j0;
  for (int64_t k = 0; k < kTotal; ++k, c += ldc) {
    __m256 cv[NV];
    for (int v = 0; v < NV; ++v) cv[v] = _mm256_loadu_ps(c + 8 * v);
    for (int r = 0; r < MR; ++r) {
      const __m256 wv = _mm256_broadcast_ss(w[r] + k);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(wv, cv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    alignas(32) float vals[8 * NV];
    for (int v = 0; v < NV; ++v) _mm256_store_ps(vals + 8 * v, acc[r][v]);
    std::copy(vals, vals + cols, o[r] + j0);
  }
}

// The two hot shapes with named accumulators (an array of them ends up on the stack).
void gemm8x1(const float *col, int64_t ldc, int64_t kTotal, const float *const *wr, float *const *o, int64_t j0,
             int64_t cols) {
  const float *w0 = wr[0], *w1 = wr[1], *w2 = wr[2], *w3 = wr[3], *w4 = wr[4], *w5 = wr[5], *w6 = wr[6], *w7 = wr[7];
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const float *c = col + j0;
  for (int64_t k = 0; k < kTotal; ++k, c += ldc) {
    const __m256 x = _mm256_loadu_ps(c);
    a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(w0 + k), x, a0);
    a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(w1 + k), x, a1);
    a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(w2 + k), x, a2);
    a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(w3 + k), x, a3);
    a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(w4 + k), x, a4);
    a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(w5 + k), x, a5);
    a6 = _mm256_fmadd_ps(_mm256_broadcast_ss(w6 + k), x, a6);
    a7 = _mm256_fmadd_ps(_mm256_broadcast_ss(w7 + k), x, a7);
  }
  const __m256 acc[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
  for (int r = 0; r < 8; ++r) {
    alignas(32) float vals[8];
    _mm256_store_ps(vals, acc[r]);
    std::copy(vals, vals + cols, o[r] + j0);
  }
}

void gemm6x2(const float *col, int64_t ldc, int64_t kTotal, const float *const *wr, float *const *o, int64_t j0,
             int64_t cols) {
  const float *w0 = wr[0], *w1 = wr[1], *w2 = wr[2], *w3 = wr[3], *w4 = wr[4], *w5 = wr[5];
  __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0, a4 = a0, b4 = a0,
         a5 = a0, b5 = a0;
  const float *c = col + j0;
  for (int64_t k = 0; k < kTotal; ++k, c += ldc) {
    const __m256 x = _mm256_loadu_ps(c), y = _mm256_loadu_ps(c + 8);
    __m256 w = _mm256_broadcast_ss(w0 + k);
    a0 = _mm256_fmadd_ps(w, x, a0), b0 = _mm256_fmadd_ps(w, y, b0);
    w = _mm256_broadcast_ss(w1 + k);
    a1 = _mm256_fmadd_ps(w, x, a1), b1 = _mm256_fmadd_ps(w, y, b1);
    w = _mm256_broadcast_ss(w2 + k);
    a2 = _mm256_fmadd_ps(w, x, a2), b2 = _mm256_fmadd_ps(w, y, b2);
    w = _mm256_broadcast_ss(w3 + k);
    a3 = _mm256_fmadd_ps(w, x, a3), b3 = _mm256_fmadd_ps(w, y, b3);
    w = _mm256_broadcast_ss(w4 + k);
    a4 = _mm256_fmadd_ps(w, x, a4), b4 = _mm256_fmadd_ps(w, y, b4);
    w = _mm256_broadcast_ss(w5 + k);
    a5 = _mm256_fmadd_ps(w, x, a5), b5 = _mm256_fmadd_ps(w, y, b5);
  }
  const __m256 lo[6] = {a0, a1, a2, a3, a4, a5}, hi[6] = {b0, b1, b2, b3, b4, b5};
  for (int r = 0; r < 6; ++r) {
    alignas(32) float vals[16];
    _mm256_store_ps(vals, lo[r]);
    _mm256_store_ps(vals + 8, hi[r]);
    std::copy(vals, vals + cols, o[r] + j0);
  }
}

// 16 columns in one AVX-512 vector: per column the same fused multiply-adds in the same order as
// gemm6x2's two halves, so the same sums, with half the instructions. MR rows at once.
template <int MR>
__attribute__((target("avx512f"))) void gemmZmm(const float *col, int64_t ldc, int64_t kTotal,
                                                const float *const *wRows, float *const *o, int64_t j0,
                                                int64_t cols) {
  const float *w[MR];
  for (int r = 0; r < MR; ++r) w[r] = wRows[r];
  __m512 acc[MR];
  for (int r = 0; r < MR; ++r) acc[r] = _mm512_setzero_ps();
  const float *c = col + j0;
  for (int64_t k = 0; k < kTotal; ++k, c += ldc) {
    const __m512 x = _mm512_loadu_ps(c);
    for (int r = 0; r < MR; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(w[r][k]), x, acc[r]);
  }
  const __mmask16 keep = static_cast<__mmask16>((1u << cols) - 1);
  for (int r = 0; r < MR; ++r) _mm512_mask_storeu_ps(o[r] + j0, keep, acc[r]);
}

__attribute__((target("avx512f"))) void gemmRowsZmm(const float *col, int64_t ldc, int64_t kTotal,
                                                    const float *const *w, float *const *o, int64_t rows,
                                                    int64_t j0, int64_t cols) {
  int64_t r = 0;
  for (; r + 10 <= rows; r += 10) gemmZmm<10>(col, ldc, kTotal, w + r, o + r, j0, cols);  // 10 pointers: no spills
  for (; r + 4 <= rows; r += 4) gemmZmm<4>(col, ldc, kTotal, w + r, o + r, j0, cols);
  for (; r < rows; ++r) gemmZmm<1>(col, ldc, kTotal, w + r, o + r, j0, cols);
}

const bool kHasAvx512 = __builtin_cpu_supports("avx512f");

// Two groups with the same weight rows (two windows of the same output channels), 8 pixels or
// fewer each: window one's pixels in lanes 0-7 of an AVX-512 vector, window two's in 8-15, so
// one multiply-add serves both (per pixel the same fused multiply-adds in the same order as
// gemm8x1). MR rows at once; o1 / o2: the rows' outputs in the two groups.
template <int MR>
__attribute__((target("avx512f"))) void gemmPairZmm(const float *col, int64_t kTotal, const float *const *wRows,
                                                    float *const *o1, float *const *o2, int64_t cols) {
  const float *w[MR];
  for (int r = 0; r < MR; ++r) w[r] = wRows[r];
  __m512 acc[MR];
  for (int r = 0; r < MR; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kTotal; ++k) {
    const __m512 x = _mm512_loadu_ps(col + 16 * k);
    for (int r = 0; r < MR; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(w[r][k]), x, acc[r]);
  }
  const __mmask16 lo = static_cast<__mmask16>((1u << cols) - 1), hi = static_cast<__mmask16>(lo << 8);
  for (int r = 0; r < MR; ++r) {
    _mm512_mask_storeu_ps(o1[r], lo, acc[r]);
    _mm512_mask_storeu_ps(o2[r] - 8, hi, acc[r]);  // lanes 8.. land at o2[r][0..]
  }
}

__attribute__((target("avx512f"))) void gemmPairRows(const float *col, int64_t kTotal, const float *const *w,
                                                     float *const *o1, float *const *o2, int64_t rows,
                                                     int64_t cols) {
  int64_t r = 0;
  for (; r + 10 <= rows; r += 10) gemmPairZmm<10>(col, kTotal, w + r, o1 + r, o2 + r, cols);
  for (; r + 4 <= rows; r += 4) gemmPairZmm<4>(col, kTotal, w + r, o1 + r, o2 + r, cols);
  for (; r < rows; ++r) gemmPairZmm<1>(col, kTotal, w + r, o1 + r, o2 + r, cols);
}

template <int NV>
void gemmRows(const float *col, int64_t ldc, int64_t kTotal, const float *const *w, float *const *o, int64_t rows,
              int64_t j0, int64_t cols) {
  constexpr int kMR = NV == 1 ? 8 : 6;
  int64_t r = 0;
  for (; r + kMR <= rows; r += kMR) (NV == 1 ? gemm8x1 : gemm6x2)(col, ldc, kTotal, w + r, o + r, j0, cols);
  for (; r + 4 <= rows; r += 4) gemmTile<4, NV>(col, ldc, kTotal, w + r, o + r, j0, cols);
  for (; r + 2 <= rows; r += 2) gemmTile<2, NV>(col, ldc, kTotal, w + r, o + r, j0, cols);
  for (; r < rows; ++r) gemmTile<1, NV>(col, ldc, kTotal, w + r, o + r, j0, cols);
}

}  // namespace

ConvBatchGroups groupByWindow(int64_t n, const float *const *xs) {
  // Groups in order of first appearance, PEs ascending within each: one hash lookup per PE.
  llvm::DenseMap<const float *, int64_t> groupOf;
  std::vector<int64_t> group(n), count;
  for (int64_t p = 0; p < n; ++p) {
    auto [it, fresh] = groupOf.try_emplace(xs[p], static_cast<int64_t>(count.size()));
    if (fresh) count.push_back(0);
    group[p] = it->second;
    ++count[it->second];
  }
  ConvBatchGroups g;
  g.start.assign(count.size() + 1, 0);
  for (size_t i = 0; i < count.size(); ++i) g.start[i + 1] = g.start[i] + count[i];
  std::vector<int64_t> next(g.start.begin(), g.start.end() - 1);
  g.order.resize(n);
  for (int64_t p = 0; p < n; ++p) g.order[next[group[p]]++] = p;
  return g;
}

void convBatchF32(const ConvGeometry &g, const ConvInputLayout &x, int64_t wStride, const float *const *xs,
                  const float *const *ws, const ConvBatchGroups &groups, float *out,
                  PreparedKernel::ParallelFor parallel) {
  const int64_t kTotal = g.c * g.kh * g.kw, pixels = g.oh * g.ow, tile = g.co * pixels;
  const int64_t ldc = pixels <= 8 ? 8 : (pixels + 15) / 16 * 16;  // whole vectors, zero past the end
  const std::vector<int64_t> &order = groups.order, &groupStart = groups.start;
  const int64_t groupCount = static_cast<int64_t>(groupStart.size()) - 1;
  auto rowWeights = [&](int64_t gi, int64_t row) {
    return ws[order[groupStart[gi] + row / g.co]] + (row % g.co) * wStride;
  };
  auto rowOut = [&](int64_t gi, int64_t row) {
    return out + order[groupStart[gi] + row / g.co] * tile + (row % g.co) * pixels;
  };
  // Small planes: groups with the same weight rows go in pairs (gemmPairZmm).
  std::vector<std::pair<int64_t, int64_t>> tasks;  // (group, its partner or -1)
  if (kHasAvx512 && pixels <= 8) {
    llvm::DenseMap<std::pair<const float *, int64_t>, int64_t> waiting;  // (first row's weights, rows) -> group
    for (int64_t gi = 0; gi < groupCount; ++gi) {
      const int64_t rows = (groupStart[gi + 1] - groupStart[gi]) * g.co;
      auto [it, fresh] = waiting.try_emplace({rowWeights(gi, 0), rows}, gi);
      bool same = !fresh;
      for (int64_t r = 1; same && r < rows; ++r) same = rowWeights(gi, r) == rowWeights(it->second, r);
      if (same) {
        tasks.push_back({it->second, gi});
        waiting.erase(it);
      }
    }
    for (auto &[key, gi] : waiting) tasks.push_back({gi, -1});
  } else {
    for (int64_t gi = 0; gi < groupCount; ++gi) tasks.push_back({gi, -1});
  }
  // One task per group or pair: its im2col (in the thread's buffer), then all its rows.
  parallel(static_cast<int64_t>(tasks.size()), [&](int64_t ti) {
    const auto [gi, partner] = tasks[ti];
    if (partner >= 0) {
      thread_local std::vector<float> pairBuffer;
      if (pairBuffer.size() < static_cast<size_t>(kTotal * 16)) pairBuffer.resize(kTotal * 16);
      for (int half = 0; half < 2; ++half) {
        const float *in = xs[order[groupStart[half ? partner : gi]]];
        float *col = pairBuffer.data() + 8 * half;
        for (int64_t c = 0; c < g.c; ++c)
          for (int64_t kh = 0; kh < g.kh; ++kh)
            for (int64_t kw = 0; kw < g.kw; ++kw, col += 16) {
              const float *src = in + c * x.channel + kh * g.dh * x.row + kw * g.dw;
              for (int64_t oh = 0; oh < g.oh; ++oh)
                for (int64_t ow = 0; ow < g.ow; ++ow) col[oh * g.ow + ow] = src[oh * g.sh * x.row + ow * g.sw];
              std::fill(col + pixels, col + 8, 0.0f);
            }
      }
      constexpr int64_t kChunk = 40;
      const int64_t rows = (groupStart[gi + 1] - groupStart[gi]) * g.co;
      for (int64_t first = 0; first < rows; first += kChunk) {
        const int64_t count = std::min(kChunk, rows - first);
        const float *w[kChunk];
        float *o1[kChunk], *o2[kChunk];
        for (int64_t r = 0; r < count; ++r) {
          w[r] = rowWeights(gi, first + r);
          o1[r] = rowOut(gi, first + r);
          o2[r] = rowOut(partner, first + r);
        }
        gemmPairRows(pairBuffer.data(), kTotal, w, o1, o2, count, pixels);
      }
      return;
    }
    thread_local std::vector<float> buffer;  // reused: its pages are faulted once per thread
    if (buffer.size() < static_cast<size_t>(kTotal * ldc)) buffer.resize(kTotal * ldc);
    float *col = buffer.data();
    const float *in = xs[order[groupStart[gi]]];
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t kh = 0; kh < g.kh; ++kh)
        for (int64_t kw = 0; kw < g.kw; ++kw, col += ldc) {
          const float *src = in + c * x.channel + kh * g.dh * x.row + kw * g.dw;
          for (int64_t oh = 0; oh < g.oh; ++oh) {
            const float *s = src + oh * g.sh * x.row;
            float *d = col + oh * g.ow;
            for (int64_t ow = 0; ow < g.ow; ++ow) d[ow] = s[ow * g.sw];
          }
          std::fill(col + pixels, col + ldc, 0.0f);
        }
    col = buffer.data();
    constexpr int64_t kChunk = 48;
    const int64_t rows = (groupStart[gi + 1] - groupStart[gi]) * g.co;
    for (int64_t first = 0; first < rows; first += kChunk) {
      const int64_t count = std::min(kChunk, rows - first);
      const float *w[kChunk];
      float *o[kChunk];
      for (int64_t r = 0; r < count; ++r) {
        const int64_t row = first + r, pe = order[groupStart[gi] + row / g.co], co = row % g.co;
        w[r] = ws[pe] + co * wStride;
        o[r] = out + pe * tile + co * pixels;
      }
      for (int64_t j0 = 0; j0 < pixels;) {
        const int64_t left = pixels - j0;
        if (left > 8) {
          (kHasAvx512 ? gemmRowsZmm : gemmRows<2>)(col, ldc, kTotal, w, o, count, j0, std::min<int64_t>(16, left));
          j0 += 16;
        } else {
          gemmRows<1>(col, ldc, kTotal, w, o, count, j0, left);
          j0 += 8;
        }
      }
    }
  });
}

}  // namespace pfcomp::device::kernels
