#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/element_convert.h"

#include <vector>

using namespace pfcomp::device;

TEST_CASE("half conversion rounds to nearest even and keeps specials") {
  CHECK(floatToHalf(1.0f) == 0x3c00);
  CHECK(floatToHalf(-2.0f) == 0xc000);
  CHECK(floatToHalf(65504.0f) == 0x7bff);
  CHECK(floatToHalf(1e6f) == 0x7c00);
  CHECK(halfToFloat(0x3555) == Approx(0.333251953125f));
  CHECK(floatToHalf(1.0f + 1.0f / 2048) == 0x3c00);             // tie rounds to even
  CHECK(floatToHalf(1.0f + 3.0f / 2048) == 0x3c02);             // tie rounds to even (up)
  CHECK(halfToFloat(floatToHalf(5.9604645e-08f)) == 5.9604645e-08f);  // smallest subnormal
  for (float f : {0.1f, -3.75f, 1000.5f, 1e-3f}) CHECK(halfToFloat(floatToHalf(f)) == Approx(f).epsilon(1e-3));
}

TEST_CASE("element conversion between host and device types") {
  double d[3] = {1.5, -2.25, 3};
  float f[3];
  REQUIRE(convertElements(F64, d, F32, f, 3));
  CHECK(f[1] == -2.25f);
  int64_t i[3];
  REQUIRE(convertElements(F32, f, I64, i, 3));
  CHECK(i[2] == 3);
}

TEST_CASE("the vector fp16 path rounds exactly like the scalar one") {
  std::vector<float> f;
  for (int i = 0; i < 37; ++i) f.push_back((i - 18) * 0.37f + (i % 3) * 1e-4f);
  f.push_back(1.0f + 1.0f / 2048);  // a tie
  f.push_back(70000.0f);            // overflow
  std::vector<uint16_t> h(f.size());
  REQUIRE(convertElements(F32, f.data(), F16, h.data(), f.size()));
  for (size_t i = 0; i < f.size(); ++i) CHECK(h[i] == floatToHalf(f[i]));
  std::vector<float> back(f.size());
  REQUIRE(convertElements(F16, h.data(), F32, back.data(), f.size()));
  for (size_t i = 0; i < f.size(); ++i) CHECK(back[i] == halfToFloat(h[i]));
}
