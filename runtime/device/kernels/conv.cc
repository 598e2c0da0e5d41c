// Sliding-window PE kernels on NCHW tiles: 2-D convolution (MAU) and max / average pooling.
// The input tile is the window a transfer cut out of DRAM, padding already filled in, so the
// local input row of output row `oh` and kernel row `kh` is `oh * stride + kh * dilation`.
#include "runtime/device/kernels/conv_batch.h"
#include "runtime/device/kernels/conv_f32.h"
#include "runtime/device/kernels/kernel_util.h"

#include "llvm/ADT/SmallVector.h"

#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

namespace pfcomp::device::kernels {
namespace {

struct Window {
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
};

template <typename T>
class Conv2d : public PreparedKernel {
 public:
  // X[N, C, IH, IW], W[CO, C, KH, KW], Y[N, CO, OH, OW]; ints = stride h, w, dilation h, w.
  Conv2d(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), w_(k.addrs(1)), y_(k.addrs(2)), accumulate_(k.accumulate()),
        xs_(s[0]), ws_(s[1]), ys_(s[2]) {
    win_ = {k.ints(0), k.ints(1), k.ints(2), k.ints(3)};
    if constexpr (std::is_same_v<T, float>)
      direct_.emplace(geometry(), ConvInputLayout{xs_[1] * xs_[2] * xs_[3], xs_[2] * xs_[3], xs_[3], true});
  }

  // fp32 reads X and W where they are: X with any strides but unit columns, W with its
  // (c, kh, kw) taps contiguous per output channel.
  bool acceptView(int operand, const std::vector<int64_t> &s) override {
    if constexpr (!std::is_same_v<T, float>) {
      return false;
    } else {
      if (s.size() != 4 || operand > 1) return false;
      // An extent-1 axis has no neighbours: any stride will do.
      const Dims &dims = operand == 0 ? xs_ : ws_;
      std::vector<int64_t> st = s;
      if (dims[3] == 1) st[3] = 1;
      if (dims[2] == 1) st[2] = dims[3] * st[3];
      if (dims[1] == 1) st[1] = dims[2] * st[2];
      if (st[3] != 1) return false;
      if (operand == 0) {
        viewLayout_ = ConvInputLayout{st[0], st[1], st[2], false};
        viewX_.emplace(geometry(), viewLayout_);
      } else if (st[2] == ws_[3] && st[1] == ws_[2] * ws_[3]) {
        viewWStride_ = st[0];
      } else {
        return false;
      }
      peGroups = viewX_ && viewWStride_ > 0 && viewX_->joinsRows();
      return true;
    }
  }

  // All PEs at once, when X and W are both views (conv_batch), and only where the direct kernel
  // is weakest: a single output channel on two row vectors or fewer (4 loads per 2 FMAs per
  // tap), with 8 or more output pixels to fill the product's vectors and a long reduction to
  // pay for the shared im2col (resnet18's deep 3x3 layers).
  int64_t batchTileBytes() const override {
    if constexpr (!std::is_same_v<T, float>) return 0;
    const int64_t rowVectors = ys_[2] * ((ys_[3] + 7) / 8);
    const bool directWeak = ys_[1] == 1 && rowVectors <= 2 && ys_[2] * ys_[3] >= 8 && xs_[1] * ws_[2] * ws_[3] >= 256;
    return viewX_ && viewWStride_ > 0 && ys_[0] == 1 && directWeak ? ys_[1] * ys_[2] * ys_[3] * 4 : 0;
  }
  void prepareBatch(int64_t n, const uint8_t *const *inputs) override {
    batchX_.resize(n);
    batchW_.resize(n);
    for (int64_t p = 0; p < n; ++p) {
      batchX_[p] = reinterpret_cast<const float *>(inputs[2 * p]);
      batchW_[p] = reinterpret_cast<const float *>(inputs[2 * p + 1]);
    }
    batchGroups_ = groupByWindow(n, batchX_.data());
  }
  void runBatch(uint8_t *out, ParallelFor parallel) const override {
    convBatchF32(geometry(), viewLayout_, viewWStride_, batchX_.data(), batchW_.data(), batchGroups_,
                 reinterpret_cast<float *>(out), parallel);
  }
  void finishBatch(uint8_t *lm, const uint8_t *part) const override {
    float *y = at<float>(lm, y_);
    const float *d = reinterpret_cast<const float *>(part);
    const int64_t n = ys_[1] * ys_[2] * ys_[3];
    if (accumulate_)
      for (int64_t i = 0; i < n; ++i) y[i] += d[i];
    else
      std::copy(d, d + n, y);
  }

