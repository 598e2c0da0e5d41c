// Each op rule, lowered with awkward tilings (edge tiles, reduction chunks) and executed on the
// emulator, must match a direct reference computation.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/plan_node.h"
#include "runtime/device/emulator.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace pfcomp;
using lowering::Dims;

namespace {

struct OneNodeGraph {
  ir::Graph graph;
  ir::Node *node = nullptr;
  std::map<std::string, std::vector<float>> data;

  OneNodeGraph(const std::string &op) {
    graph.set_ir_version(1);
    node = graph.add_nodes();
    node->set_name("n");
    node->set_op_type(op);
  }
  ir::Value *value(const std::string &name, Dims shape, ir::Value::Kind kind) {
    ir::Value *v = graph.add_values();
    v->set_name(name);
    v->set_dtype(ir::F32);
    v->set_kind(kind);
    for (int64_t d : shape) v->add_shape(d);
    return v;
  }
  // A random float input (graph input) or parameter.
  void in(const std::string &name, Dims shape, bool param = false) {
    ir::Value *v = value(name, shape, param ? ir::Value::PARAM : ir::Value::INPUT);
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::mt19937 rng(name.size() * 7 + n);
    std::uniform_real_distribution<float> dist(-1, 1);
    std::vector<float> &d = data[name];
    for (int64_t i = 0; i < n; ++i) d.push_back(dist(rng));
    if (param) v->set_data(std::string(reinterpret_cast<char *>(d.data()), n * 4));
    else graph.add_inputs(name);
    node->add_inputs(name);
  }
  void out(Dims shape) {
    value("y", shape, ir::Value::ACTIVATION);
    node->add_outputs("y");
    graph.add_outputs("y");
  }
  void ints(const char *name, Dims v) {
    ir::Attribute *a = node->add_attrs();
    a->set_name(name);
    a->set_type(ir::Attribute::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  void i(const char *name, int64_t v) {
    ir::Attribute *a = node->add_attrs();
    a->set_name(name);
    a->set_type(ir::Attribute::INT);
    a->set_i(v);
  }
  void f(const char *name, double v) {
    ir::Attribute *a = node->add_attrs();
    a->set_name(name);
    a->set_type(ir::Attribute::FLOAT);
    a->set_f(v);
  }

  // Lowers with `tile` / `chunk`, runs on the emulator, returns output y.
  std::vector<float> run(Dims tile, Dims chunk = {}) {
    auto hw = device::resolveHardware("");
    REQUIRE(static_cast<bool>(hw));
    for (int64_t t : tile) node->mutable_tiling()->add_out_tile(t);
    for (int64_t c : chunk) node->mutable_tiling()->add_red_chunk(c);
    device::Program program;
    program.set_tool_version("test");
    program.set_hardware(hw->name);
    lowering::GraphView view(graph);
    lowering::BufferTable buffers(view, program);
    auto tag = lowering::emitNode(*node, view, *hw, buffers, program, 0);
    if (!tag) FAIL(llvm::toString(tag.takeError()));
    REQUIRE(!buffers.bindGraphIo());
    program.set_dram_bytes(buffers.dramBytes());
    device::Emulator emu(*hw, {});
    if (auto err = emu.load(program)) FAIL(llvm::toString(std::move(err)));
    for (int k = 0; k < graph.inputs_size(); ++k) {
      auto &d = data[graph.inputs(k)];
      REQUIRE(!emu.writeInput(k, device::F32, d.data(), d.size()));
    }
    auto stats = emu.run();
    if (!stats) FAIL(llvm::toString(stats.takeError()));
    auto bytes = emu.readOutput(0, device::F32);
    REQUIRE(static_cast<bool>(bytes));
    std::vector<float> y(bytes->size() / 4);
    std::memcpy(y.data(), bytes->data(), bytes->size());
    return y;
  }
};

void requireClose(const std::vector<float> &got, const std::vector<float> &want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == Approx(want[i]).margin(1e-5).epsilon(1e-4));
}

}  // namespace

TEST_CASE("Conv with padding, stride, groups and chunked input channels") {
  // X[1,4,7,6], W[6,2,3,3] (2 groups), stride 2x1, pads 1, bias.
  OneNodeGraph g("Conv");
  g.in("x", {1, 4, 7, 6});
  g.in("w", {6, 2, 3, 3}, true);
  g.in("b", {6}, true);
  g.out({1, 6, 4, 6});
  g.ints("strides", {2, 1});
  g.ints("pads", {1, 1, 1, 1});
  g.i("group", 2);
  auto &x = g.data["x"], &w = g.data["w"], &b = g.data["b"];
  std::vector<float> want(1 * 6 * 4 * 6);
  for (int co = 0; co < 6; ++co)
    for (int oh = 0; oh < 4; ++oh)
      for (int ow = 0; ow < 6; ++ow) {
        double acc = b[co];
        int group = co / 3;
        for (int c = 0; c < 2; ++c)
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              int ih = oh * 2 - 1 + kh, iw = ow - 1 + kw;
              if (ih < 0 || ih >= 7 || iw < 0 || iw >= 6) continue;
              acc += x[((group * 2 + c) * 7 + ih) * 6 + iw] * w[((co * 2 + c) * 3 + kh) * 3 + kw];
            }
        want[(co * 4 + oh) * 6 + ow] = acc;
      }
  requireClose(g.run({1, 3, 3, 4}, {1}), want);  // edge tiles on H and W, 2 channel chunks
}

