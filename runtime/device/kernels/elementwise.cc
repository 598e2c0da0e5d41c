// Elementwise PE kernels: unary functions on a tile and binary ops with numpy broadcasting.
#include "runtime/device/kernels/kernel_util.h"

#include "llvm/ADT/SmallVector.h"

#include <cmath>
#include <map>
#include <type_traits>

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

// Unary functions with an exact form on integer tiles (no detour through double, which would
// round 64-bit values); the others convert each element to double and back.
enum class IntUnary { None, Identity, Relu, Neg, Abs, Sign, Clip, Not };

IntUnary intUnaryOf(llvm::StringRef fn) {
  static const std::map<std::string, IntUnary, std::less<>> ops = {
      {"Identity", IntUnary::Identity}, {"Relu", IntUnary::Relu}, {"Neg", IntUnary::Neg},
      {"Abs", IntUnary::Abs}, {"Sign", IntUnary::Sign}, {"Clip", IntUnary::Clip}, {"Not", IntUnary::Not}};
  auto it = ops.find(fn);
  return it == ops.end() ? IntUnary::None : it->second;
}

template <typename T>
class Unary : public PreparedKernel {
 public:
  Unary(const Kernel &k, UnaryFn fn, IntUnary intFn, int64_t n)
      : fn_(fn), int_fn_(intFn), n_(n), in_(k.addrs(0)), out_(k.addrs(1)) {
    for (int i = 0; i < k.floats_size() && i < 4; ++i) params_[i] = k.floats(i);
    if (fn.fn == unaryFns().at("Relu").fn) inline_ = Inline::Relu;
    if (fn.fn == unaryFns().at("Clip").fn) inline_ = Inline::Clip;
  }
  void run(uint8_t *lm, const PeTile &) const override {
    const T *x = at<T>(lm, in_);
    T *y = at<T>(lm, out_);
    if constexpr (std::is_floating_point_v<T>) {  // the hot ones without a call per element
      if (inline_ == Inline::Relu) {
        for (int64_t i = 0; i < n_; ++i) y[i] = x[i] > 0 ? x[i] : T(0);
        return;
      }
      if (inline_ == Inline::Clip) {
        const T lo = static_cast<T>(params_[0]), hi = static_cast<T>(params_[1]);
        for (int64_t i = 0; i < n_; ++i) y[i] = std::min(std::max(x[i], lo), hi);
        return;
      }
    }
    if constexpr (std::is_integral_v<T>) {
      if (int_fn_ != IntUnary::None) {
        for (int64_t i = 0; i < n_; ++i) y[i] = applyInt(x[i]);
        return;
      }
    }
    for (int64_t i = 0; i < n_; ++i) y[i] = static_cast<T>(fn_.fn(x[i], params_));
  }

 private:
  T applyInt(T x) const {
    const T zero = 0;
    switch (int_fn_) {
      case IntUnary::Relu: return x > zero ? x : zero;
      case IntUnary::Neg: return static_cast<T>(zero - x);  // wraps, as numpy's negative does
      case IntUnary::Abs: return x < zero ? static_cast<T>(zero - x) : x;
      case IntUnary::Sign: return static_cast<T>((x > zero) - (x < zero));
      case IntUnary::Not: return x == zero;
      case IntUnary::Clip:  // bounds are attributes (floats): compare in double, exact below 2^53
        if (static_cast<double>(x) < params_[0]) return static_cast<T>(params_[0]);
        if (static_cast<double>(x) > params_[1]) return static_cast<T>(params_[1]);
        return x;
      default: return x;
    }
  }
  UnaryFn fn_;
  enum class Inline { None, Relu, Clip } inline_ = Inline::None;
  IntUnary int_fn_;
  int64_t n_, in_, out_;
  double params_[4] = {0, 0, 0, 0};
};

enum class BinaryOp {
  Add, Sub, Mul, Div, Pow, Max, Min, PRelu,
  // Mod: the result takes the divisor's sign (Python's %); FMod: the dividend's (C's fmod).
  Mod, FMod, ShiftLeft, ShiftRight,
  // Comparisons and logic give 0 / 1 in the float type.
  Equal, Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor
};

