// Reductions and the normalisations built on them: Reduce{Sum,Mean,Max,Min}, Softmax /
// LogSoftmax along one axis, LayerNormalization over trailing axes.
#include "runtime/device/kernels/kernel_util.h"

#include <cmath>
#include <limits>

namespace pfcomp::device::kernels {
namespace {

enum class ReduceFn { Sum, Mean, Max, Min, Prod };

template <typename T>
class Reduce : public PreparedKernel {
 public:
  // X tile, Y tile of the same rank with extent 1 on reduced axes. Chunks after the first
  // accumulate; the last (finalize) divides by floats[0] (the full count) for Mean.
  Reduce(const Kernel &k, ReduceFn fn, std::vector<Dims> s)
      : fn_(fn), x_(k.addrs(0)), y_(k.addrs(1)), xs_(s[0]), ys_(s[1]),
        sy_(broadcastStrides(s[1], s[0])), accumulate_(k.accumulate()),
        divide_(fn == ReduceFn::Mean && k.finalize() && k.floats_size() ? k.floats(0) : 0) {}

  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    int64_t ny = 1, nx = 1;
    for (int64_t d : ys_) ny *= d;
    for (int64_t d : xs_) nx *= d;
    if (!accumulate_) {
      using L = std::numeric_limits<T>;
      T init = fn_ == ReduceFn::Max   ? (L::has_infinity ? -L::infinity() : L::lowest())
               : fn_ == ReduceFn::Min ? (L::has_infinity ? L::infinity() : L::max())
               : fn_ == ReduceFn::Prod ? T(1)
                                      : T(0);
      for (int64_t i = 0; i < ny; ++i) y[i] = init;
    }
    const int rank = xs_.size();
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < nx; ++i) {
      int64_t o = 0;
      for (int d = 0; d < rank; ++d) o += idx[d] * sy_[d];
      T v = x[i];
      switch (fn_) {
        case ReduceFn::Sum: case ReduceFn::Mean: y[o] += v; break;
        case ReduceFn::Max: if (v > y[o]) y[o] = v; break;
        case ReduceFn::Min: if (v < y[o]) y[o] = v; break;
        case ReduceFn::Prod: y[o] *= v; break;
      }
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < xs_[d]) break;
        idx[d] = 0;
      }
    }
    if (divide_ > 0)
      for (int64_t i = 0; i < ny; ++i) y[i] = static_cast<T>(y[i] / divide_);
  }

 private:
  ReduceFn fn_;
  int64_t x_, y_;
  Dims xs_, ys_, sy_;
  bool accumulate_;
  double divide_;
};

template <typename T>
class Softmax : public PreparedKernel {
 public:
  Softmax(const Kernel &k, bool log, std::vector<Dims> s)
      : log_(log), x_(k.addrs(0)), y_(k.addrs(1)), v_(s[0], k.ints(0), false) {}

  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    for (int64_t o = 0; o < v_.outer; ++o)
      for (int64_t in = 0; in < v_.inner; ++in) {
        const int64_t base = o * v_.len * v_.inner + in;
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t i = 0; i < v_.len; ++i) mx = std::max<double>(mx, x[base + i * v_.inner]);
        double sum = 0;
        for (int64_t i = 0; i < v_.len; ++i) sum += std::exp(double(x[base + i * v_.inner]) - mx);
        for (int64_t i = 0; i < v_.len; ++i) {
          double z = double(x[base + i * v_.inner]) - mx;
          y[base + i * v_.inner] = static_cast<T>(log_ ? z - std::log(sum) : std::exp(z) / sum);
        }
      }
  }

 private:
  bool log_;
  int64_t x_, y_;
  AxisSplit v_;
};

template <typename T>
class LayerNorm : public PreparedKernel {
 public:
  // X, Scale, [Bias,] Y; Scale / Bias broadcast over the normalised axes [axis, rank).
  LayerNorm(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), scale_(k.addrs(1)), bias_(s.size() == 4 ? k.addrs(2) : -1),
        y_(k.addrs(s.size() - 1)), eps_(k.floats(0)), v_(s[0], k.ints(0), true),
        scaleLen_(numElements(k.shapes(1))), biasLen_(s.size() == 4 ? numElements(k.shapes(2)) : 0) {}

  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_);
    const T *g = at<T>(lm, scale_);
    const T *b = bias_ >= 0 ? at<T>(lm, bias_) : nullptr;
    T *y = at<T>(lm, y_);
    const int64_t n = v_.len;
    for (int64_t o = 0; o < v_.outer; ++o) {
      const T *xr = x + o * n;
      T *yr = y + o * n;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < n; ++i) mean += xr[i];
      mean /= n;
      for (int64_t i = 0; i < n; ++i) var += (xr[i] - mean) * (xr[i] - mean);
      var /= n;
      const double inv = 1.0 / std::sqrt(var + eps_);
      for (int64_t i = 0; i < n; ++i) {
        double v = (xr[i] - mean) * inv * g[scaleLen_ == 1 ? 0 : i];
        if (b) v += b[biasLen_ == 1 ? 0 : i];
        yr[i] = static_cast<T>(v);
      }
    }
  }

 private:
  int64_t x_, scale_, bias_, y_;
  double eps_;
  AxisSplit v_;
  int64_t scaleLen_, biasLen_;
};

