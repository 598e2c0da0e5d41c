// Elementwise kernels on integer tiles of every width: exact results with the type's
// wrap-around (numpy's), Mod in both sign conventions and BitShift.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/kernels/kernel.h"

#include <cstring>
#include <vector>

using namespace pfcomp::device;

namespace {

// Runs a binary kernel on two same-shape 1-D operands placed at 0, 64 and 128 in LM.
template <typename T>
std::vector<T> runBinary(DType dtype, const std::string &op, const std::vector<T> &a,
                         const std::vector<T> &b, std::vector<int64_t> ints = {}) {
  Kernel k;
  k.set_op(op);
  k.set_dtype(dtype);
  for (int64_t addr : {0, 64, 128}) {
    k.add_addrs(addr);
    k.add_shapes()->add_dims(a.size());
  }
  for (int64_t i : ints) k.add_ints(i);
  auto prepared = prepareKernel(k);
  REQUIRE(static_cast<bool>(prepared));
  std::vector<uint8_t> lm(256, 0);
  std::memcpy(lm.data(), a.data(), a.size() * sizeof(T));
  std::memcpy(lm.data() + 64, b.data(), b.size() * sizeof(T));
  (*prepared)->run(lm.data(), PeTile{});
  std::vector<T> out(a.size());
  std::memcpy(out.data(), lm.data() + 128, out.size() * sizeof(T));
  return out;
}

template <typename T>
std::vector<T> runUnary(DType dtype, const std::string &op, const std::vector<T> &x,
                        std::vector<double> floats = {}) {
  Kernel k;
  k.set_op(op);
  k.set_dtype(dtype);
  for (int64_t addr : {0, 64}) {
    k.add_addrs(addr);
    k.add_shapes()->add_dims(x.size());
  }
  for (double f : floats) k.add_floats(f);
  auto prepared = prepareKernel(k);
  REQUIRE(static_cast<bool>(prepared));
  std::vector<uint8_t> lm(128, 0);
  std::memcpy(lm.data(), x.data(), x.size() * sizeof(T));
  (*prepared)->run(lm.data(), PeTile{});
  std::vector<T> out(x.size());
  std::memcpy(out.data(), lm.data() + 64, out.size() * sizeof(T));
  return out;
}

}  // namespace

TEST_CASE("narrow integer arithmetic wraps per type") {
  CHECK(runBinary<uint8_t>(U8, "binary:Add", {250, 3}, {10, 4}) == std::vector<uint8_t>{4, 7});
  CHECK(runBinary<int8_t>(I8, "binary:Mul", {100, -3}, {2, 5}) == std::vector<int8_t>{-56, -15});
  CHECK(runBinary<uint16_t>(U16, "binary:Sub", {1, 9}, {2, 4}) == std::vector<uint16_t>{65535, 5});
  CHECK(runBinary<uint32_t>(U32, "binary:Div", {7, 9}, {2, 0}) == std::vector<uint32_t>{3, 0});
  CHECK(runBinary<int16_t>(I16, "binary:Max", {-5, 300}, {-7, 299}) == std::vector<int16_t>{-5, 300});
  CHECK(runBinary<uint64_t>(U64, "binary:Min", {~0ull, 1}, {~0ull - 1, 2}) ==
        std::vector<uint64_t>{~0ull - 1, 1});
  CHECK(runBinary<int64_t>(I64, "binary:Pow", {3, -2, 5}, {3, 3, -1}) == std::vector<int64_t>{27, -8, 0});
  CHECK(runBinary<uint16_t>(U16, "binary:Mul", {65535, 300}, {65535, 300}) == std::vector<uint16_t>{1, 24464});
  CHECK(runBinary<int64_t>(I64, "binary:Add", {INT64_MAX, 1}, {1, 2}) == std::vector<int64_t>{INT64_MIN, 3});
  CHECK(runBinary<int32_t>(I32, "binary:Div", {INT32_MIN, -7}, {-1, 2}) == std::vector<int32_t>{INT32_MIN, -3});
}

