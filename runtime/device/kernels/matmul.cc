// MAU matrix multiply-accumulate on LM tiles: C[b] (+)= A[b] x B[b], batch axes broadcast.
#include "runtime/device/kernels/kernel_util.h"

namespace pfcomp::device::kernels {
namespace {

template <typename T>
class Matmul : public PreparedKernel {
 public:
  Matmul(const Kernel &k, std::vector<Dims> s)
      : a_(k.addrs(0)), b_(k.addrs(1)), c_(k.addrs(2)), accumulate_(k.accumulate()),
        alpha_(k.finalize() && k.floats_size() ? k.floats(0) : 1.0) {
    const int r = s[2].size();
    m_ = s[0][r - 2], k_ = s[0][r - 1], n_ = s[1][r - 1];
    Dims batchOut(s[2].begin(), s[2].end() - 2), batchA(s[0].begin(), s[0].end() - 2),
        batchB(s[1].begin(), s[1].end() - 2);
    batch_ = batchOut;
    sa_ = broadcastStrides(batchA, batchOut);
    sb_ = broadcastStrides(batchB, batchOut);
  }

  void run(uint8_t *lm, const PeTile &) const override {
    const T *A = at<T>(lm, a_);
    const T *B = at<T>(lm, b_);
    T *C = at<T>(lm, c_);
    int64_t batches = 1;
    for (int64_t d : batch_) batches *= d;
    std::vector<int64_t> idx(batch_.size(), 0);
    for (int64_t bi = 0; bi < batches; ++bi) {
      int64_t offA = 0, offB = 0;
      for (size_t d = 0; d < batch_.size(); ++d) offA += idx[d] * sa_[d], offB += idx[d] * sb_[d];
      const T *a = A + offA * m_ * k_;
      const T *b = B + offB * k_ * n_;
      T *c = C + bi * m_ * n_;
      for (int64_t i = 0; i < m_; ++i) {
        T *crow = c + i * n_;
        if (!accumulate_)
          for (int64_t j = 0; j < n_; ++j) crow[j] = 0;
        for (int64_t kk = 0; kk < k_; ++kk) {
          const T av = a[i * k_ + kk];
          const T *brow = b + kk * n_;
          for (int64_t j = 0; j < n_; ++j) crow[j] += av * brow[j];
        }
        if (alpha_ != 1.0)
          for (int64_t j = 0; j < n_; ++j) crow[j] = static_cast<T>(crow[j] * alpha_);
      }
      for (int d = static_cast<int>(batch_.size()) - 1; d >= 0; --d) {
        if (++idx[d] < batch_[d]) break;
        idx[d] = 0;
      }
    }
  }

  int64_t m_ = 0, k_ = 0, n_ = 0;
  Dims batch_;

 private:
  int64_t a_, b_, c_;
  bool accumulate_;
  double alpha_;
  Dims sa_, sb_;
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
