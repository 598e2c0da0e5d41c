#include "compiler/import/host_tensor.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

using namespace pfcomp::import;

TEST_CASE("floatToHalf rounds to nearest even") {
  CHECK(floatToHalf(1.0f) == 0x3c00);
  CHECK(floatToHalf(-2.0f) == 0xc000);
  CHECK(floatToHalf(65504.0f) == 0x7bff);
  CHECK(floatToHalf(65519.0f) == 0x7bff);
  CHECK(floatToHalf(65520.0f) == 0x7c00);  // tie at the top rounds to even: infinity
  CHECK(floatToHalf(std::ldexp(1.0f, 0) + std::ldexp(1.0f, -11)) == 0x3c00);      // tie -> even
  CHECK(floatToHalf(std::ldexp(1.0f, 0) + 3 * std::ldexp(1.0f, -11)) == 0x3c02);  // tie -> even
  CHECK(floatToHalf(std::ldexp(1.0f, 0) + std::ldexp(1.2f, -11)) == 0x3c01);      // above tie
  CHECK(floatToHalf(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal
  CHECK(floatToHalf(std::ldexp(1.0f, -25)) == 0x0000);  // tie with zero -> zero
  CHECK(floatToHalf(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(floatToHalf(std::ldexp(3.0f, -25)) == 0x0002);  // 1.5 ulp tie -> even (2)
  CHECK(floatToHalf(std::ldexp(1.0f, -14)) == 0x0400);  // smallest normal
  CHECK(floatToHalf(std::numeric_limits<float>::infinity()) == 0x7c00);
  const uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  CHECK((nan & 0x7c00) == 0x7c00);
  CHECK((nan & 0x3ff) != 0);
}

TEST_CASE("halfToFloat inverts floatToHalf on every finite half") {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    const float f = halfToFloat(static_cast<uint16_t>(h));
    REQUIRE(floatToHalf(f) == h);
  }
}

TEST_CASE("decode and encode tensors round trip") {
  HostTensor t = HostTensor::make(onnx::TensorProto::INT32, {2, 2});
  t.i = {1, -2, 3, -4};
  auto back = decodeTensor(encodeTensor(t, "t"));
  REQUIRE(static_cast<bool>(back));
  CHECK(back->dims == std::vector<int64_t>{2, 2});
  CHECK(back->i == t.i);

  onnx::TensorProto p;
  p.set_name("f");
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(3);
  p.add_float_data(1.5f), p.add_float_data(-2.0f);
  auto bad = decodeTensor(p);
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK(llvm::toString(bad.takeError()).find("[E102]") != std::string::npos);
}

TEST_CASE("param bytes are little-endian in the requested dtype") {
  HostTensor t = HostTensor::make(onnx::TensorProto::FLOAT, {2});
  t.f = {1.0, -0.5};
  const std::string half = encodeParamBytes(t, pfcomp::ir::F16);
  REQUIRE(half.size() == 4);
  CHECK(static_cast<uint8_t>(half[0]) == 0x00);
  CHECK(static_cast<uint8_t>(half[1]) == 0x3c);
  CHECK(static_cast<uint8_t>(half[3]) == 0xb8);
  const std::string dbl = encodeParamBytes(t, pfcomp::ir::F64);
  REQUIRE(dbl.size() == 16);
  double d;
  std::memcpy(&d, dbl.data() + 8, 8);
  CHECK(d == -0.5);
}

TEST_CASE("fp16 params saturate finite values beyond the fp16 range") {
  HostTensor t = HostTensor::make(onnx::TensorProto::FLOAT, {4});
  t.f = {-3.4028234663852886e38, 1e5, std::numeric_limits<double>::infinity(), 65504.0};
  const std::string half = encodeParamBytes(t, pfcomp::ir::F16);
  REQUIRE(half.size() == 8);
  auto at = [&](int k) {
    uint16_t h;
    std::memcpy(&h, half.data() + 2 * k, 2);
    return h;
  };
  CHECK(at(0) == 0xfbff);  // -65504, not -inf
  CHECK(at(1) == 0x7bff);  // 65504
  CHECK(at(2) == 0x7c00);  // inf stays inf
  CHECK(at(3) == 0x7bff);
}
