#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/element_convert.h"

#include <cmath>
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

TEST_CASE("bfloat16 rounds to nearest even and keeps NaN") {
  CHECK(floatToBfloat16(1.0f) == 0x3f80);
  CHECK(bfloat16ToFloat(0xc040) == -3.0f);
  CHECK(floatToBfloat16(1.0f + 1.0f / 256) == 0x3f80);  // tie rounds to even (down)
  CHECK(floatToBfloat16(1.0f + 3.0f / 256) == 0x3f82);  // tie rounds to even (up)
  CHECK(std::isnan(bfloat16ToFloat(floatToBfloat16(NAN))));
  float f[2] = {2.5f, -0.15625f};
  uint16_t b[2];
  REQUIRE(convertElements(F32, f, BF16, b, 2));
  float back[2];
  REQUIRE(convertElements(BF16, b, F32, back, 2));
  CHECK(back[0] == 2.5f);
  CHECK(back[1] == -0.15625f);
}

TEST_CASE("integer conversions wrap exactly, floats truncate toward zero") {
  int64_t big[2] = {(int64_t{1} << 60) + 7, -1};
  uint64_t u[2];
  REQUIRE(convertElements(I64, big, U64, u, 2));
  CHECK(u[0] == (uint64_t{1} << 60) + 7);  // no rounding through double
  CHECK(u[1] == ~uint64_t{0});
  int32_t wide[3] = {300, -129, 65535};
  int8_t narrow[3];
  REQUIRE(convertElements(I32, wide, I8, narrow, 3));
  CHECK(narrow[0] == 44);
  CHECK(narrow[1] == 127);
  CHECK(narrow[2] == -1);
  uint16_t halves[3];
  REQUIRE(convertElements(I32, wide, U16, halves, 3));
  CHECK(halves[1] == 65407);
  float fl[3] = {-2.7f, 3.9f, 0.5f};
  int16_t s[3];
  REQUIRE(convertElements(F32, fl, I16, s, 3));
  CHECK(s[0] == -2);
  CHECK(s[1] == 3);
  uint8_t flags[3];
  REQUIRE(convertElements(F32, fl, BOOL, flags, 3));
  CHECK(flags[2] == 1);  // any non-zero value is true
  uint32_t u32[1] = {4000000000u};
  double d[1];
  REQUIRE(convertElements(U32, u32, F64, d, 1));
  CHECK(d[0] == 4000000000.0);
}