TEST_CASE("Mod follows the divisor's sign, fmod the dividend's") {
  const std::vector<int32_t> x = {-4, 7, 5, -9}, y = {3, -3, 0, -2};
  CHECK(runBinary<int32_t>(I32, "binary:Mod", x, y, {0}) == std::vector<int32_t>{2, -2, 0, -1});
  CHECK(runBinary<int32_t>(I32, "binary:Mod", x, y, {1}) == std::vector<int32_t>{-1, 1, 0, -1});
  CHECK(runBinary<int8_t>(I8, "binary:Mod", {-128, 5}, {-1, 3}, {0}) == std::vector<int8_t>{0, 2});
  CHECK(runBinary<uint8_t>(U8, "binary:Mod", {200, 7}, {7, 9}, {0}) == std::vector<uint8_t>{4, 7});
  auto f = runBinary<float>(F32, "binary:Mod", {-4.3f, 7.5f}, {2.1f, -2.0f}, {1});
  CHECK(f[0] == Approx(-0.1f).margin(1e-5));
  CHECK(f[1] == Approx(1.5f));
  Kernel k;  // Python-style Mod is defined on integers only
  k.set_op("binary:Mod");
  k.set_dtype(F32);
  for (int64_t addr : {0, 64, 128}) k.add_addrs(addr), k.add_shapes()->add_dims(2);
  auto refused = prepareKernel(k);
  CHECK_FALSE(static_cast<bool>(refused));
  llvm::consumeError(refused.takeError());
}

TEST_CASE("BitShift shifts unsigned values and drops what leaves the type") {
  CHECK(runBinary<uint8_t>(U8, "binary:BitShift", {16, 4, 1}, {1, 2, 8}, {1}) ==
        std::vector<uint8_t>{32, 16, 0});
  CHECK(runBinary<uint16_t>(U16, "binary:BitShift", {16, 4, 0x8000}, {1, 2, 15}, {0}) ==
        std::vector<uint16_t>{8, 1, 1});
  CHECK(runBinary<uint64_t>(U64, "binary:BitShift", {1, 3}, {63, 1}, {1}) ==
        std::vector<uint64_t>{1ull << 63, 6});
}

TEST_CASE("integer unary ops are exact, also beyond 2^53") {
  const int64_t big = (int64_t{1} << 62) + 1;
  CHECK(runUnary<int64_t>(I64, "unary:Neg", {big, -3}) == std::vector<int64_t>{-big, 3});
  CHECK(runUnary<int64_t>(I64, "unary:Abs", {-big, 3}) == std::vector<int64_t>{big, 3});
  CHECK(runUnary<int8_t>(I8, "unary:Neg", {-128, 5}) == std::vector<int8_t>{-128, -5});
  CHECK(runUnary<int16_t>(I16, "unary:Relu", {-7, 7}) == std::vector<int16_t>{0, 7});
  CHECK(runUnary<uint32_t>(U32, "unary:Sign", {0, 9}) == std::vector<uint32_t>{0, 1});
  CHECK(runUnary<int8_t>(I8, "unary:Clip", {-100, 0, 100}, {-5, 90}) == std::vector<int8_t>{-5, 0, 90});
}

TEST_CASE("int32 matmul accumulates exactly beyond float precision") {
  // A[1x2] x B[2x1]: (2^24 + 1) * 1 + 1 * 2 is not representable in fp32, exact in int32.
  Kernel k;
  k.set_op("matmul");
  k.set_dtype(I32);
  const std::vector<std::vector<int64_t>> shapes = {{1, 2}, {2, 1}, {1, 1}};
  for (int i = 0; i < 3; ++i) {
    k.add_addrs(64 * i);
    auto *s = k.add_shapes();
    for (int64_t d : shapes[i]) s->add_dims(d);
  }
  auto prepared = prepareKernel(k);
  REQUIRE(static_cast<bool>(prepared));
  std::vector<uint8_t> lm(192, 0);
  const int32_t a[2] = {(1 << 24) + 1, 1}, b[2] = {1, 2};
  std::memcpy(lm.data(), a, sizeof(a));
  std::memcpy(lm.data() + 64, b, sizeof(b));
  (*prepared)->run(lm.data(), PeTile{});
  int32_t c;
  std::memcpy(&c, lm.data() + 128, sizeof(c));
  CHECK(c == (1 << 24) + 3);
}
