#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/lm_liveness.h"

using namespace pfcomp::device;

TEST_CASE("only LM crossing a segment boundary moves") {
  // 0: write [0, 8) on 4 PEs | 1: read [0, 8), write [8, 16) | 2: read [8, 16) on 4 PEs.
  std::vector<InstrLm> instrs(3);
  instrs[0] = {4, {}, {{0, 8}}};
  instrs[1] = {4, {{0, 8}}, {{8, 16}}};
  instrs[2] = {4, {{8, 16}}, {}};
  SECTION("one segment: nothing in or out") {
    auto plan = planSegmentLm(instrs, {{0, 3}}, 64);
    CHECK(plan[0].copyIn.empty());
    CHECK(plan[0].copyOut.empty());
  }
  SECTION("split after 1: [8, 16) crosses") {
    auto plan = planSegmentLm(instrs, {{0, 2}, {2, 3}}, 64);
    CHECK(plan[0].copyOut == std::vector<LmSpan>{{8, 16}});
    CHECK(plan[1].copyIn == std::vector<LmSpan>{{8, 16}});
    CHECK(plan[1].copyOut.empty());
  }
  SECTION("a write on fewer PEs than a later read does not end what it overwrites") {
    // Instruction 1 runs on PEs 0-1 only; PEs 2-3 read [8, 16) in 2 and [0, 8) in 3 from
    // before the segment.
    instrs[1].active = 2;
    instrs[1].writes.push_back({0, 8});
    instrs.push_back({4, {{0, 8}}, {}});
    auto plan = planSegmentLm(instrs, {{0, 1}, {1, 4}}, 64);
    CHECK(plan[0].copyOut == std::vector<LmSpan>{{0, 8}});
    CHECK(plan[1].copyIn == std::vector<LmSpan>{{0, 16}});
    CHECK(plan[1].copyOut.empty());
  }
}