TEST_CASE("batched MatMul with broadcast and K chunks") {
  OneNodeGraph g("MatMul");
  g.in("a", {2, 3, 5, 7});
  g.in("b", {3, 7, 4}, true);
  g.out({2, 3, 5, 4});
  auto &a = g.data["a"], &b = g.data["b"];
  std::vector<float> want(2 * 3 * 5 * 4);
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 3; ++h)
      for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 4; ++j) {
          double acc = 0;
          for (int k = 0; k < 7; ++k) acc += a[((n * 3 + h) * 5 + i) * 7 + k] * b[(h * 7 + k) * 4 + j];
          want[((n * 3 + h) * 5 + i) * 4 + j] = acc;
        }
  requireClose(g.run({1, 2, 2, 3}, {3}), want);
}

TEST_CASE("Gemm with transposes, alpha and a scaled bias") {
  OneNodeGraph g("Gemm");
  g.in("a", {6, 5});  // transA: A is K x M
  g.in("b", {3, 6}, true);  // transB: B is N x K
  g.in("c", {3}, true);
  g.out({5, 3});
  g.i("transA", 1);
  g.i("transB", 1);
  g.f("alpha", 0.5);
  g.f("beta", 2.0);
  auto &a = g.data["a"], &b = g.data["b"], &c = g.data["c"];
  std::vector<float> want(15);
  for (int m = 0; m < 5; ++m)
    for (int n = 0; n < 3; ++n) {
      double acc = 0;
      for (int k = 0; k < 6; ++k) acc += a[k * 5 + m] * b[n * 6 + k];
      want[m * 3 + n] = 0.5 * acc + 2.0 * c[n];
    }
  requireClose(g.run({2, 2}, {4}), want);
}

TEST_CASE("MaxPool and AveragePool with padding") {
  for (const char *op : {"MaxPool", "AveragePool"}) {
    OneNodeGraph g(op);
    g.in("x", {1, 2, 5, 5});
    g.out({1, 2, 3, 3});
    g.ints("kernel_shape", {3, 3});
    g.ints("strides", {2, 2});
    g.ints("pads", {1, 1, 1, 1});
    auto &x = g.data["x"];
    std::vector<float> want(18);
    for (int c = 0; c < 2; ++c)
      for (int oh = 0; oh < 3; ++oh)
        for (int ow = 0; ow < 3; ++ow) {
          double acc = std::string(op) == "MaxPool" ? -1e30 : 0;
          int count = 0;
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              int ih = oh * 2 - 1 + kh, iw = ow * 2 - 1 + kw;
              if (ih < 0 || ih >= 5 || iw < 0 || iw >= 5) continue;
              float v = x[(c * 5 + ih) * 5 + iw];
              acc = std::string(op) == "MaxPool" ? std::max<double>(acc, v) : acc + v;
              ++count;
            }
          want[(c * 3 + oh) * 3 + ow] = std::string(op) == "MaxPool" ? acc : acc / count;
        }
    requireClose(g.run({1, 1, 2, 2}), want);
  }
}

