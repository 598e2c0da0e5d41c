// Resampling PE kernels: Resize (nearest / linear, every ONNX coordinate mode) and the
// transposed 2-D convolution. Both read a window the transfer cut at the tile's position scaled
// by input / output, so they recompute that window's origin to index into it.
#include "runtime/device/kernels/kernel_util.h"

#include <cmath>

namespace pfcomp::device::kernels {
namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

enum CoordMode { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn };
enum NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

template <typename T>
class Resize : public PreparedKernel {
 public:
  // ints = mode (0 nearest, 1 linear), coordinate mode, nearest mode, then per axis
  // (in_len, out_len, window offset); floats = scale per axis.
  Resize(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), y_(k.addrs(1)), xs_(s[0]), ys_(s[1]), linear_(k.ints(0) == 1),
        coord_(static_cast<CoordMode>(k.ints(1))), nearest_(static_cast<NearestMode>(k.ints(2))) {
    for (size_t a = 0; a < s[0].size(); ++a) {
      in_.push_back(k.ints(3 + 3 * a));
      out_.push_back(k.ints(4 + 3 * a));
      off_.push_back(k.ints(5 + 3 * a));
      scale_.push_back(k.floats(a));
    }
  }

  double source(size_t a, int64_t o) const {
    double s = scale_[a];
    switch (coord_) {
      case HalfPixel: return (o + 0.5) / s - 0.5;
      case PytorchHalfPixel: return out_[a] > 1 ? (o + 0.5) / s - 0.5 : 0.0;
      case AlignCorners: return out_[a] > 1 ? o * double(in_[a] - 1) / (out_[a] - 1) : 0.0;
      case Asymmetric: return o / s;
      case TfHalfPixelForNn: return (o + 0.5) / s;
    }
    return 0;
  }

  int64_t nearest(double x) const {
    switch (nearest_) {
      case RoundPreferFloor: return x == std::floor(x) + 0.5 ? std::floor(x) : std::round(x);
      case RoundPreferCeil: return x == std::floor(x) + 0.5 ? std::ceil(x) : std::round(x);
      case Floor: return std::floor(x);
      case Ceil: return std::ceil(x);
    }
    return 0;
  }

  void run(uint8_t *lm, const PeTile &tile) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    const size_t r = ys_.size();
    // Per axis and output index: up to two taps (local index, weight).
    std::vector<std::vector<std::array<double, 4>>> taps(r);
    Dims xstride(r, 1);
    for (int a = int(r) - 2; a >= 0; --a) xstride[a] = xstride[a + 1] * xs_[a + 1];
    for (size_t a = 0; a < r; ++a) {
      const int64_t start = floorDiv(in_[a] * tile.tile_start[a], out_[a]) + off_[a];
      for (int64_t o = 0; o < ys_[a]; ++o) {
        double src = source(a, tile.tile_start[a] + o);
        auto clampIdx = [&](int64_t i) { return std::min<int64_t>(std::max<int64_t>(i, 0), in_[a] - 1) - start; };
        if (!linear_) {
          taps[a].push_back({double(clampIdx(nearest(src))), 1.0, 0.0, 0.0});
        } else {
          double lo = std::floor(src), f = src - lo;
          taps[a].push_back({double(clampIdx(int64_t(lo))), 1 - f, double(clampIdx(int64_t(lo) + 1)), f});
        }
      }
    }
    int64_t n = 1;
    for (int64_t d : ys_) n *= d;
    std::vector<int64_t> idx(r, 0);
    for (int64_t e = 0; e < n; ++e) {
      double acc = 0;
      const int combos = 1 << (linear_ ? r : 0);
      for (int c = 0; c < combos; ++c) {
        double w = 1;
        int64_t off = 0;
        for (size_t a = 0; a < r && w != 0; ++a) {
          const auto &t = taps[a][idx[a]];
          bool second = linear_ && ((c >> a) & 1);
          w *= second ? t[3] : t[1];
          off += int64_t(second ? t[2] : t[0]) * xstride[a];
        }
        if (w != 0) acc += w * x[off];
      }
      y[e] = static_cast<T>(acc);
      for (int a = int(r) - 1; a >= 0; --a) {
        if (++idx[a] < ys_[a]) break;
        idx[a] = 0;
      }
    }
  }

 private:
  int64_t x_, y_;
  Dims xs_, ys_, in_, out_, off_;
  std::vector<double> scale_;
  bool linear_;
  CoordMode coord_;
  NearestMode nearest_;
};

