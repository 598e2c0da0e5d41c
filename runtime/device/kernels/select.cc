// Selection and scan PE kernels: Where (select by a 0/1 mask with broadcasting), ArgMax / ArgMin
// along an axis (the index is held in the float type), and CumSum along an axis.
#include "runtime/device/kernels/kernel_util.h"

#include <algorithm>

namespace pfcomp::device::kernels {
namespace {

template <typename T>
class Where : public PreparedKernel {
 public:
  // cond, x, y, out: all of the output's rank, inputs broadcast.
  Where(const Kernel &k, std::vector<Dims> s) : out_shape_(s[3]) {
    for (int i = 0; i < 4; ++i) addr_[i] = k.addrs(i);
    for (int i = 0; i < 3; ++i) strides_[i] = broadcastStrides(s[i], s[3]);
  }
  void run(uint8_t *lm, const PeTile &) const override {
    const T *c = at<T>(lm, addr_[0]), *x = at<T>(lm, addr_[1]), *y = at<T>(lm, addr_[2]);
    T *o = at<T>(lm, addr_[3]);
    const int rank = out_shape_.size();
    int64_t n = 1;
    for (int64_t d : out_shape_) n *= d;
    std::vector<int64_t> idx(rank, 0);
    for (int64_t e = 0; e < n; ++e) {
      int64_t off[3] = {0, 0, 0};
      for (int d = 0; d < rank; ++d)
        for (int i = 0; i < 3; ++i) off[i] += idx[d] * strides_[i][d];
      o[e] = c[off[0]] != 0 ? x[off[1]] : y[off[2]];
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < out_shape_[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  int64_t addr_[4];
  Dims strides_[3], out_shape_;
};

template <typename T>
class Clamp : public PreparedKernel {
 public:
  // x, [lo], [hi], out (bounds broadcast); ints = has lo, has hi; floats = fixed lo, hi.
  Clamp(const Kernel &k, std::vector<Dims> s) : out_shape_(s.back()) {
    hasLo_ = k.ints(0), hasHi_ = k.ints(1);
    lo_ = k.floats(0), hi_ = k.floats(1);
    for (size_t i = 0; i < s.size(); ++i) {
      addr_.push_back(k.addrs(i));
      strides_.push_back(broadcastStrides(s[i], s.back()));
    }
  }
  void run(uint8_t *lm, const PeTile &) const override {
    const int rank = out_shape_.size();
    const size_t out = addr_.size() - 1;
    int64_t n = 1;
    for (int64_t d : out_shape_) n *= d;
    std::vector<int64_t> idx(rank, 0);
    T *o = at<T>(lm, addr_[out]);
    for (int64_t e = 0; e < n; ++e) {
      auto get = [&](size_t i) {
        int64_t off = 0;
        for (int d = 0; d < rank; ++d) off += idx[d] * strides_[i][d];
        return static_cast<double>(at<T>(lm, addr_[i])[off]);
      };
      double v = get(0);
      size_t next = 1;
      double lo = hasLo_ ? get(next++) : lo_, hi = hasHi_ ? get(next) : hi_;
      o[e] = static_cast<T>(std::min(std::max(v, lo), hi));
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < out_shape_[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  bool hasLo_, hasHi_;
  double lo_, hi_;
  std::vector<int64_t> addr_;
  std::vector<Dims> strides_;
  Dims out_shape_;
};

template <typename T>
class ArgReduce : public PreparedKernel {
 public:
  // X, Y (X with extent 1 on the axis); ints = axis, select_last_index.
  ArgReduce(const Kernel &k, bool isMax, std::vector<Dims> s)
      : isMax_(isMax), last_(k.ints(1)), x_(k.addrs(0)), y_(k.addrs(1)), v_(s[0], k.ints(0)) {}
  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    for (int64_t o = 0; o < v_.outer; ++o)
      for (int64_t in = 0; in < v_.inner; ++in) {
        const T *p = x + o * v_.len * v_.inner + in;
        int64_t best = 0;
        for (int64_t i = 1; i < v_.len; ++i) {
          T a = p[i * v_.inner], b = p[best * v_.inner];
          bool better = isMax_ ? (a > b || (last_ && a == b)) : (a < b || (last_ && a == b));
          if (better) best = i;
        }
        y[o * v_.inner + in] = static_cast<T>(best);
      }
  }

 private:
  bool isMax_, last_;
  int64_t x_, y_;
  AxisSplit v_;
};

template <typename T>
class Hardmax : public PreparedKernel {
 public:
  // X, Y of one shape; ints = axis. 1 at the first maximum along the axis, 0 elsewhere.
  Hardmax(const Kernel &k, std::vector<Dims> s) : x_(k.addrs(0)), y_(k.addrs(1)), v_(s[0], k.ints(0)) {}
  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    for (int64_t o = 0; o < v_.outer; ++o)
      for (int64_t in = 0; in < v_.inner; ++in) {
        const int64_t base = o * v_.len * v_.inner + in;
        int64_t best = 0;
        for (int64_t i = 1; i < v_.len; ++i)
          if (x[base + i * v_.inner] > x[base + best * v_.inner]) best = i;
        for (int64_t i = 0; i < v_.len; ++i) y[base + i * v_.inner] = T(i == best ? 1 : 0);
      }
  }

 private:
  int64_t x_, y_;
  AxisSplit v_;
};

template <typename T>
class Trilu : public PreparedKernel {
 public:
  // X, Y of one shape (rank >= 2); ints = upper, k, and the output axes of the last two tile
  // axes (their absolute positions decide which elements are kept).
  Trilu(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), y_(k.addrs(1)), upper_(k.ints(0)), k_(k.ints(1)), rowAxis_(k.ints(2)),
        colAxis_(k.ints(3)), rows_(s[0][s[0].size() - 2]), cols_(s[0].back()) {
    planes_ = 1;
    for (size_t d = 0; d + 2 < s[0].size(); ++d) planes_ *= s[0][d];
  }
  void run(uint8_t *lm, const PeTile &tile) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    const int64_t r0 = tile.tile_start[rowAxis_], c0 = tile.tile_start[colAxis_];
    for (int64_t p = 0; p < planes_; ++p)
      for (int64_t i = 0; i < rows_; ++i)
        for (int64_t j = 0; j < cols_; ++j) {
          const int64_t e = (p * rows_ + i) * cols_ + j, diff = (c0 + j) - (r0 + i);
          y[e] = (upper_ ? diff >= k_ : diff <= k_) ? x[e] : T(0);
        }
  }

 private:
  int64_t x_, y_, upper_, k_, rowAxis_, colAxis_, rows_, cols_, planes_ = 1;
};

template <typename T>
class CumSum : public PreparedKernel {
 public:
  // ints = axis, exclusive, reverse.
  CumSum(const Kernel &k, std::vector<Dims> s)
      : x_(k.addrs(0)), y_(k.addrs(1)), v_(s[0], k.ints(0)), exclusive_(k.ints(1)), reverse_(k.ints(2)) {}
  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, x_);
    T *y = at<T>(lm, y_);
    for (int64_t o = 0; o < v_.outer; ++o)
      for (int64_t in = 0; in < v_.inner; ++in) {
        const int64_t base = o * v_.len * v_.inner + in;
        double acc = 0;
        for (int64_t j = 0; j < v_.len; ++j) {
          int64_t i = reverse_ ? v_.len - 1 - j : j;
          double v = x[base + i * v_.inner];
          if (exclusive_) {
            y[base + i * v_.inner] = static_cast<T>(acc);
            acc += v;
          } else {
            acc += v;
            y[base + i * v_.inner] = static_cast<T>(acc);
          }
        }
      }
  }

 private:
  int64_t x_, y_;
  AxisSplit v_;
  bool exclusive_, reverse_;
};


// Every operand but the last (the output) has the output's rank and broadcasts to it.
llvm::Error checkBroadcastToOutput(const Kernel &k, const std::vector<Dims> &s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i].size() != s.back().size()) return badKernel(k, "operand ranks differ");
    for (size_t d = 0; d < s[i].size(); ++d)
      if (s[i][d] != s.back()[d] && s[i][d] != 1) return badKernel(k, "operand does not broadcast to output");
  }
  return llvm::Error::success();
}