  // Runs of PEs whose X views are neighbours along the output row and whose W view is the
  // same go as one wide row (DirectConvF32::runRow); the rest one by one.
  bool runPes(int64_t n, uint8_t *lm, int64_t lmStride, const uint8_t *const *views) const override {
    if constexpr (!std::is_same_v<T, float>) {
      return false;
    } else {
      constexpr int kOps = kMaxOperands;
      const int64_t step = ys_[3] * win_.sw * static_cast<int64_t>(sizeof(float));
      llvm::SmallVector<float *, 32> ys;
      for (int64_t p = 0; p < n;) {
        const uint8_t *X = views[p * kOps], *W = views[p * kOps + 1];
        int64_t q = p + 1;
        if (X && W)
          while (q < n && views[q * kOps] == X + (q - p) * step && views[q * kOps + 1] == W) ++q;
        if (q - p > 1) {
          ys.clear();
          for (int64_t i = p; i < q; ++i) ys.push_back(at<float>(lm + i * lmStride, y_));
          viewX_->runRow(reinterpret_cast<const float *>(X), q - p, reinterpret_cast<const float *>(W), viewWStride_,
                         ys.data(), accumulate_);
        } else {
          run(lm + p * lmStride, PeTile{}, views + p * kOps);
        }
        p = q;
      }
      return true;
    }
  }

  void run(uint8_t *lm, const PeTile &tile, const uint8_t *const *views) const override {
    if constexpr (std::is_same_v<T, float>) {
      const int64_t taps = ws_[1] * ws_[2] * ws_[3];
      const float *W = views[1] ? reinterpret_cast<const float *>(views[1]) : at<float>(lm, w_);
      const int64_t wStride = views[1] ? viewWStride_ : taps;
      if (views[0])
        viewX_->run(reinterpret_cast<const float *>(views[0]), W, wStride, at<float>(lm, y_), accumulate_);
      else
        direct_->run(at<float>(lm, x_), W, wStride, at<float>(lm, y_), accumulate_);
    } else {
      run(lm, tile);
    }
  }

  void run(uint8_t *lm, const PeTile &) const override {
    const T *X = at<T>(lm, x_);
    const T *W = at<T>(lm, w_);
    T *Y = at<T>(lm, y_);
    if constexpr (std::is_same_v<T, float>) {
      direct_->run(X, W, ws_[1] * ws_[2] * ws_[3], Y, accumulate_);
      return;
    }
    // Other element types: im2col, then Y[co, :] += W[co, k] * col[k, :] over the output plane.
    const int64_t N = ys_[0], CO = ys_[1], OH = ys_[2], OW = ys_[3];
    const int64_t C = xs_[1], IH = xs_[2], IW = xs_[3], KH = ws_[2], KW = ws_[3];
    const int64_t P = OH * OW, K = C * KH * KW;
    thread_local std::vector<T> col;
    if (static_cast<int64_t>(col.size()) < K * P) col.resize(K * P);
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t c = 0; c < C; ++c)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            T *row = col.data() + ((c * KH + kh) * KW + kw) * P;
            const T *x = X + (n * C + c) * IH * IW + kh * win_.dh * IW + kw * win_.dw;
            for (int64_t oh = 0; oh < OH; ++oh) {
              const T *xrow = x + oh * win_.sh * IW;
              T *out = row + oh * OW;
              if (win_.sw == 1)
                for (int64_t ow = 0; ow < OW; ++ow) out[ow] = xrow[ow];
              else
                for (int64_t ow = 0; ow < OW; ++ow) out[ow] = xrow[ow * win_.sw];
            }
          }
      for (int64_t co = 0; co < CO; ++co) {
        T *__restrict y = Y + (n * CO + co) * P;
        if (!accumulate_)
          for (int64_t p = 0; p < P; ++p) y[p] = 0;
        const T *w = W + co * K;
        int64_t k = 0;
        for (; k + 4 <= K; k += 4) {  // four rows per pass: a quarter of the loads / stores of y
          const T w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
          const T *__restrict r0 = col.data() + k * P;
          const T *__restrict r1 = r0 + P, *__restrict r2 = r1 + P, *__restrict r3 = r2 + P;
          for (int64_t p = 0; p < P; ++p) y[p] += w0 * r0[p] + w1 * r1[p] + w2 * r2[p] + w3 * r3[p];
        }
        for (; k < K; ++k) {
          const T wv = w[k];
          const T *__restrict r = col.data() + k * P;
          for (int64_t p = 0; p < P; ++p) y[p] += wv * r[p];
        }
      }
    }
  }

 private:
  int64_t x_, w_, y_;
  bool accumulate_;
  Dims xs_, ws_, ys_;
  Window win_;
  ConvGeometry geometry() const {
    return {xs_[0], xs_[1], xs_[2], xs_[3], ws_[0], ws_[2], ws_[3], ys_[2], ys_[3], win_.sh, win_.sw, win_.dh, win_.dw};
  }
  std::optional<DirectConvF32> direct_, viewX_;  // fp32 (and fp16 widened to fp32): X in LM, X viewed
  ConvInputLayout viewLayout_;
  int64_t viewWStride_ = 0;                      // floats between output channels of a viewed W
  std::vector<const float *> batchX_, batchW_;   // prepareBatch: per PE its X and W views
  ConvBatchGroups batchGroups_;
};

