#define CATCH_CONFIG_MAIN
#include "compiler/driver/stage_locator.h"

#include <catch2/catch.hpp>

using namespace pfcomp::driver;

TEST_CASE("PFCOMP_STAGE_DIR is the only place looked at when set") {
  auto c = stageCandidates(stageTable()[2], "/r/bin/pfcomp", "/x/compiler/driver/pfcomp", "/fake");
  REQUIRE(c.size() == 1);
  CHECK(c[0] == "/fake/simulate");
}

TEST_CASE("candidates: next to the invoked path, next to the resolved binary, bazel-bin layouts") {
  auto c = stageCandidates(stageTable()[1], "/r/bin/pfcomp",
                           "/cache/out/bin/compiler/driver/pfcomp", "");
  auto has = [&](const std::string &p) { return std::find(c.begin(), c.end(), p) != c.end(); };
  CHECK(c.front() == "/r/bin/layout-plan");
  CHECK(has("/r/bazel-bin/compiler/layout/layout-plan"));
  CHECK(has("/cache/out/bin/compiler/driver/layout-plan"));
  CHECK(has("/cache/out/bin/compiler/layout/layout-plan"));
}
