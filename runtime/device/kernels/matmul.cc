// MAU matrix multiply-accumulate on LM tiles: C[b] (+)= A[b] x B[b], batch axes broadcast.
#include "runtime/device/kernels/kernel_util.h"

#include <immintrin.h>

#include <algorithm>
#include <type_traits>

namespace pfcomp::device::kernels {
namespace {

// Where a matrix operand's elements are: per batch axis of the output a stride (0 where the
// operand broadcasts), then rows and columns. Dense in LM, or a view into DRAM.
struct MatLayout {
  Dims batch;
  int64_t row = 0, col = 1;
  bool bounded = true;  // nothing readable past the last element (LM): no full-width tail loads
};

// fp32 C[M, N] = acc + A[M, K] x B[K, N] for one batch, B's rows contiguous: 8 columns per
// vector, four partial sums over k.
void rowsTimesMatrix(const float *a, const MatLayout &la, const float *b, const MatLayout &lb, float *c,
                     int64_t m, int64_t k, int64_t n, bool accumulate, float alpha) {
  static const int32_t maskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t j0 = 0; j0 < n; j0 += 8) {
    const int lanes = static_cast<int>(std::min<int64_t>(8, n - j0));
    const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(maskTable + 8 - lanes));
    // A full-width load of the last row could leave a bounded tile.
    const int64_t full = lanes < 8 && lb.bounded ? k - 1 : k;
    // Strides in locals and pointers bumped per step: the loop is a few instructions per
    // multiply-add, not an index product each (tiny tiles run it thousands of times).
    const int64_t ac = la.col, br = lb.row;
    for (int64_t i = 0; i < m; ++i) {
      const float *ap = a + i * la.row;
      const float *bp = b + j0;
      __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      int64_t kk = 0;
      for (; kk + 4 <= full; kk += 4, ap += 4 * ac, bp += 4 * br) {
        acc0 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap), _mm256_loadu_ps(bp), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap + ac), _mm256_loadu_ps(bp + br), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap + 2 * ac), _mm256_loadu_ps(bp + 2 * br), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap + 3 * ac), _mm256_loadu_ps(bp + 3 * br), acc3);
      }
      for (; kk < full; ++kk, ap += ac, bp += br)
        acc0 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap), _mm256_loadu_ps(bp), acc0);
      for (; kk < k; ++kk, ap += ac, bp += br)
        acc0 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap), _mm256_maskload_ps(bp, mask), acc0);
      const __m256 acc[4] = {acc0, acc1, acc2, acc3};
      alignas(32) float sum[8];
      _mm256_store_ps(sum, _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
      float *cr = c + i * n + j0;
      for (int j = 0; j < lanes; ++j) {
        float v = (accumulate ? cr[j] : 0.0f) + sum[j];
        cr[j] = alpha != 1.0f ? v * alpha : v;
      }
    }
  }
}

// The same with A's rows and B's columns contiguous in k (B transposed in DRAM): dot products,
// 8 k per vector.
void dotProducts(const float *a, const MatLayout &la, const float *b, const MatLayout &lb, float *c,
                 int64_t m, int64_t k, int64_t n, bool accumulate, float alpha) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float *ar = a + i * la.row, *bc = b + j * lb.col;
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
      int64_t kk = 0;
      for (; kk + 16 <= k; kk += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(ar + kk), _mm256_loadu_ps(bc + kk), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(ar + kk + 8), _mm256_loadu_ps(bc + kk + 8), acc1);
      }
      for (; kk + 8 <= k; kk += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(ar + kk), _mm256_loadu_ps(bc + kk), acc0);
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
      float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
      for (; kk < k; ++kk) sum += ar[kk] * bc[kk];
      float v = (accumulate ? c[i * n + j] : 0.0f) + sum;
      c[i * n + j] = alpha != 1.0f ? v * alpha : v;
    }
}

#define PFCOMP_AVX512 __attribute__((target("avx512f")))