template <typename T>
class ConvTranspose2d : public PreparedKernel {
 public:
  // X[N, C, IHw, IWw], W[C, CO, KH, KW], Y[N, CO, OH, OW]; ints per spatial axis h then w:
  // stride, dilation, pad begin, input extent, window offset, output axis (-1: none).
  ConvTranspose2d(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), w_(k.addrs(1)), y_(k.addrs(2)), acc_(k.accumulate()), xs_(s[0]), ws_(s[1]),
        ys_(s[2]), p_(k.ints().begin(), k.ints().end()) {}

  void run(uint8_t *lm, const PeTile &tile) const override {
    const T *X = at<T>(lm, x_);
    const T *W = at<T>(lm, w_);
    T *Y = at<T>(lm, y_);
    const int64_t N = ys_[0], CO = ys_[1], OH = ys_[2], OW = ys_[3], C = xs_[1], IHw = xs_[2],
                  IWw = xs_[3], KH = ws_[2], KW = ws_[3];
    auto axis = [&](int i, int64_t &s, int64_t &d, int64_t &pb, int64_t &in, int64_t &start, int64_t &o0) {
      const int64_t *q = &p_[6 * i];
      s = q[0], d = q[1], pb = q[2], in = q[3];
      o0 = q[5] >= 0 ? tile.tile_start[q[5]] : 0;
      start = floorDiv(o0, s) + q[4];
    };
    int64_t sh, dh, ph, H, h0, oh0, sw, dw, pw, Wd, w0, ow0;
    axis(0, sh, dh, ph, H, h0, oh0);
    axis(1, sw, dw, pw, Wd, w0, ow0);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t co = 0; co < CO; ++co)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            double acc = 0;
            for (int64_t kh = 0; kh < KH; ++kh) {
              int64_t th = oh0 + oh + ph - kh * dh;
              if (th % sh != 0) continue;
              int64_t ih = th / sh;
              if (ih < 0 || ih >= H || ih - h0 < 0 || ih - h0 >= IHw) continue;
              for (int64_t kw = 0; kw < KW; ++kw) {
                int64_t tw = ow0 + ow + pw - kw * dw;
                if (tw % sw != 0) continue;
                int64_t iw = tw / sw;
                if (iw < 0 || iw >= Wd || iw - w0 < 0 || iw - w0 >= IWw) continue;
                for (int64_t c = 0; c < C; ++c)
                  acc += double(X[((n * C + c) * IHw + ih - h0) * IWw + iw - w0]) *
                         W[((c * CO + co) * KH + kh) * KW + kw];
              }
            }
            T &y = Y[((n * CO + co) * OH + oh) * OW + ow];
            y = static_cast<T>(acc_ ? y + acc : acc);
          }
  }

 private:
  int64_t x_, w_, y_;
  bool acc_;
  Dims xs_, ws_, ys_;
  std::vector<int64_t> p_;
};

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareResize(const Kernel &k) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  const size_t r = s[0].size();
  if (s[1].size() != r || k.ints_size() != int(3 + 3 * r) || k.floats_size() != int(r) || k.ints(0) > 1)
    return badKernel(k, "expects X, Y of one rank, mode (nearest / linear) and per-axis parameters");
  for (size_t a = 0; a < r; ++a)
    if (k.ints(3 + 3 * a) <= 0 || k.ints(4 + 3 * a) <= 0 || k.floats(a) <= 0)
      return badKernel(k, "non-positive extent or scale");
  auto prepared = byDType<Resize>(k, k, s);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, false);
  (*prepared)->work.vector_ops = numElements(k.shapes(1)) * (k.ints(0) == 1 ? 2.0 * (1 << r) : 1.0);
  return prepared;
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareConvTranspose2d(const Kernel &k) {
  auto shapes = operandShapes(k, 3, 3);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0].size() != 4 || s[1].size() != 4 || s[2].size() != 4 || k.ints_size() != 12)
    return badKernel(k, "expects 4-D X, W, Y and 12 window parameters");
  if (s[0][1] != s[1][0] || s[1][1] != s[2][1] || s[0][0] != s[2][0])
    return badKernel(k, "channel or batch extents do not match");
  if (k.ints(0) <= 0 || k.ints(6) <= 0) return badKernel(k, "non-positive stride");
  auto prepared = byDType<ConvTranspose2d>(k, k, s);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, k.accumulate());
  (*prepared)->work.mau_flops = 2.0 * s[2][0] * s[2][1] * s[2][2] * s[2][3] * s[0][1] * s[1][2] *
                                s[1][3] / std::max<int64_t>(1, k.ints(0) * k.ints(6));
  return prepared;
}

}  // namespace pfcomp::device::kernels
