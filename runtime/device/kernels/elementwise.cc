// Elementwise PE kernels: unary functions on a tile and binary ops with numpy broadcasting.
#include "runtime/device/kernels/kernel_util.h"

#include <cmath>
#include <map>

namespace pfcomp::device::kernels {
namespace {

struct UnaryFn {
  double (*fn)(double x, const double *p);
  double cost;  // vector ops per element
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplus(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }

const std::map<std::string, UnaryFn, std::less<>> &unaryFns() {
  static const std::map<std::string, UnaryFn, std::less<>> fns = {
      {"Identity", {[](double x, const double *) { return x; }, 1}},
      {"Relu", {[](double x, const double *) { return x > 0 ? x : 0.0; }, 1}},
      {"Sigmoid", {[](double x, const double *) { return sigmoid(x); }, 8}},
      {"Tanh", {[](double x, const double *) { return std::tanh(x); }, 8}},
      {"Exp", {[](double x, const double *) { return std::exp(x); }, 8}},
      {"Log", {[](double x, const double *) { return std::log(x); }, 8}},
      {"Sqrt", {[](double x, const double *) { return std::sqrt(x); }, 4}},
      {"Neg", {[](double x, const double *) { return -x; }, 1}},
      {"Abs", {[](double x, const double *) { return std::fabs(x); }, 1}},
      {"Erf", {[](double x, const double *) { return std::erf(x); }, 8}},
      {"Reciprocal", {[](double x, const double *) { return 1.0 / x; }, 4}},
      {"Floor", {[](double x, const double *) { return std::floor(x); }, 1}},
      {"Ceil", {[](double x, const double *) { return std::ceil(x); }, 1}},
      {"Sin", {[](double x, const double *) { return std::sin(x); }, 8}},
      {"Cos", {[](double x, const double *) { return std::cos(x); }, 8}},
      {"Sign", {[](double x, const double *) { return double((x > 0) - (x < 0)); }, 1}},
      {"Not", {[](double x, const double *) { return x == 0 ? 1.0 : 0.0; }, 1}},
      {"Tan", {[](double x, const double *) { return std::tan(x); }, 8}},
      {"Asin", {[](double x, const double *) { return std::asin(x); }, 8}},
      {"Acos", {[](double x, const double *) { return std::acos(x); }, 8}},
      {"Atan", {[](double x, const double *) { return std::atan(x); }, 8}},
      {"Sinh", {[](double x, const double *) { return std::sinh(x); }, 8}},
      {"Cosh", {[](double x, const double *) { return std::cosh(x); }, 8}},
      {"Asinh", {[](double x, const double *) { return std::asinh(x); }, 8}},
      {"Acosh", {[](double x, const double *) { return std::acosh(x); }, 8}},
      {"Atanh", {[](double x, const double *) { return std::atanh(x); }, 8}},
      {"Round", {[](double x, const double *) { return std::nearbyint(x); }, 1}},  // half to even
      {"IsNaN", {[](double x, const double *) { return std::isnan(x) ? 1.0 : 0.0; }, 1}},
      // p[0] = detect_positive, p[1] = detect_negative
      {"IsInf",
       {[](double x, const double *p) {
          return std::isinf(x) && ((x > 0 && p[0] != 0) || (x < 0 && p[1] != 0)) ? 1.0 : 0.0;
        },
        1}},
      // p[0] = alpha
      {"ThresholdedRelu", {[](double x, const double *p) { return x > p[0] ? x : 0.0; }, 1}},
      // p[0] = bias, p[1] = lambd
      {"Shrink",
       {[](double x, const double *p) { return x < -p[1] ? x + p[0] : x > p[1] ? x - p[0] : 0.0; }, 1}},
      {"Softsign", {[](double x, const double *) { return x / (1 + std::fabs(x)); }, 4}},
      {"Softplus", {[](double x, const double *) { return softplus(x); }, 8}},
      {"Mish", {[](double x, const double *) { return x * std::tanh(softplus(x)); }, 12}},
      {"HardSwish",
       {[](double x, const double *) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); }, 3}},
      // p[0] = alpha
      {"LeakyRelu", {[](double x, const double *p) { return x >= 0 ? x : p[0] * x; }, 1}},
      {"Elu", {[](double x, const double *p) { return x >= 0 ? x : p[0] * (std::exp(x) - 1); }, 8}},
      // p[0] = alpha, p[1] = gamma
      {"Selu",
       {[](double x, const double *p) { return p[1] * (x > 0 ? x : p[0] * (std::exp(x) - 1)); },
        8}},
      // p[0] = alpha, p[1] = beta
      {"HardSigmoid",
       {[](double x, const double *p) { return std::max(0.0, std::min(1.0, p[0] * x + p[1])); },
        2}},
      // p[0] = min, p[1] = max
      {"Clip", {[](double x, const double *p) { return std::min(std::max(x, p[0]), p[1]); }, 1}},
      // p[0] = scale, p[1] = shift
      {"Scale", {[](double x, const double *p) { return x * p[0] + p[1]; }, 1}},
      {"Gelu", {[](double x, const double *) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }, 10}},
      {"GeluTanh",
       {[](double x, const double *) {
          return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
        },
        10}},
  };
  return fns;
}

template <typename T>
class Unary : public PreparedKernel {
 public:
  Unary(const Kernel &k, UnaryFn fn, int64_t n) : fn_(fn), n_(n), in_(k.addrs(0)), out_(k.addrs(1)) {
    for (int i = 0; i < k.floats_size() && i < 4; ++i) params_[i] = k.floats(i);
  }
  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, in_);
    T *y = at<T>(lm, out_);
    for (int64_t i = 0; i < n_; ++i) y[i] = static_cast<T>(fn_.fn(x[i], params_));
  }

 private:
  UnaryFn fn_;
  int64_t n_, in_, out_;
  double params_[4] = {0, 0, 0, 0};
};

