// Host kernels on the element types and corners the ONNX node tests do not reach: float16,
// unsigned and narrow integers, negative indices, run-time errors and compile-time bounds.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/element_convert.h"
#include "runtime/host/host_ops.h"

#include "llvm/ADT/StringRef.h"

#include <cmath>
#include <cstring>

using namespace pfcomp;
using namespace pfcomp::host;
using device::DType;

namespace {

template <typename T> Tensor make(DType dtype, std::vector<int64_t> shape, std::vector<T> values) {
  Tensor t{dtype, std::move(shape), std::vector<uint8_t>(values.size() * sizeof(T))};
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

template <typename T> std::vector<T> values(const Tensor &t) {
  std::vector<T> v(t.bytes.size() / sizeof(T));
  std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
  return v;
}

Tensor half(std::vector<int64_t> shape, std::vector<float> v) {
  std::vector<uint16_t> h;
  for (float f : v) h.push_back(device::floatToHalf(f));
  return make<uint16_t>(device::F16, std::move(shape), h);
}

Attr intAttr(const char *name, int64_t v) {
  Attr a;
  a.name = name;
  a.i = v;
  return a;
}

Attr stringAttr(const char *name, const char *v) {
  Attr a;
  a.name = name;
  a.kind = Attr::STRING;
  a.s = v;
  return a;
}

std::vector<Tensor> run(llvm::StringRef op, const Attrs &attrs, const std::vector<Tensor> &in, int outs) {
  auto r = runHostOp(op, attrs, in, outs);
  if (!r) FAIL(llvm::toString(r.takeError()));
  return std::move(*r);
}

std::string runFailure(llvm::StringRef op, const Attrs &attrs, const std::vector<Tensor> &in, int outs) {
  auto r = runHostOp(op, attrs, in, outs);
  return r ? std::string("succeeded") : llvm::toString(r.takeError());
}

InputSpec unknown(DType dtype, std::vector<int64_t> shape) { return InputSpec{dtype, std::move(shape), std::nullopt}; }

}  // namespace

TEST_CASE("TopK orders float16, uint64 and ties by index") {
  auto h = run("TopK", {}, {half({5}, {1.5f, -2, 7, 1.5f, 0}), make<int64_t>(device::I64, {1}, {3})}, 2);
  CHECK(values<int64_t>(h[1]) == std::vector<int64_t>{2, 0, 3});
  CHECK(device::halfToFloat(values<uint16_t>(h[0])[0]) == 7);

  const uint64_t big = 1ull << 63;
  auto u = run("TopK", {intAttr("largest", 0)},
               {make<uint64_t>(device::U64, {4}, {big, 3, big + 1, 0}), make<int64_t>(device::I64, {1}, {4})}, 2);
  CHECK(values<uint64_t>(u[0]) == std::vector<uint64_t>{0, 3, big, big + 1});
}

TEST_CASE("Unique on int8 and bool, sorted and in first-occurrence order") {
  Tensor x = make<int8_t>(device::I8, {6}, {3, -1, 3, 2, -1, -1});
  auto s = run("Unique", {}, {x}, 4);
  CHECK(values<int8_t>(s[0]) == std::vector<int8_t>{-1, 2, 3});
  CHECK(values<int64_t>(s[1]) == std::vector<int64_t>{1, 3, 0});
  CHECK(values<int64_t>(s[2]) == std::vector<int64_t>{2, 0, 2, 1, 0, 0});
  CHECK(values<int64_t>(s[3]) == std::vector<int64_t>{3, 1, 2});
  auto f = run("Unique", {intAttr("sorted", 0)}, {x}, 1);
  CHECK(values<int8_t>(f[0]) == std::vector<int8_t>{3, -1, 2});
  auto b = run("Unique", {}, {make<uint8_t>(device::BOOL, {3}, {1, 0, 1})}, 1);
  CHECK(values<uint8_t>(b[0]) == std::vector<uint8_t>{0, 1});
}

TEST_CASE("NonZero and Compress on double and uint16") {
  auto nz = run("NonZero", {}, {make<double>(device::F64, {2, 2}, {0, -0.5, 3, 0})}, 1);
  CHECK(nz[0].shape == std::vector<int64_t>{2, 2});
  CHECK(values<int64_t>(nz[0]) == std::vector<int64_t>{0, 1, 1, 0});
  auto c = run("Compress", {intAttr("axis", 0)},
               {make<uint16_t>(device::U16, {3, 1}, {7, 8, 9}), make<uint8_t>(device::BOOL, {3}, {0, 1, 1})}, 1);
  CHECK(values<uint16_t>(c[0]) == std::vector<uint16_t>{8, 9});
}

TEST_CASE("Data-dependent outputs are bounded at compile time, exact when constant") {
  auto nz = hostOutputSpecs("NonZero", {}, {unknown(device::F32, {3, 4})}, 1);
  REQUIRE(static_cast<bool>(nz));
  CHECK((*nz)[0].dynamic);
  CHECK((*nz)[0].shape == std::vector<int64_t>{2, 12});

  std::vector<InputSpec> nms = {unknown(device::F32, {2, 10, 4}), unknown(device::F32, {2, 3, 10}),
                                InputSpec{device::I64, {1}, make<int64_t>(device::I64, {1}, {4})}};
  auto n = hostOutputSpecs("NonMaxSuppression", {}, nms, 1);
  REQUIRE(static_cast<bool>(n));
  CHECK((*n)[0].shape == std::vector<int64_t>{2 * 3 * 4, 3});

  InputSpec x{device::I32, {4}, make<int32_t>(device::I32, {4}, {0, 5, 0, 5})};
  auto u = hostOutputSpecs("Unique", {}, {x}, 4);
  REQUIRE(static_cast<bool>(u));
  CHECK(!(*u)[0].dynamic);
  CHECK((*u)[0].shape == std::vector<int64_t>{2});

  auto t = hostOutputSpecs("TopK", {intAttr("axis", 0)}, {unknown(device::F32, {9}), unknown(device::I64, {1})}, 2);
  REQUIRE(static_cast<bool>(t));
  CHECK((*t)[1].dynamic);
  CHECK((*t)[1].shape == std::vector<int64_t>{9});
}

TEST_CASE("Sizes from run-time values ask for --constant_input") {
  for (const char *op : {"HannWindow", "HammingWindow", "BlackmanWindow"}) {
    auto s = hostOutputSpecs(op, {}, {unknown(device::I64, {})}, 1);
    REQUIRE(!s);
    std::string msg = llvm::toString(s.takeError());
    CHECK(llvm::StringRef(msg).startswith(std::string("[E105] ") + op));
    CHECK(llvm::StringRef(msg).contains("--constant_input"));
  }
  auto r = hostOutputSpecs("Range", {}, {unknown(device::I64, {}), unknown(device::I64, {}), unknown(device::I64, {})}, 1);
  REQUIRE(!r);
  CHECK(llvm::StringRef(llvm::toString(r.takeError())).contains("--constant_input"));
}

TEST_CASE("Range, windows and EyeLike in other element types") {
  auto r = run("Range", {}, {make<int64_t>(device::I64, {}, {10}), make<int64_t>(device::I64, {}, {0}),
                             make<int64_t>(device::I64, {}, {-3})}, 1);
  CHECK(values<int64_t>(r[0]) == std::vector<int64_t>{10, 7, 4, 1});
  auto w = run("HannWindow", {intAttr("output_datatype", 11)}, {make<int32_t>(device::I32, {}, {4})}, 1);
  CHECK(w[0].dtype == device::F64);
  CHECK(values<double>(w[0])[2] == Approx(1.0));
  auto e = run("EyeLike", {intAttr("k", -1), intAttr("dtype", 9)}, {make<float>(device::F32, {3, 2}, std::vector<float>(6))}, 1);
  CHECK(values<uint8_t>(e[0]) == std::vector<uint8_t>{0, 0, 1, 0, 0, 1});
}

TEST_CASE("Scatters reduce integers and take negative indices; bad indices fail at run time") {
  Tensor data = make<int32_t>(device::I32, {1, 3}, {1, 2, 3});
  Tensor idx = make<int64_t>(device::I64, {1, 2}, {-1, -1});
  Tensor upd = make<int32_t>(device::I32, {1, 2}, {4, 5});
  auto s = run("ScatterElements", {intAttr("axis", 1), stringAttr("reduction", "mul")}, {data, idx, upd}, 1);
  CHECK(values<int32_t>(s[0]) == std::vector<int32_t>{1, 2, 60});

  Tensor bad = make<int64_t>(device::I64, {1, 2}, {0, 3});
  std::string msg = runFailure("ScatterElements", {intAttr("axis", 1)}, {data, bad, upd}, 1);
  CHECK(llvm::StringRef(msg).startswith("[E509] host op ScatterElements: index 3 is out of range"));

  auto g = run("GatherND", {}, {data, make<int64_t>(device::I64, {1, 2}, {0, -2})}, 1);
  CHECK(values<int32_t>(g[0]) == std::vector<int32_t>{2});
}

TEST_CASE("DFT pads or truncates to dft_length and keeps half the bins when onesided") {
  Tensor x = make<float>(device::F32, {1, 3, 1}, {1, 2, 3});
  Tensor len = make<int64_t>(device::I64, {}, {4});
  auto d = run("DFT", {intAttr("onesided", 1)}, {x, len}, 1);
  CHECK(d[0].shape == std::vector<int64_t>{1, 3, 2});
  // X[k] = sum x[t] e^{-2 pi i k t / 4} with x = [1, 2, 3, 0].
  std::vector<float> want = {6, 0, -2, -2, 2, 0};
  auto got = values<float>(d[0]);
  for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-5));
}