template <typename T>
class Binary : public PreparedKernel {
 public:
  Binary(const Kernel &k, BinaryOp op, std::vector<Dims> shapes)
      : op_(op), a_(k.addrs(0)), b_(k.addrs(1)), out_(k.addrs(2)), out_shape_(shapes[2]),
        sa_(broadcastStrides(shapes[0], shapes[2])), sb_(broadcastStrides(shapes[1], shapes[2])) {
    // One flat loop when neither operand broadcasts, or b is a single element.
    for (int64_t d : out_shape_) n_ *= d;
    auto count = [](const Dims &s) { int64_t n = 1; for (int64_t d : s) n *= d; return n; };
    flatA_ = shapes[0] == shapes[2];
    flatB_ = shapes[1] == shapes[2] ? 1 : count(shapes[1]) == 1 ? 0 : -1;
  }

  void run(uint8_t *lm, const PeTile &) const override {
    const T *a = at<T>(lm, a_);
    const T *b = at<T>(lm, b_);
    T *y = at<T>(lm, out_);
    if constexpr (std::is_floating_point_v<T>) {  // the common ops without a switch per element
      switch (op_) {
        case BinaryOp::Add: return loop(a, b, y, [](T x, T z) { return x + z; });
        case BinaryOp::Sub: return loop(a, b, y, [](T x, T z) { return x - z; });
        case BinaryOp::Mul: return loop(a, b, y, [](T x, T z) { return x * z; });
        case BinaryOp::Div: return loop(a, b, y, [](T x, T z) { return x / z; });
        default: break;
      }
    }
    loop(a, b, y, [this](T x, T z) { return apply(x, z); });
  }

 private:
  template <typename F>
  void loop(const T *a, const T *b, T *y, F f) const {
    if (flatA_ && flatB_ >= 0) {
      for (int64_t i = 0; i < n_; ++i) y[i] = f(a[i], b[i * flatB_]);
      return;
    }
    const int rank = out_shape_.size();
    const int64_t inner = out_shape_[rank - 1];
    const int64_t ia = sa_[rank - 1], ib = sb_[rank - 1];
    int64_t outer = 1;
    for (int d = 0; d < rank - 1; ++d) outer *= out_shape_[d];
    llvm::SmallVector<int64_t, 8> idx(rank, 0);
    for (int64_t o = 0; o < outer; ++o) {
      int64_t offA = 0, offB = 0;
      for (int d = 0; d < rank - 1; ++d) offA += idx[d] * sa_[d], offB += idx[d] * sb_[d];
      T *row = y + o * inner;
      // Out may alias `a` (an epilogue adding into the output tile): element order keeps it safe.
      for (int64_t i = 0; i < inner; ++i) row[i] = f(a[offA + i * ia], b[offB + i * ib]);
      for (int d = rank - 2; d >= 0; --d) {
        if (++idx[d] < out_shape_[d]) break;
        idx[d] = 0;
      }
    }
  }

