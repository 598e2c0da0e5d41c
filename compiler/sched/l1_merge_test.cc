// L1Merge on small graphs on a device of 2 L1Bs of 16 PEs: a reader whose windows lie in what its
// own L1B stored merges (also after taking the producer's tile), one that reads across L1Bs or
// overflows L1BM does not; a merged program computes what the plain one does, moves fewer DRAM
// bytes, is faster, and the parallel search finds exactly the sequential merges.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "compiler/emit/program_builder.h"
#include "compiler/ir/test_values.h"
#include "compiler/sched/l1_merge.h"
#include "compiler/sched/scheduler.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/test_program.h"

#include <random>

using namespace pfcomp;

namespace {

device::Hardware smallHw() {
  auto hw = device::parseHardware(device::builtinHardwareJson(), "builtin");
  REQUIRE(static_cast<bool>(hw));
  hw->groups = hw->l2b_per_group = 1;
  hw->l1b_per_l2b = 2;
  hw->mab_per_l1b = hw->pe_per_mab = 4;
  return *hw;
}

// x[32x16] -> Relu (one row per PE: rows 0-15 under L1B 0, 16-31 under L1B 1) -> r -> `reader`.
struct Graph {
  ir::Graph graph;
  std::vector<float> x;

  void value(const std::string &name, std::vector<int64_t> shape, ir::Value::Kind kind, std::mt19937 &rng) {
    std::vector<float> data = ir::testing::addRandomF32(graph, name, shape, kind, rng);
    if (kind == ir::Value::INPUT) x = data;
  }
  void node(const std::string &out, const char *op, std::vector<std::string> in, std::vector<int64_t> tile,
            std::vector<int64_t> chunk = {}) {
    ir::testing::addTiledNode(graph, out, op, in, tile, chunk);
  }

  // "sigmoid": Sigmoid(r) on `tile`; "matmul": w[8x32] x r, every tile reads all of r.
  Graph(const std::string &reader, std::vector<int64_t> tile) {
    graph.set_ir_version(1);
    std::mt19937 rng(5);
    value("x", {32, 16}, ir::Value::INPUT, rng);
    value("r", {32, 16}, ir::Value::ACTIVATION, rng);
    node("r", "Relu", {"x"}, {1, 16});
    if (reader == "sigmoid") {
      value("y", {32, 16}, ir::Value::ACTIVATION, rng);
      node("y", "Sigmoid", {"r"}, tile);
    } else {
      value("w", {8, 32}, ir::Value::PARAM, rng);
      value("y", {8, 16}, ir::Value::ACTIVATION, rng);
      node("y", "MatMul", {"w", "r"}, tile, {32});
    }
    graph.add_outputs("y");
    auto s = sched::scheduleAlwaysFromDram(graph);
    REQUIRE(static_cast<bool>(s));
    *graph.mutable_schedule() = *s;
  }

  sched::MergeVerdict verdict(const device::Hardware &hw) {
    const auto units = sched::schedulingUnits(graph);
    auto candidates = sched::mergeCandidates(graph, units);
    REQUIRE(candidates.size() == 1);
    CHECK(candidates[0].value == "r");
    REQUIRE(errorText(sched::evaluateMerge(graph, units, hw, candidates[0])).empty());
    return candidates[0];
  }
  static std::string errorText(llvm::Error err) { return err ? llvm::toString(std::move(err)) : ""; }
};

int64_t dramHopBytes(const device::Program &p) {
  int64_t bytes = 0;
  for (const device::Instr &in : p.instrs())
    for (const device::Hop &h : in.xfer().hops())
      if (h.from() == "DRAM" || h.to() == "DRAM") bytes += h.bytes();
  return bytes;
}

}  // namespace

TEST_CASE("a reader on the producer's tiles reads its own L1B's part: legal") {
  Graph g("sigmoid", {1, 16});
  sched::MergeVerdict v = g.verdict(smallHw());
  CHECK(v.legal);
  CHECK(v.reader_tile.empty());
  CHECK(v.gain > 0);
  CHECK(v.l1b_bytes == std::vector<int64_t>{16 * 16 * 4, 16 * 16 * 4});
}

TEST_CASE("a reader whose windows reach another L1B's rows is legal only on the producer's tile") {
  // Two rows per tile: 16 tiles on PEs 0-15 (L1B 0) read rows 16-31 that L1B 1 stored.
  Graph g("sigmoid", {2, 16});
  sched::MergeVerdict v = g.verdict(smallHw());
  CHECK(v.legal);
  CHECK(v.reader_tile == std::vector<int64_t>{1, 16});
}

TEST_CASE("a reader of every row is not legal in any tiling") {
  Graph g("matmul", {1, 16});
  sched::MergeVerdict v = g.verdict(smallHw());
  CHECK_FALSE(v.legal);
  CHECK_THAT(v.why, Catch::Contains("[E510]") && Catch::Contains("L1B 1 stored, not it"));
}

TEST_CASE("a value over an L1B's L1BM is not legal") {
  device::Hardware hw = smallHw();
  hw.l1bm = 1000;  // each L1B would hold 16 rows of 64 bytes
  Graph g("sigmoid", {1, 16});
  sched::MergeVerdict v = g.verdict(hw);
  CHECK_FALSE(v.legal);
  CHECK_THAT(v.why, Catch::Contains("[E510]") && Catch::Contains("holds 1024 bytes of L1BM values, its L1BM has 1000"));
}

TEST_CASE("a merged program computes the same, moves fewer DRAM bytes and is faster") {
  const device::Hardware hw = smallHw();
  Graph plain("sigmoid", {2, 16});
  auto before = emit::buildProgram(plain.graph, hw);
  REQUIRE(static_cast<bool>(before));
  Graph merged("sigmoid", {2, 16});
  auto stats = sched::mergeInL1(merged.graph, hw, {});
  REQUIRE(static_cast<bool>(stats));
  CHECK(stats->candidates == 1);
  CHECK(stats->merged == 1);
  REQUIRE(merged.graph.schedule().l1_merges_size() == 1);
  CHECK(merged.graph.schedule().l1_merges(0).value() == "r");
  CHECK(merged.graph.nodes(1).tiling().out_tile(0) == 1);  // the reader took the producer's tile
  auto after = emit::buildProgram(merged.graph, hw);
  REQUIRE(static_cast<bool>(after));
  CHECK(after->l1bm_image_bytes() > 0);
  CHECK(dramHopBytes(*after) < dramHopBytes(*before));
  CHECK(device::computeTimeline(*after).total_cycles < device::computeTimeline(*before).total_cycles);
  CHECK(stats->cycles_after == device::computeTimeline(*after).total_cycles);
  auto y0 = device::testing::runF32(hw, *before, plain.x);
  auto y1 = device::testing::runF32(hw, *after, merged.x);
  REQUIRE(static_cast<bool>(y0));
  REQUIRE(static_cast<bool>(y1));
  CHECK(*y0 == *y1);

  // The parallel search finds the same merges, byte for byte.
  Graph parallel("sigmoid", {2, 16});
  auto pstats = sched::mergeInL1(parallel.graph, hw, {true, 2});
  REQUIRE(static_cast<bool>(pstats));
  CHECK(pstats->rounds == 0);  // one candidate: nothing to combine
  auto again = emit::buildProgram(parallel.graph, hw);
  REQUIRE(static_cast<bool>(again));
  CHECK(again->SerializeAsString() == after->SerializeAsString());
}