TEST_CASE("The cost grows with the data and sorting ops pay log n") {
  CHECK(hostComputeCycles("NonZero", 1 << 20, 1 << 20, 1.0) > hostComputeCycles("NonZero", 1 << 10, 1 << 10, 1.0));
  CHECK(hostComputeCycles("TopK", 1 << 20, 1, 1.0) > hostComputeCycles("NonZero", 1 << 20, 1, 1.0));
  CHECK(hostComputeCycles("NonZero", 1000, 1000, 2.0) == 2 * hostComputeCycles("NonZero", 1000, 1000, 1.0));
  CHECK(hostComputeCycles("NotAnOp", 1000, 1000, 1.0) == 0);
}

TEST_CASE("The radix-2 FFT and the direct sum agree with the DFT's definition") {
  for (int64_t n : {8, 12}) {  // 8: FFT, 12: direct sum
    std::vector<float> x(2 * n);
    for (int64_t i = 0; i < 2 * n; ++i) x[i] = std::sin(0.7 * i) + 0.1 * i;
    for (int inverse = 0; inverse < 2; ++inverse) {
      auto d = run("DFT", {intAttr("inverse", inverse)}, {make<float>(device::F32, {1, n, 2}, x)}, 1);
      auto got = values<float>(d[0]);
      const double sign = inverse ? 1 : -1, scale = inverse ? 1.0 / n : 1.0;
      for (int64_t k = 0; k < n; ++k) {
        double re = 0, im = 0;
        for (int64_t t = 0; t < n; ++t) {
          const double a = sign * 2 * M_PI * k * t / n;
          re += x[2 * t] * std::cos(a) - x[2 * t + 1] * std::sin(a);
          im += x[2 * t] * std::sin(a) + x[2 * t + 1] * std::cos(a);
        }
        CHECK(got[2 * k] == Approx(re * scale).margin(1e-4));
        CHECK(got[2 * k + 1] == Approx(im * scale).margin(1e-4));
      }
    }
  }
}
