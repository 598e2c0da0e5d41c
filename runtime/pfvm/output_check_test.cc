#define CATCH_CONFIG_MAIN
#include "runtime/pfvm/output_check.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <limits>

using pfcomp::runtime::checkTensor;

namespace {

pfcomp::runtime::HostTensor floats(std::vector<float> values) {
  pfcomp::runtime::HostTensor t;
  t.dtype = pfcomp::device::F32;
  t.dims = {static_cast<int64_t>(values.size())};
  t.bytes.resize(values.size() * sizeof(float));
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

}  // namespace

TEST_CASE("values within rtol and atol pass; the maxima are reported") {
  auto c = checkTensor(floats({1.0f, 2.001f}), floats({1.0f, 2.0f}), 1e-3, 1e-4);
  CHECK(c.pass);
  CHECK(c.max_abs == Approx(0.001).epsilon(1e-3));
  CHECK(c.nonfinite == 0);
}

TEST_CASE("NaN or infinity against a finite reference fails and is counted") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  auto c = checkTensor(floats({nan, inf, 3.0f}), floats({1.0f, 2.0f, 3.0f}), 1e-3, 1e-4);
  CHECK_FALSE(c.pass);
  CHECK(c.nonfinite == 2);
  CHECK(c.mismatches == 2);
  CHECK(c.max_abs == 0);  // the finite element matched
}

TEST_CASE("NaN where NaN is expected and equal infinities match") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  auto c = checkTensor(floats({nan, -inf}), floats({nan, -inf}), 0, 0);
  CHECK(c.pass);
  CHECK(c.nonfinite == 0);
}

TEST_CASE("a different shape is a problem, not a comparison") {
  auto a = floats({1, 2, 3, 4}), e = floats({1, 2, 3, 4});
  e.dims = {2, 2};
  auto c = checkTensor(a, e, 1, 1);
  CHECK_FALSE(c.pass);
  CHECK(c.problem.find("shape") != std::string::npos);
}