// C_p[M, n] = acc + A[M, K] x B[K, p * n .. p * n + n) for the PEs p = 0 .. g - 1 of a group
// that reads one A and neighbouring column blocks of one B (both views; B's rows br floats
// apart, its columns contiguous): 16 columns of the group per AVX-512 vector, 4 vectors a pass,
// with rowsTimesMatrix's four partial sums over k added up the same way, so every column gets
// the bits its PE computes alone, at a quarter of the cache lines.
PFCOMP_AVX512 void groupRowsTimesMatrix(const float *a, const MatLayout &la, const float *b, int64_t br, int64_t m,
                                        int64_t k, int64_t n, int64_t g, uint8_t *lm, int64_t lmStride,
                                        int64_t cAddr, bool accumulate, float alpha) {
  constexpr int V = 4;
  const int64_t total = g * n, ac = la.col;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t c0 = 0; c0 < total; c0 += 16 * V) {
      __mmask16 mask[V];
      for (int v = 0; v < V; ++v) {
        const int64_t lanes = std::clamp<int64_t>(total - c0 - 16 * v, 0, 16);
        mask[v] = static_cast<__mmask16>((1u << lanes) - 1);
      }
      __m512 acc[4][V];
      for (int u = 0; u < 4; ++u)
        for (int v = 0; v < V; ++v) acc[u][v] = _mm512_setzero_ps();
      const float *ap = a + i * la.row, *bp = b + c0;
      int64_t kk = 0;
      for (; kk + 4 <= k; kk += 4, ap += 4 * ac, bp += 4 * br)
        for (int u = 0; u < 4; ++u) {
          const __m512 av = _mm512_set1_ps(ap[u * ac]);
          for (int v = 0; v < V; ++v)
            acc[u][v] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(mask[v], bp + u * br + 16 * v), acc[u][v]);
        }
      for (; kk < k; ++kk, ap += ac, bp += br) {
        const __m512 av = _mm512_set1_ps(*ap);
        for (int v = 0; v < V; ++v)
          acc[0][v] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(mask[v], bp + 16 * v), acc[0][v]);
      }
      for (int v = 0; v < V; ++v) {
        alignas(64) float sum[16];
        _mm512_store_ps(sum, _mm512_add_ps(_mm512_add_ps(acc[0][v], acc[1][v]), _mm512_add_ps(acc[2][v], acc[3][v])));
        const int64_t first = c0 + 16 * v, last = std::min(total, first + 16);
        for (int64_t col = first; col < last; ++col) {
          float *cr = reinterpret_cast<float *>(lm + (col / n) * lmStride + cAddr) + i * n + col % n;
          const float x = (accumulate ? *cr : 0.0f) + sum[col - first];
          *cr = alpha != 1.0f ? x * alpha : x;
        }
      }
    }
  }
}

const bool kHasAvx512 = __builtin_cpu_supports("avx512f");

template <typename T>
class Matmul : public PreparedKernel {
 public:
  Matmul(const Kernel &k, std::vector<Dims> s)
      : a_(k.addrs(0)), b_(k.addrs(1)), c_(k.addrs(2)), accumulate_(k.accumulate()),
        alpha_(k.finalize() && k.floats_size() ? k.floats(0) : 1.0), shapes_(s) {
    const int r = s[2].size();
    m_ = s[0][r - 2], k_ = s[0][r - 1], n_ = s[1][r - 1];
    batch_.assign(s[2].begin(), s[2].end() - 2);
    for (int d = 0; d + 2 < r; ++d) batches_ *= batch_[d];
    // Dense tiles: broadcast batch strides in whole matrices.
    Dims sa = broadcastStrides(Dims(s[0].begin(), s[0].end() - 2), batch_);
    Dims sb = broadcastStrides(Dims(s[1].begin(), s[1].end() - 2), batch_);
    for (int64_t &v : sa) v *= m_ * k_;
    for (int64_t &v : sb) v *= k_ * n_;
    la_ = {sa, k_, 1, true};
    lb_ = {sb, n_, 1, true};
  }

  // fp32 reads A and B where they are, with any strides.
  bool acceptView(int operand, const std::vector<int64_t> &strides) override {
    if constexpr (!std::is_same_v<T, float>) {
      return false;
    } else {
      const size_t r = shapes_[2].size();
      if (operand > 1 || strides.size() != r) return false;
      MatLayout l{Dims(r - 2), strides[r - 2], strides[r - 1], false};
      for (size_t d = 0; d + 2 < r; ++d) l.batch[d] = shapes_[operand][d] == 1 ? 0 : strides[d];
      (operand == 0 ? viewA_ : viewB_) = l;
      // PE groups: B read by rows (rowsTimesMatrix's case).
      peGroups = kHasAvx512 && viewB_.col == 1;
      return true;
    }
  }

  void run(uint8_t *lm, const PeTile &) const override {
    multiply(at<T>(lm, a_), la_, at<T>(lm, b_), lb_, at<T>(lm, c_));
  }

