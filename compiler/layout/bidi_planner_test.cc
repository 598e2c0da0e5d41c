// The bidi planner on a Conv -> Relu pair: with a chaining scheduler the Relu runs on the
// MatMul's tiles (both passes recorded, a positive saving); without one each node keeps its own
// fastest tiling; the plan is deterministic and never worse than its seeds by its own measure.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "compiler/layout/bidi_planner.h"
#include "compiler/layout/layout_html.h"

using namespace pfcomp;

namespace {

// resnet18's stem: a 7x7/2 Conv whose fastest tiling alone is not its Relu's.
ir::Graph convRelu() {
  ir::Graph g;
  g.set_ir_version(1);
  g.set_name("conv_relu");
  auto value = [&](const char *name, std::vector<int64_t> shape, ir::Value::Kind kind) {
    ir::Value *v = g.add_values();
    v->set_name(name);
    v->set_dtype(ir::F32);
    v->set_kind(kind);
    int64_t n = 1;
    for (int64_t d : shape) v->add_shape(d), n *= d;
    if (kind == ir::Value::PARAM) v->set_data(std::string(n * 4, '\0'));
  };
  value("x", {1, 3, 224, 224}, ir::Value::INPUT);
  value("w", {64, 3, 7, 7}, ir::Value::PARAM);
  value("b", {64}, ir::Value::PARAM);
  value("h", {1, 64, 112, 112}, ir::Value::ACTIVATION);
  value("y", {1, 64, 112, 112}, ir::Value::ACTIVATION);
  g.add_inputs("x");
  g.add_outputs("y");
  ir::Node *conv = g.add_nodes();
  conv->set_name("conv");
  conv->set_op_type("Conv");
  for (const char *in : {"x", "w", "b"}) conv->add_inputs(in);
  conv->add_outputs("h");
  auto ints = [&](const char *name, std::vector<int64_t> v) {
    ir::Attribute *a = conv->add_attrs();
    a->set_name(name);
    a->set_type(ir::Attribute::INTS);
    for (int64_t x : v) a->add_ints(x);
  };
  ints("dilations", {1, 1});
  ints("kernel_shape", {7, 7});
  ints("pads", {3, 3, 3, 3});
  ints("strides", {2, 2});
  ir::Attribute *group = conv->add_attrs();
  group->set_name("group");
  group->set_type(ir::Attribute::INT);
  group->set_i(1);
  ir::Node *relu = g.add_nodes();
  relu->set_name("relu");
  relu->set_op_type("Relu");
  relu->add_inputs("h");
  relu->add_outputs("y");
  return g;
}

layout::BidiPlan plan(const ir::Graph &g, bool chains) {
  auto hw = device::resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  lowering::GraphView view(g);
  auto p = layout::planBidi(g, view, *hw, hw->lmBytes(), /*optimizedProgram=*/true, chains);
  if (!p) FAIL(llvm::toString(p.takeError()));
  return std::move(*p);
}

int count(const layout::BidiPlan &p, const std::string &pass) {
  int n = 0;
  for (const auto &d : p.history) n += d.pass == pass;
  return n;
}

}  // namespace

TEST_CASE("bidi: a chaining scheduler puts the consumer on its producer's tiles") {
  ir::Graph g = convRelu();
  layout::BidiPlan p = plan(g, true);
  REQUIRE(p.tiles.size() == 2);
  CHECK(p.tiles[0].out == p.tiles[1].out);
  CHECK(p.chained_edges == 1);
  CHECK(p.saved_cycles > 0);
  CHECK(count(p, "seed") == 2);
  // The seeds disagree: a pass moves one node onto the other's tiles.
  bool moved = false;
  for (const auto &d : p.history) moved |= d.pass != "seed" && d.changed;
  CHECK(moved);
  CHECK(count(p, "forward") >= 2);
  CHECK(count(p, "backward") >= 2);
  // Coordinate descent on (own cycles - savings): the fixed point is no worse than the seeds.
  CHECK(p.final_cycles - p.saved_cycles <= p.seed_cycles);
  CHECK_THAT(layout::bidiHistoryHtml(g, p), Catch::Contains("<td>backward</td><td>conv</td>") &&
                                               Catch::Contains("matches consumer relu (saves"));

  layout::BidiPlan again = plan(g, true);
  CHECK(again.tiles[0].out == p.tiles[0].out);
  CHECK(again.tiles[0].chunk == p.tiles[0].chunk);
  CHECK(layout::bidiHistoryHtml(g, again) == layout::bidiHistoryHtml(g, p));
}

TEST_CASE("bidi: without chains every node keeps its own fastest tiling") {
  ir::Graph g = convRelu();
  layout::BidiPlan p = plan(g, false);
  CHECK(p.sweeps == 1);
  CHECK(p.chained_edges == 0);
  CHECK(p.saved_cycles == 0);
  CHECK(count(p, "forward") == 0);
  CHECK(count(p, "backward") == 0);
  CHECK(p.final_cycles == p.seed_cycles);
}