TEST_CASE("ReduceMean over chunked axes with keepdims=0") {
  OneNodeGraph g("ReduceMean");
  g.in("x", {3, 5, 4});
  g.out({5});
  g.ints("axes", {0, 2});
  g.i("keepdims", 0);
  auto &x = g.data["x"];
  std::vector<float> want(5);
  for (int j = 0; j < 5; ++j) {
    double acc = 0;
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 4; ++k) acc += x[(i * 5 + j) * 4 + k];
    want[j] = acc / 12;
  }
  requireClose(g.run({1, 2, 1}, {2, 3}), want);
}

TEST_CASE("Softmax along the last axis") {
  OneNodeGraph g("Softmax");
  g.in("x", {3, 9});
  g.out({3, 9});
  g.i("axis", -1);
  auto &x = g.data["x"];
  std::vector<float> want(27);
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int c = 0; c < 9; ++c) sum += std::exp(x[r * 9 + c]);
    for (int c = 0; c < 9; ++c) want[r * 9 + c] = std::exp(x[r * 9 + c]) / sum;
  }
  requireClose(g.run({2, 9}), want);
}

TEST_CASE("Transpose and Slice with a negative step are pure data movement") {
  OneNodeGraph t("Transpose");
  t.in("x", {2, 3, 4});
  t.out({4, 2, 3});
  t.ints("perm", {2, 0, 1});
  auto &x = t.data["x"];
  std::vector<float> want(24);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) want[(k * 2 + i) * 3 + j] = x[(i * 3 + j) * 4 + k];
  requireClose(t.run({3, 1, 2}), want);

  OneNodeGraph s("Slice");
  s.in("x", {4, 10});
  s.out({4, 3});
  s.ints("starts", {8});
  s.ints("ends", {1});
  s.ints("axes", {1});
  s.ints("steps", {-3});
  auto &sx = s.data["x"];
  std::vector<float> sw;
  for (int r = 0; r < 4; ++r)
    for (int c : {8, 5, 2}) sw.push_back(sx[r * 10 + c]);
  requireClose(s.run({3, 2}), sw);
}

TEST_CASE("Concat places each input at its offset") {
  OneNodeGraph g("Concat");
  g.in("a", {2, 3});
  g.in("b", {2, 2}, true);
  g.out({2, 5});
  g.i("axis", 1);
  auto &a = g.data["a"], &b = g.data["b"];
  std::vector<float> want;
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) want.push_back(a[r * 3 + c]);
    for (int c = 0; c < 2; ++c) want.push_back(b[r * 2 + c]);
  }
  requireClose(g.run({1, 2}), want);
}

TEST_CASE("a tile that does not fit LM is refused with its size") {
  OneNodeGraph g("Relu");
  g.in("x", {64, 1024});
  g.out({64, 1024});
  auto hw = device::resolveHardware("");
  g.node->mutable_tiling()->add_out_tile(64);
  g.node->mutable_tiling()->add_out_tile(1024);
  device::Program program;
  lowering::GraphView view(g.graph);
  lowering::BufferTable buffers(view, program);
  auto tag = lowering::emitNode(*g.node, view, *hw, buffers, program, 0);
  REQUIRE(!tag);
  CHECK_THAT(llvm::toString(tag.takeError()), Catch::Contains("[E501]") && Catch::Contains("LM"));
}