// A selection kernel on float or integer tiles: the output is written, not read, and the PE does
// `vectorOps` element operations.
template <template <typename> class Impl, typename... Args>
llvm::Expected<std::unique_ptr<PreparedKernel>> selectionKernel(const Kernel &k, const std::vector<Dims> &s,
                                                                double vectorOps, Args &&...args) {
  auto prepared = byDTypeWithInts<Impl>(k, std::forward<Args>(args)...);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, s, false);
  (*prepared)->work.vector_ops = vectorOps;
  return prepared;
}

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareWhere(const Kernel &k) {
  auto shapes = operandShapes(k, 4, 4);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (auto err = checkBroadcastToOutput(k, s)) return std::move(err);
  return selectionKernel<Where>(k, s, numElements(k.shapes(3)), k, s);
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareClamp(const Kernel &k) {
  auto shapes = operandShapes(k, 2, 4);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (k.ints_size() != 2 || k.floats_size() != 2 || int(s.size()) != 2 + k.ints(0) + k.ints(1))
    return badKernel(k, "expects x, the runtime bounds flagged in ints, out and two fixed bounds");
  if (auto err = checkBroadcastToOutput(k, s)) return std::move(err);
  return selectionKernel<Clamp>(k, s, 2.0 * numElements(k.shapes(s.size() - 1)), k, s);
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareArgReduce(const Kernel &k, llvm::StringRef fn) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (k.ints_size() != 2 || k.ints(0) < 0 || k.ints(0) >= int64_t(s[0].size()) ||
      s[1].size() != s[0].size() || s[1][k.ints(0)] != 1)
    return badKernel(k, "expects X, Y with extent 1 on the axis, and axis, select_last_index");
  if (fn != "Max" && fn != "Min") return badKernel(k, "unknown arg-reduction");
  return selectionKernel<ArgReduce>(k, s, numElements(k.shapes(0)), k, fn == "Max", s);
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareHardmax(const Kernel &k) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0] != s[1] || k.ints_size() != 1 || k.ints(0) < 0 || k.ints(0) >= int64_t(s[0].size()))
    return badKernel(k, "expects equal X, Y and an axis");
  return selectionKernel<Hardmax>(k, s, 2.0 * numElements(k.shapes(0)), k, s);
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareTrilu(const Kernel &k) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0] != s[1] || s[0].size() < 2 || k.ints_size() != 4 || k.ints(2) < 0 || k.ints(3) < 0)
    return badKernel(k, "expects equal X, Y of rank >= 2 and upper, k, row axis, column axis");
  return selectionKernel<Trilu>(k, s, numElements(k.shapes(0)), k, s);
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareCumSum(const Kernel &k) {
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  const auto &s = *shapes;
  if (s[0] != s[1] || k.ints_size() != 3 || k.ints(0) < 0 || k.ints(0) >= int64_t(s[0].size()))
    return badKernel(k, "expects equal X, Y and axis, exclusive, reverse");
  return selectionKernel<CumSum>(k, s, numElements(k.shapes(0)), k, s);
}

}  // namespace pfcomp::device::kernels
