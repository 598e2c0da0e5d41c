// The LM schedulers on a small graph built by hand: spill_opt keeps values in LM and prefetches
// across units, auto_recompute_sa is deterministic; every program computes what the plain
// (always_from_dram) one computes, never lets a transfer and a compute that overlap in the cycle
// model touch the same LM bytes, and is faster.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "compiler/emit/program_builder.h"
#include "compiler/ir/test_values.h"
#include "compiler/sched/annealing.h"
#include "compiler/sched/scheduler.h"
#include "compiler/sched/spill_opt.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/emulator.h"
#include "runtime/device/test_program.h"
#include "runtime/device/kernels/kernel.h"

#include <cstring>
#include <map>
#include <random>

using namespace pfcomp;

namespace {

// r = Relu(x); g = Gemm(r, b, c); s = Sigmoid(g); y = Mul(g, s): g has two readers on its tiles.
struct SmallGraph {
  ir::Graph graph;
  std::vector<float> x;

  SmallGraph() {
    graph.set_ir_version(1);
    std::mt19937 rng(11);
    auto value = [&](const std::string &name, std::vector<int64_t> shape, ir::Value::Kind kind) {
      std::vector<float> data = ir::testing::addRandomF32(graph, name, shape, kind, rng);
      if (kind == ir::Value::INPUT) x = data;
    };
    value("x", {64, 128}, ir::Value::INPUT);
    value("b", {128, 64}, ir::Value::PARAM);
    value("c", {64}, ir::Value::PARAM);
    for (const char *v : {"r", "g", "s", "y"}) value(v, v[0] == 'r' ? std::vector<int64_t>{64, 128} : std::vector<int64_t>{64, 64}, ir::Value::ACTIVATION);
    graph.add_outputs("y");
    node("r", "Relu", {"x"}, {8, 16}, {});
    node("g", "Gemm", {"r", "b", "c"}, {8, 8}, {32});
    node("s", "Sigmoid", {"g"}, {8, 8}, {});
    node("y", "Mul", {"g", "s"}, {8, 8}, {});
  }

  void node(const std::string &out, const char *op, std::vector<std::string> in, std::vector<int64_t> tile,
            std::vector<int64_t> chunk) {
    ir::testing::addTiledNode(graph, out, op, in, tile, chunk);
  }

  std::vector<float> run(const device::Hardware &hw, const device::Program &program) {
    auto y = device::testing::runF32(hw, program, x);
    if (!y) FAIL(llvm::toString(y.takeError()));
    return *y;
  }
};

using Span = std::pair<int64_t, int64_t>;
bool overlaps(const Span &a, const Span &b) { return a.first < b.second && b.first < a.second; }

// Fails if a transfer and a compute that overlap in time touch the same LM bytes.
void requireNoLmRace(const device::Program &program) {
  const device::Timeline t = device::computeTimeline(program);
  for (int j = 0; j < program.instrs_size(); ++j) {
    const device::Instr &c = program.instrs(j);
    if (c.kind() != device::Instr::COMPUTE) continue;
    auto k = device::prepareKernel(c.kernel());
    REQUIRE(static_cast<bool>(k));
    for (int i = 0; i < program.instrs_size(); ++i) {
      const device::Instr &x = program.instrs(i);
      if (x.kind() != device::Instr::LOAD && x.kind() != device::Instr::STORE) continue;
      if (!overlaps({t.times[j].start, t.times[j].end}, {t.times[i].start, t.times[i].end})) continue;
      int64_t n = 1;
      for (const auto &a : x.xfer().axes()) n *= a.size();
      Span lm{x.xfer().lm_addr(), x.xfer().lm_addr() + n * 4};
      INFO("transfer " << i << " and compute " << j);
      for (auto [a, size] : (*k)->writes) REQUIRE(!overlaps({a, a + size}, lm));
      if (x.kind() == device::Instr::LOAD)
        for (auto [a, size] : (*k)->reads) REQUIRE(!overlaps({a, a + size}, lm));
    }
  }
}

device::Program build(const ir::Graph &g, const device::Hardware &hw) {
  auto program = emit::buildProgram(g, hw);
  if (!program) FAIL(llvm::toString(program.takeError()));
  return std::move(*program);
}

}  // namespace

TEST_CASE("spill_opt keeps g in LM, prefetches, and computes the same") {
  auto hw = device::resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  SmallGraph plain;
  auto order = sched::scheduleAlwaysFromDram(plain.graph);
  REQUIRE(static_cast<bool>(order));
  *plain.graph.mutable_schedule() = *order;
  const device::Program base = build(plain.graph, *hw);

  SmallGraph lm = plain;
  auto placed = sched::spillOpt(lm.graph, *hw, hw->lmBytes());
  REQUIRE(static_cast<bool>(placed));
  CHECK(placed->kept >= 1);
  CHECK(lm.graph.schedule().prefetch());
  bool gInLm = false;
  for (const auto &r : lm.graph.schedule().residents()) gInLm |= r.value() == "g" && r.readers_size() == 2 && !r.store();
  CHECK(gInLm);
  const device::Program fast = build(lm.graph, *hw);
  requireNoLmRace(fast);
  CHECK(fast.predicted_cycles() < base.predicted_cycles());
  CHECK(plain.run(*hw, fast) == plain.run(*hw, base));

  // No LM to spare: nothing kept, everything spilled, still right.
  SmallGraph tight = plain;
  auto none = sched::spillOpt(tight.graph, *hw, 64);
  REQUIRE(static_cast<bool>(none));
  CHECK(none->kept == 0);
  CHECK(none->spilled >= 1);
  CHECK(plain.run(*hw, build(tight.graph, *hw)) == plain.run(*hw, base));
}

TEST_CASE("auto_recompute_sa: same seed, same schedule; never slower than spill_opt") {
  auto hw = device::resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  SmallGraph a, b, ref;
  for (SmallGraph *g : {&a, &b, &ref}) *g->graph.mutable_schedule() = *sched::scheduleAlwaysFromDram(g->graph);
  auto sa = sched::annealSchedule(a.graph, *hw, hw->lmBytes(), 200, 7);
  auto sb = sched::annealSchedule(b.graph, *hw, hw->lmBytes(), 200, 7);
  REQUIRE(static_cast<bool>(sa));
  REQUIRE(static_cast<bool>(sb));
  CHECK(sa->iterations == 200);
  // (Protobuf maps serialize in any order: compare the schedule, the tilings and the meta.)
  CHECK(a.graph.schedule().SerializeAsString() == b.graph.schedule().SerializeAsString());
  for (int i = 0; i < a.graph.nodes_size(); ++i)
    CHECK(a.graph.nodes(i).tiling().SerializeAsString() == b.graph.nodes(i).tiling().SerializeAsString());
  CHECK(std::map<std::string, std::string>(a.graph.meta().begin(), a.graph.meta().end()) ==
        std::map<std::string, std::string>(b.graph.meta().begin(), b.graph.meta().end()));
  CHECK(a.graph.meta().at("sa_iterations") == "200");
  REQUIRE(static_cast<bool>(sched::spillOpt(ref.graph, *hw, hw->lmBytes())));
  const device::Program p = build(a.graph, *hw);
  requireNoLmRace(p);
  CHECK(p.predicted_cycles() <= build(ref.graph, *hw).predicted_cycles());
  CHECK(a.run(*hw, p) == a.run(*hw, build(ref.graph, *hw)));
}