  T apply(T x, T y) const {
    switch (op_) {
      case BinaryOp::Add: case BinaryOp::Sub: case BinaryOp::Mul:
        if constexpr (std::is_integral_v<T>) {  // modular in an unsigned type: no signed overflow
          using U = std::conditional_t<sizeof(T) < sizeof(unsigned), unsigned, std::make_unsigned_t<T>>;
          const U a = static_cast<U>(x), b = static_cast<U>(y);
          return static_cast<T>(op_ == BinaryOp::Add ? a + b : op_ == BinaryOp::Sub ? a - b : a * b);
        } else {
          return op_ == BinaryOp::Add ? x + y : op_ == BinaryOp::Sub ? x - y : x * y;
        }
      case BinaryOp::Div:
        if constexpr (std::is_integral_v<T>) {  // no trap on the device: x / 0 = 0, MIN / -1 wraps
          if (y == 0) return T(0);
          if constexpr (std::is_signed_v<T>)
            if (y == T(-1)) return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(x));
          return T(x / y);
        } else {
          return x / y;
        }
      case BinaryOp::Pow:
        if constexpr (std::is_integral_v<T>) return intPow(x, y);
        else return static_cast<T>(std::pow(x, y));
      case BinaryOp::Mod: case BinaryOp::FMod: return mod(x, y);
      case BinaryOp::ShiftLeft: case BinaryOp::ShiftRight:
        if constexpr (std::is_integral_v<T>) {
          using U = std::make_unsigned_t<T>;
          if (y < 0 || static_cast<uint64_t>(y) >= sizeof(T) * 8) return 0;
          return static_cast<T>(op_ == BinaryOp::ShiftLeft ? static_cast<U>(static_cast<U>(x) << y)
                                                           : static_cast<U>(static_cast<U>(x) >> y));
        } else {
          return 0;  // refused in prepareBinary
        }
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
  // Integer power by squaring, wrapping like numpy; negative exponents give 0 (1 for base 1 / -1).
  static T intPow(T base, T exp) {
    if constexpr (std::is_signed_v<T>) {
      if (exp < 0) return base == 1 ? T(1) : base == -1 ? T(exp % 2 ? -1 : 1) : T(0);
    }
    using U = std::make_unsigned_t<T>;
    U result = 1, b = static_cast<U>(base);
    for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1, b = static_cast<U>(b * b))
      if (e & 1) result = static_cast<U>(result * b);
    return static_cast<T>(result);
  }
  T mod(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return 0;  // no trap on the device
      if constexpr (std::is_signed_v<T>) {
        if (y == -1) return 0;  // INT_MIN % -1 would trap
        T r = static_cast<T>(x % y);
        if (op_ == BinaryOp::Mod && r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
        return r;
      } else {
        return static_cast<T>(x % y);
      }
    } else {
      T r = std::fmod(x, y);
      if (op_ == BinaryOp::Mod && r != 0 && ((r < 0) != (y < 0))) r += y;
      return r;
    }
  }
  BinaryOp op_;
  int64_t a_, b_, out_;
  Dims out_shape_, sa_, sb_;
  int64_t n_ = 1;
  bool flatA_ = false;
  int64_t flatB_ = -1;  // 1: b has the output's shape, 0: b is one element, -1: b broadcasts otherwise
};

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareUnary(const Kernel &k, llvm::StringRef fn) {
  auto it = unaryFns().find(fn);
  if (it == unaryFns().end()) return badKernel(k, "unknown unary function");
  auto shapes = operandShapes(k, 2, 2);
  if (!shapes) return shapes.takeError();
  int64_t n = numElements(k.shapes(0));
  if (n != numElements(k.shapes(1))) return badKernel(k, "input and output sizes differ");
  auto prepared = byDTypeWithInts<Unary>(k, k, it->second, intUnaryOf(fn), n);
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
      {"And", BinaryOp::And}, {"Or", BinaryOp::Or}, {"Xor", BinaryOp::Xor},
      {"Mod", BinaryOp::Mod}, {"BitShift", BinaryOp::ShiftRight}};
  auto it = ops.find(fn);
  if (it == ops.end()) return badKernel(k, "unknown binary op");
  BinaryOp op = it->second;
  // ints(0): Mod's fmod, BitShift's direction (1 = LEFT).
  const bool flag = k.ints_size() > 0 && k.ints(0) != 0;
  if (op == BinaryOp::Mod && flag) op = BinaryOp::FMod;
  if (op == BinaryOp::ShiftRight && flag) op = BinaryOp::ShiftLeft;
  const bool intTile = k.dtype() != F32 && k.dtype() != F64 && k.dtype() != F16;
  if ((op == BinaryOp::ShiftLeft || op == BinaryOp::ShiftRight) && !intTile)
    return badKernel(k, "BitShift needs an integer element type");
  if (op == BinaryOp::Mod && !intTile) return badKernel(k, "Mod on floats needs fmod=1");
  auto shapes = operandShapes(k, 3, 3);
  if (!shapes) return shapes.takeError();
  const Dims &out = (*shapes)[2];
  for (int i = 0; i < 2; ++i) {
    const Dims &in = (*shapes)[i];
    if (in.size() != out.size()) return badKernel(k, "operand ranks differ");
    for (size_t d = 0; d < in.size(); ++d)
      if (in[d] != out[d] && in[d] != 1) return badKernel(k, "operand does not broadcast to output");
  }
  auto prepared = byDTypeWithInts<Binary>(k, k, op, *shapes);
  if (!prepared) return prepared.takeError();
  setFootprint(**prepared, k, *shapes, false);
  // Pow: a log and an exp (or a squaring loop); Mod: a division, a multiply-subtract, a fix-up.
  const int cost = op == BinaryOp::Pow ? 8 : (op == BinaryOp::Mod || op == BinaryOp::FMod) ? 4 : 1;
  (*prepared)->work.vector_ops = numElements(k.shapes(2)) * cost;
  return prepared;
}

}  // namespace pfcomp::device::kernels