template <typename T>
class Pool2d : public PreparedKernel {
 public:
  // X[N, C, IH, IW] window, Y[N, C, OH, OW]; ints = kind (0 max, 1 average), KH, KW, stride h, w,
  // dilation h, w, pad top, pad left, count_include_pad, input H, input W.
  Pool2d(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), y_(k.addrs(1)), xs_(s[0]), ys_(s[1]), p_(k.ints().begin(), k.ints().end()) {}

  void run(uint8_t *lm, const PeTile &tile) const override {
    const T *X = at<T>(lm, x_);
    T *Y = at<T>(lm, y_);
    const bool isMax = p_[0] == 0;
    const int64_t KH = p_[1], KW = p_[2], sh = p_[3], sw = p_[4], dh = p_[5], dw = p_[6];
    const int64_t padT = p_[7], padL = p_[8], includePad = p_[9], H = p_[10], Wd = p_[11];
    const int64_t N = ys_[0], C = ys_[1], OH = ys_[2], OW = ys_[3], IH = xs_[2], IW = xs_[3];
    const int64_t oh0 = tile.tile_start[2], ow0 = tile.tile_start[3];
    for (int64_t nc = 0; nc < N * C; ++nc) {
      const T *x = X + nc * IH * IW;
      T *y = Y + nc * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
          int64_t count = 0;
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              int64_t ih = oh * sh + kh * dh, iw = ow * sw + kw * dw;
              int64_t absH = (oh0 + oh) * sh - padT + kh * dh;
              int64_t absW = (ow0 + ow) * sw - padL + kw * dw;
              bool inside = absH >= 0 && absH < H && absW >= 0 && absW < Wd;
              bool inPad = absH >= -padT && absH < H + padT && absW >= -padL && absW < Wd + padL;
              double v = x[ih * IW + iw];
              if (isMax) {
                if (inside && v > acc) acc = v;
              } else if (inside || (includePad && inPad)) {
                acc += inside ? v : 0.0;
                ++count;
              }
            }
          y[oh * OW + ow] = static_cast<T>(isMax ? acc : (count ? acc / count : 0.0));
        }
    }
  }

 private:
  int64_t x_, y_;
  Dims xs_, ys_;
  std::vector<int64_t> p_;
};

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareConv2d(const Kernel &k) {
  auto shapes = operandShapes(k, 3, 3);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0].size() != 4 || s[1].size() != 4 || s[2].size() != 4 || k.ints_size() != 4)
    return badKernel(k, "expects 4-D X, W, Y and 4 window parameters");
  if (s[0][1] != s[1][1] || s[1][0] != s[2][1] || s[0][0] != s[2][0])
    return badKernel(k, "channel or batch extents do not match");
  int64_t needH = (s[2][2] - 1) * k.ints(0) + (s[1][2] - 1) * k.ints(2) + 1;
  int64_t needW = (s[2][3] - 1) * k.ints(1) + (s[1][3] - 1) * k.ints(3) + 1;
  if (s[0][2] < needH || s[0][3] < needW) return badKernel(k, "input window smaller than the output tile needs");
  auto prepared = byDTypeWithInts<Conv2d>(k, k, s);  // int32 tiles: ConvInteger, QLinearConv
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, k.accumulate());
  (*prepared)->work.mau_flops =
      2.0 * s[2][0] * s[2][1] * s[2][2] * s[2][3] * s[1][1] * s[1][2] * s[1][3];
  return prepared;
}

llvm::Expected<std::unique_ptr<PreparedKernel>> preparePool2d(const Kernel &k) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0].size() != 4 || s[1].size() != 4 || k.ints_size() != 12)
    return badKernel(k, "expects 4-D X, Y and 12 window parameters");
  int64_t needH = (s[1][2] - 1) * k.ints(3) + (k.ints(1) - 1) * k.ints(5) + 1;
  int64_t needW = (s[1][3] - 1) * k.ints(4) + (k.ints(2) - 1) * k.ints(6) + 1;
  if (s[0][2] < needH || s[0][3] < needW) return badKernel(k, "input window smaller than the output tile needs");
  auto prepared = byDTypeWithInts<Pool2d>(k, k, s);  // max pooling runs on integer tiles too
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, false);
  (*prepared)->work.vector_ops = 1.0 * s[1][0] * s[1][1] * s[1][2] * s[1][3] * k.ints(1) * k.ints(2);
  return prepared;
}

}  // namespace pfcomp::device::kernels