enum class BinaryOp {
  Add, Sub, Mul, Div, Pow, Max, Min, PRelu,
  // Comparisons and logic give 0 / 1 in the float type.
  Equal, Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor
};

template <typename T>
class Binary : public PreparedKernel {
 public:
  Binary(const Kernel &k, BinaryOp op, std::vector<Dims> shapes)
      : op_(op), a_(k.addrs(0)), b_(k.addrs(1)), out_(k.addrs(2)), out_shape_(shapes[2]),
        sa_(broadcastStrides(shapes[0], shapes[2])), sb_(broadcastStrides(shapes[1], shapes[2])) {}

  void run(uint8_t *lm, const PeTile &) const override {
    const T *a = at<T>(lm, a_);
    const T *b = at<T>(lm, b_);
    T *y = at<T>(lm, out_);
    const int rank = out_shape_.size();
    const int64_t inner = out_shape_[rank - 1];
    const int64_t ia = sa_[rank - 1], ib = sb_[rank - 1];
    int64_t outer = 1;
    for (int d = 0; d < rank - 1; ++d) outer *= out_shape_[d];
    std::vector<int64_t> idx(rank, 0);
    for (int64_t o = 0; o < outer; ++o) {
      int64_t offA = 0, offB = 0;
      for (int d = 0; d < rank - 1; ++d) offA += idx[d] * sa_[d], offB += idx[d] * sb_[d];
      T *row = y + o * inner;
      // Out may alias `a` (an epilogue adding into the output tile): element order keeps it safe.
      for (int64_t i = 0; i < inner; ++i) row[i] = apply(a[offA + i * ia], b[offB + i * ib]);
      for (int d = rank - 2; d >= 0; --d) {
        if (++idx[d] < out_shape_[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  T apply(T x, T y) const {
    switch (op_) {
      case BinaryOp::Add: return x + y;
      case BinaryOp::Sub: return x - y;
      case BinaryOp::Mul: return x * y;
      case BinaryOp::Div:
        if constexpr (std::is_integral_v<T>) return y == 0 ? T(0) : T(x / y);  // no trap on the device
        else return x / y;
      case BinaryOp::Pow: return static_cast<T>(std::pow(x, y));
      case BinaryOp::Max: return x > y ? x : y;
      case BinaryOp::Min: return x < y ? x : y;
      case BinaryOp::PRelu: return x < 0 ? x * y : x;
      case BinaryOp::Equal: return x == y;
      case BinaryOp::Less: return x < y;
      case BinaryOp::Greater: return x > y;
      case BinaryOp::LessOrEqual: return x <= y;
      case BinaryOp::GreaterOrEqual: return x >= y;
      case BinaryOp::And: return x != 0 && y != 0;
      case BinaryOp::Or: return x != 0 || y != 0;
      case BinaryOp::Xor: return (x != 0) != (y != 0);
    }
    return 0;
  }
  BinaryOp op_;
  int64_t a_, b_, out_;
  Dims out_shape_, sa_, sb_;
};

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareUnary(const Kernel &k, llvm::StringRef fn) {
  auto it = unaryFns().find(fn);
  if (it == unaryFns().end()) return badKernel(k, "unknown unary function");
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  int64_t n = numElements(k.shapes(0));
  if (n != numElements(k.shapes(1))) return badKernel(k, "input and output sizes differ");
  auto prepared = byDTypeWithInts<Unary>(k, k, it->second, n);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, *shapes, false);
  (*prepared)->work.vector_ops = n * it->second.cost;
  return prepared;
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareBinary(const Kernel &k, llvm::StringRef fn) {
  static const std::map<std::string, BinaryOp, std::less<>> ops = {
      {"Add", BinaryOp::Add}, {"Sub", BinaryOp::Sub}, {"Mul", BinaryOp::Mul},
      {"Div", BinaryOp::Div}, {"Pow", BinaryOp::Pow}, {"Max", BinaryOp::Max},
      {"Min", BinaryOp::Min}, {"PRelu", BinaryOp::PRelu}, {"Equal", BinaryOp::Equal},
      {"Less", BinaryOp::Less}, {"Greater", BinaryOp::Greater},
      {"LessOrEqual", BinaryOp::LessOrEqual}, {"GreaterOrEqual", BinaryOp::GreaterOrEqual},
      {"And", BinaryOp::And}, {"Or", BinaryOp::Or}, {"Xor", BinaryOp::Xor}};
  auto it = ops.find(fn);
  if (it == ops.end()) return badKernel(k, "unknown binary op");
  auto shapes = operandShapes(k, 3, 3);
  if (!shapes) return shapes.takeError();
  const Dims &out = (*shapes)[2];
  for (int i = 0; i < 2; ++i) {
    const Dims &in = (*shapes)[i];
    if (in.size() != out.size()) return badKernel(k, "operand ranks differ");
    for (size_t d = 0; d < in.size(); ++d)
      if (in[d] != out[d] && in[d] != 1) return badKernel(k, "operand does not broadcast to output");
  }
  auto prepared = byDTypeWithInts<Binary>(k, k, it->second, *shapes);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, *shapes, false);
  (*prepared)->work.vector_ops = numElements(k.shapes(2)) * (it->second == BinaryOp::Pow ? 8 : 1);
  return prepared;
}

}  // namespace pfcomp::device::kernels
