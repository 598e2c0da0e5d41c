// Beam reordering on two elementwise branches listed interleaved (a = Relu(x), b = Sigmoid(x),
// c = Tanh(a), d = Neg(b), y = Add(c, d)): under a tight LM budget graph order keeps a and b
// alive together and spills; finishing one branch first lets the values pass in LM.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "compiler/emit/program_builder.h"
#include "compiler/sched/beam.h"
#include "compiler/sched/scheduler.h"
#include "compiler/sched/spill_opt.h"
#include "runtime/device/emulator.h"
#include "runtime/device/test_program.h"

#include <cstring>
#include <random>
#include <set>

using namespace pfcomp;

namespace {

constexpr int64_t kTightBudget = 983;  // bytes per PE: one of a, b in LM beside a unit's scratch

ir::Graph twoBranches() {
  ir::Graph g;
  g.set_ir_version(1);
  for (const char *v : {"x", "a", "b", "c", "d", "y"}) {
    ir::Value *value = g.add_values();
    value->set_name(v);
    value->set_dtype(ir::F32);
    value->set_kind(v[0] == 'x' ? ir::Value::INPUT : ir::Value::ACTIVATION);
    value->add_shape(256);
    value->add_shape(1024);
  }
  g.add_inputs("x");
  g.add_outputs("y");
  auto node = [&](const char *name, const char *op, std::vector<std::string> in, const char *out) {
    ir::Node *n = g.add_nodes();
    n->set_name(name);
    n->set_op_type(op);
    for (const auto &i : in) n->add_inputs(i);
    n->add_outputs(out);
    ir::Tiling &t = *n->mutable_tiling();
    t.add_out_tile(2);
    t.add_out_tile(16);
    t.set_pes(4096);
    t.set_steps(2);
  };
  node("relu", "Relu", {"x"}, "a");
  node("sigmoid", "Sigmoid", {"x"}, "b");
  node("tanh", "Tanh", {"a"}, "c");
  node("neg", "Neg", {"b"}, "d");
  node("add", "Add", {"c", "d"}, "y");
  *g.mutable_schedule() = *sched::scheduleAlwaysFromDram(g);
  return g;
}

std::vector<std::string> names(const ir::Graph &g, const std::vector<int> &order) {
  std::vector<std::string> out;
  for (int i : order) out.push_back(g.nodes(i).name());
  return out;
}

std::vector<float> run(const device::Hardware &hw, const ir::Graph &g) {
  auto program = emit::buildProgram(g, hw);
  if (!program) FAIL(llvm::toString(program.takeError()));
  std::vector<float> x(256 * 1024);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-2, 2);
  for (float &f : x) f = dist(rng);
  auto y = device::testing::runF32(hw, *program, x);
  if (!y) FAIL(llvm::toString(y.takeError()));
  return *y;
}

llvm::Error spill(ir::Graph &g, const device::Hardware &hw) {
  auto placed = sched::spillOpt(g, hw, kTightBudget);
  return placed ? llvm::Error::success() : placed.takeError();
}

}  // namespace

TEST_CASE("beam: a branch run to its end beats graph order under a tight budget") {
  auto hw = device::resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  ir::Graph g = twoBranches();
  const std::string before = g.SerializeAsString();
  sched::BeamStats stats;
  auto order = sched::beamOrder(g, *hw, kTightBudget, {-1, 2, 0}, stats);
  REQUIRE(static_cast<bool>(order));
  CHECK(g.SerializeAsString() == before);  // scoring leaves the graph as it was
  CHECK(stats.turns == 5);
  CHECK(stats.estimate_after < stats.estimate_before);
  auto n = names(g, *order);
  auto at = [&](const char *name) { return std::find(n.begin(), n.end(), name) - n.begin(); };
  // Each branch's reader right after its producer.
  CHECK(at("tanh") == at("relu") + 1);
  CHECK(at("neg") == at("sigmoid") + 1);
  CHECK(n.back() == "add");

  // Whole programs: the reordered one is faster and computes what graph order computes.
  ir::Graph kahn = twoBranches();
  REQUIRE(!spill(kahn, *hw));
  auto beam = sched::scheduleWithBeam(g, *hw, kTightBudget, {-1, 2, 0}, [&](ir::Graph &x) { return spill(x, *hw); });
  REQUIRE(static_cast<bool>(beam));
  CHECK(beam->reordered);
  CHECK(beam->cycles_after < beam->cycles_before);
  CHECK(g.meta().at("beam_reordered") == "1");
  CHECK(run(*hw, g) == run(*hw, kahn));
}

TEST_CASE("beam: width 1 is greedy; deterministic; turns bounded") {
  auto hw = device::resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  ir::Graph g = twoBranches();
  sched::BeamStats s1, s2;
  auto w1 = sched::beamOrder(g, *hw, kTightBudget, {-1, 1, 0}, s1);
  REQUIRE(static_cast<bool>(w1));

  // Greedy by hand: at each step the ready node (lowest index on ties) whose Kahn completion
  // scores best.
  sched::OrderCoster coster(g, *hw, kTightBudget);
  std::vector<int> greedy;
  std::set<int> placed;
  auto deps = [&](int i) {
    std::set<int> d;
    for (const auto &in : g.nodes(i).inputs())
      for (int p = 0; p < g.nodes_size(); ++p)
        if (g.nodes(p).outputs(0) == in) d.insert(p);
    return d;
  };
  auto complete = [&](std::vector<int> order) {
    for (bool grew = true; grew;) {
      grew = false;
      for (int i = 0; i < g.nodes_size() && !grew; ++i) {
        if (std::count(order.begin(), order.end(), i)) continue;
        bool ready = true;
        for (int d : deps(i)) ready &= std::count(order.begin(), order.end(), d) > 0;
        if (ready) order.push_back(i), grew = true;
      }
    }
    return order;
  };
  while (static_cast<int>(greedy.size()) < g.nodes_size()) {
    int best = -1;
    int64_t bestScore = 0, choices = 0;
    for (int i = 0; i < g.nodes_size(); ++i) {
      if (placed.count(i)) continue;
      bool ready = true;
      for (int d : deps(i)) ready &= placed.count(d) > 0;
      if (!ready) continue;
      ++choices;
      std::vector<int> next = greedy;
      next.push_back(i);
      auto score = coster.cycles(complete(next));
      REQUIRE(static_cast<bool>(score));
      if (best < 0 || *score < bestScore) best = i, bestScore = *score;
    }
    greedy.push_back(best);
    placed.insert(best);
  }
  CHECK(*w1 == greedy);

  auto again = sched::beamOrder(g, *hw, kTightBudget, {-1, 1, 0}, s2);
  REQUIRE(static_cast<bool>(again));
  CHECK(*again == *w1);
  CHECK(s2.scored == s1.scored);

  // One turn of beam, then graph order: the first node may move, nothing after it does.
  sched::BeamStats s3;
  auto one = sched::beamOrder(g, *hw, kTightBudget, {1, 4, 0}, s3);
  REQUIRE(static_cast<bool>(one));
  CHECK(s3.turns == 1);
  REQUIRE(!one->empty());
  CHECK(*one == complete({one->front()}));
}