template <typename T>
class InstanceNorm : public PreparedKernel {
 public:
  // X[N, C, S...], scale[C], bias[C], Y: each (n, c) plane normalised over S.
  InstanceNorm(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), g_(k.addrs(1)), b_(k.addrs(2)), y_(k.addrs(3)), eps_(k.floats(0)),
        n_(s[0][0]), c_(s[0][1]) {
    plane_ = 1;
    for (size_t d = 2; d < s[0].size(); ++d) plane_ *= s[0][d];
  }
  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_), *g = at<T>(lm, g_), *b = at<T>(lm, b_);
    T *y = at<T>(lm, y_);
    for (int64_t n = 0; n < n_; ++n)
      for (int64_t c = 0; c < c_; ++c) {
        const T *xp = x + (n * c_ + c) * plane_;
        T *yp = y + (n * c_ + c) * plane_;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < plane_; ++i) mean += xp[i];
        mean /= plane_;
        for (int64_t i = 0; i < plane_; ++i) var += (xp[i] - mean) * (xp[i] - mean);
        var /= plane_;
        const double inv = 1.0 / std::sqrt(var + eps_);
        for (int64_t i = 0; i < plane_; ++i) yp[i] = static_cast<T>((xp[i] - mean) * inv * g[c] + b[c]);
      }
  }

 private:
  int64_t x_, g_, b_, y_;
  double eps_;
  int64_t n_, c_, plane_;
};

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareInstanceNorm(const Kernel &k) {
  auto shapes = operandShapes(k, 4, 4);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0].size() < 3 || s[0] != s[3] || k.floats_size() != 1 ||
      numElements(k.shapes(1)) != s[0][1] || numElements(k.shapes(2)) != s[0][1])
    return badKernel(k, "expects X[N, C, ...], scale[C], bias[C], Y and epsilon");
  auto prepared = byDType<InstanceNorm>(k, k, s);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, false);
  (*prepared)->work.vector_ops = numElements(k.shapes(0)) * 6.0;
  return prepared;
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareReduce(const Kernel &k, llvm::StringRef fn) {
  ReduceFn f;
  if (fn == "Sum") f = ReduceFn::Sum;
  else if (fn == "Mean") f = ReduceFn::Mean;
  else if (fn == "Max") f = ReduceFn::Max;
  else if (fn == "Min") f = ReduceFn::Min;
  else if (fn == "Prod") f = ReduceFn::Prod;
  else return badKernel(k, "unknown reduction");
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0].size() != s[1].size()) return badKernel(k, "X and Y ranks differ");
  for (size_t d = 0; d < s[0].size(); ++d)
    if (s[1][d] != s[0][d] && s[1][d] != 1) return badKernel(k, "Y is not X with reduced axes");
  auto prepared = byDTypeWithInts<Reduce>(k, k, f, s);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, k.accumulate());
  (*prepared)->work.vector_ops = numElements(k.shapes(0));
  return prepared;
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareSoftmax(const Kernel &k, bool log) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0] != s[1] || k.ints_size() != 1 || k.ints(0) < 0 || k.ints(0) >= int64_t(s[0].size()))
    return badKernel(k, "expects equal X, Y shapes and an axis");
  auto prepared = byDType<Softmax>(k, k, log, s);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, false);
  (*prepared)->work.vector_ops = numElements(k.shapes(0)) * 12.0;
  return prepared;
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareLayerNorm(const Kernel &k) {
  auto shapes = operandShapes(k, 3, 4);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s.front() != s.back() || k.ints_size() != 1 || k.floats_size() != 1 || k.ints(0) < 0 ||
      k.ints(0) >= int64_t(s[0].size()))
    return badKernel(k, "expects equal X, Y shapes, an axis and epsilon");
  AxisSplit v(s[0], k.ints(0), true);
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    int64_t n = numElements(k.shapes(i));
    if (n != 1 && n != v.len) return badKernel(k, "scale / bias do not match the normalised axes");
  }
  auto prepared = byDType<LayerNorm>(k, k, s);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, false);
  (*prepared)->work.vector_ops = numElements(k.shapes(0)) * 6.0;
  return prepared;
}

}  // namespace pfcomp::device::kernels