  // Runs of PEs reading one A view and neighbouring column blocks of one B view go together
  // (groupRowsTimesMatrix); the rest one by one.
  bool runPes(int64_t n, uint8_t *lm, int64_t lmStride, const uint8_t *const *views) const override {
    if constexpr (!std::is_same_v<T, float>) {
      return false;
    } else {
      constexpr int kOps = kMaxOperands;
      for (int64_t p = 0; p < n;) {
        const uint8_t *A = views[p * kOps], *B = views[p * kOps + 1];
        int64_t q = p + 1;
        const int64_t step = n_ * static_cast<int64_t>(sizeof(float));
        if (A && B)
          while (q < n && views[q * kOps] == A && views[q * kOps + 1] == B + (q - p) * step) ++q;
        if (q - p > 1) {
          int64_t idx[16] = {0};  // batch index, as multiply() walks it
          const int rank = static_cast<int>(batch_.size());
          for (int64_t bi = 0; bi < batches_; ++bi) {
            int64_t offA = 0, offB = 0;
            for (int d = 0; d < rank; ++d) offA += idx[d] * viewA_.batch[d], offB += idx[d] * viewB_.batch[d];
            groupRowsTimesMatrix(reinterpret_cast<const float *>(A) + offA, viewA_,
                                 reinterpret_cast<const float *>(B) + offB, viewB_.row, m_, k_, n_, q - p,
                                 lm + p * lmStride, lmStride, c_ + bi * m_ * n_ * 4, accumulate_,
                                 static_cast<float>(alpha_));
            for (int d = rank - 1; d >= 0; --d) {
              if (++idx[d] < batch_[d]) break;
              idx[d] = 0;
            }
          }
        } else {
          run(lm + p * lmStride, PeTile{}, views + p * kOps);
        }
        p = q;
      }
      return true;
    }
  }

  void run(uint8_t *lm, const PeTile &, const uint8_t *const *views) const override {
    const T *A = views[0] ? reinterpret_cast<const T *>(views[0]) : at<T>(lm, a_);
    const T *B = views[1] ? reinterpret_cast<const T *>(views[1]) : at<T>(lm, b_);
    multiply(A, views[0] ? viewA_ : la_, B, views[1] ? viewB_ : lb_, at<T>(lm, c_));
  }

  int64_t m_ = 0, k_ = 0, n_ = 0;
  Dims batch_;

 private:
  void multiply(const T *A, const MatLayout &la, const T *B, const MatLayout &lb, T *C) const {
    int64_t idx[16] = {0};
    const int rank = static_cast<int>(batch_.size());
    for (int64_t bi = 0; bi < batches_; ++bi) {
      int64_t offA = 0, offB = 0;
      for (int d = 0; d < rank; ++d) offA += idx[d] * la.batch[d], offB += idx[d] * lb.batch[d];
      matrix(A + offA, la, B + offB, lb, C + bi * m_ * n_);
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < batch_[d]) break;
        idx[d] = 0;
      }
    }
  }

  void matrix(const T *a, const MatLayout &la, const T *b, const MatLayout &lb, T *c) const {
    if constexpr (std::is_same_v<T, float>) {
      if (lb.col == 1) return rowsTimesMatrix(a, la, b, lb, c, m_, k_, n_, accumulate_, static_cast<float>(alpha_));
      if (la.col == 1 && lb.row == 1) return dotProducts(a, la, b, lb, c, m_, k_, n_, accumulate_, static_cast<float>(alpha_));
    }
    for (int64_t i = 0; i < m_; ++i) {
      T *crow = c + i * n_;
      if (!accumulate_)
        for (int64_t j = 0; j < n_; ++j) crow[j] = 0;
      for (int64_t kk = 0; kk < k_; ++kk) {
        const T av = a[i * la.row + kk * la.col];
        const T *brow = b + kk * lb.row;
        for (int64_t j = 0; j < n_; ++j) crow[j] += av * brow[j * lb.col];
      }
      if (alpha_ != 1.0)
        for (int64_t j = 0; j < n_; ++j) crow[j] = static_cast<T>(crow[j] * alpha_);
    }
  }

  int64_t a_, b_, c_;
  bool accumulate_;
  double alpha_;
  std::vector<Dims> shapes_;
  int64_t batches_ = 1;
  MatLayout la_, lb_, viewA_, viewB_;
};

}  // namespace

// Operands A[..., M, K], B[..., K, N], C[..., M, N]; floats[0] = alpha applied on finalize.
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareMatmul(const Kernel &k) {
  auto shapes = operandShapes(k, 3, 3);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  const size_t r = s[2].size();
  if (r < 2 || s[0].size() != r || s[1].size() != r) return badKernel(k, "operand ranks differ");
  if (s[0][r - 2] != s[2][r - 2] || s[0][r - 1] != s[1][r - 2] || s[1][r - 1] != s[2][r - 1])
    return badKernel(k, "matrix extents do not match");
  for (size_t d = 0; d + 2 < r; ++d)
    for (int i = 0; i < 2; ++i)
      if (s[i][d] != s[2][d] && s[i][d] != 1) return badKernel(k, "batch axes do not broadcast");
  auto prepared = byDTypeWithInts<Matmul>(k, k, s);  // int32 tiles: MatMulInteger, QLinearMatMul
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, k.accumulate());
  int64_t batches = 1;
  for (size_t d = 0; d + 2 < r; ++d) batches *= s[2][d];
  (*prepared)->work.mau_flops = 2.0 * batches * s[2][r - 2] * s[2][r - 1] * s[0][r - 1];
  return prepared;
}

}  // namespace pfcomp::device::kernels
