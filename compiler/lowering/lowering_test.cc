// Each op rule, lowered with awkward tilings (edge tiles, reduction chunks) and executed on the
// emulator, must match a direct reference computation.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/plan_node.h"
#include "runtime/device/emulator.h"

#include <cmath>
#include <functional>
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
  ir::Value *value(const std::string &name, Dims shape, ir::Value::Kind kind) {  // f32 unless changed
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

  // Lowers with `tile` / `chunk`, feeds the inputs with `feed`, runs on the emulator and returns
  // output y's bytes as `outType`.
  std::vector<uint8_t> runWith(Dims tile, Dims chunk, const std::function<void(device::Emulator &)> &feed,
                               device::DType outType) {
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
    feed(emu);
    auto stats = emu.run();
    if (!stats) FAIL(llvm::toString(stats.takeError()));
    auto bytes = emu.readOutput(0, outType);
    REQUIRE(static_cast<bool>(bytes));
    return *bytes;
  }

  // The float inputs made by in(), output y as floats.
  std::vector<float> run(Dims tile, Dims chunk = {}) {
    auto bytes = runWith(tile, chunk, [&](device::Emulator &emu) {
      for (int k = 0; k < graph.inputs_size(); ++k) {
        auto &d = data[graph.inputs(k)];
        REQUIRE(!emu.writeInput(k, device::F32, d.data(), d.size()));
      }
    }, device::F32);
    std::vector<float> y(bytes.size() / 4);
    std::memcpy(y.data(), bytes.data(), bytes.size());
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

TEST_CASE("ConvTranspose with stride, padding and chunked input channels") {
  // X[1,3,4,5], W[3,2,3,3], stride 2, pads 1 -> Y[1,2,7,9]
  OneNodeGraph g("ConvTranspose");
  g.in("x", {1, 3, 4, 5});
  g.in("w", {3, 2, 3, 3}, true);
  g.in("b", {2}, true);
  g.out({1, 2, 7, 9});
  g.ints("strides", {2, 2});
  g.ints("pads", {1, 1, 1, 1});
  auto &x = g.data["x"], &w = g.data["w"], &b = g.data["b"];
  std::vector<double> acc(2 * 7 * 9, 0);
  for (int co = 0; co < 2; ++co)
    for (int i = 0; i < 63; ++i) acc[co * 63 + i] = b[co];
  for (int c = 0; c < 3; ++c)
    for (int ih = 0; ih < 4; ++ih)
      for (int iw = 0; iw < 5; ++iw)
        for (int co = 0; co < 2; ++co)
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              int oh = ih * 2 - 1 + kh, ow = iw * 2 - 1 + kw;
              if (oh < 0 || oh >= 7 || ow < 0 || ow >= 9) continue;
              acc[(co * 7 + oh) * 9 + ow] += x[(c * 4 + ih) * 5 + iw] * w[((c * 2 + co) * 3 + kh) * 3 + kw];
            }
  requireClose(g.run({1, 1, 3, 4}, {2}), std::vector<float>(acc.begin(), acc.end()));
}

TEST_CASE("Resize nearest (Upsample semantics) and linear half_pixel") {
  OneNodeGraph n("Resize");
  n.in("x", {1, 2, 3, 4});
  n.out({1, 2, 6, 8});
  n.node->add_attrs()->set_name("mode");
  n.node->mutable_attrs(0)->set_type(ir::Attribute::STRING);
  n.node->mutable_attrs(0)->set_s("nearest");
  auto str = [](OneNodeGraph &g, const char *name, const char *v) {
    ir::Attribute *a = g.node->add_attrs();
    a->set_name(name);
    a->set_type(ir::Attribute::STRING);
    a->set_s(v);
  };
  str(n, "coordinate_transformation_mode", "asymmetric");
  str(n, "nearest_mode", "floor");
  auto &x = n.data["x"];
  std::vector<float> want;
  for (int c = 0; c < 2; ++c)
    for (int h = 0; h < 6; ++h)
      for (int w = 0; w < 8; ++w) want.push_back(x[(c * 3 + h / 2) * 4 + w / 2]);
  requireClose(n.run({1, 1, 4, 3}), want);

  OneNodeGraph l("Resize");
  l.in("x", {1, 1, 3, 4});
  l.out({1, 1, 6, 8});
  str(l, "mode", "linear");
  auto &lx = l.data["x"];
  auto src = [](int o, int in) { return std::min(std::max((o + 0.5) / 2 - 0.5, 0.0), double(in - 1)); };
  std::vector<float> lw;
  for (int h = 0; h < 6; ++h)
    for (int w = 0; w < 8; ++w) {
      double sh = src(h, 3), sw = src(w, 4);
      int h0 = std::floor(sh), w0 = std::floor(sw), h1 = std::min(h0 + 1, 2), w1 = std::min(w0 + 1, 3);
      double fh = sh - h0, fw = sw - w0;
      lw.push_back((1 - fh) * ((1 - fw) * lx[h0 * 4 + w0] + fw * lx[h0 * 4 + w1]) +
                   fh * ((1 - fw) * lx[h1 * 4 + w0] + fw * lx[h1 * 4 + w1]));
    }
  requireClose(l.run({1, 1, 4, 5}), lw);
}

TEST_CASE("Pad with a constant and Expand by broadcasting") {
  OneNodeGraph p("Pad");
  p.in("x", {2, 3});
  p.out({3, 6});
  p.ints("pads", {1, 2, 0, 1});
  p.f("value", 7.5);
  auto &x = p.data["x"];
  std::vector<float> want;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 6; ++c) want.push_back(r >= 1 && c >= 2 && c < 5 ? x[(r - 1) * 3 + c - 2] : 7.5f);
  requireClose(p.run({2, 4}), want);

  OneNodeGraph e("Expand");
  e.in("x", {3, 1});
  e.out({2, 3, 4});
  auto &ex = e.data["x"];
  std::vector<float> ew;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) ew.push_back(ex[j]);
  requireClose(e.run({1, 2, 3}), ew);
}

TEST_CASE("Where, ArgMax and CumSum") {
  OneNodeGraph w("Where");
  w.in("c", {1, 4});
  w.in("a", {3, 4});
  w.in("b", {3, 1});
  w.out({3, 4});
  auto &c = w.data["c"], &a = w.data["a"], &b = w.data["b"];
  for (float &v : c) v = v > 0 ? 1.0f : 0.0f;
  std::vector<float> want;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) want.push_back(c[j] != 0 ? a[i * 4 + j] : b[i]);
  requireClose(w.run({2, 3}), want);

  OneNodeGraph m("ArgMax");
  m.in("x", {3, 5});
  m.out({3});
  m.i("axis", 1);
  m.i("keepdims", 0);
  auto &mx = m.data["x"];
  std::vector<float> mw;
  for (int i = 0; i < 3; ++i)
    mw.push_back(std::max_element(mx.begin() + i * 5, mx.begin() + i * 5 + 5) - (mx.begin() + i * 5));
  requireClose(m.run({2, 1}), mw);

  OneNodeGraph s("CumSum");
  s.in("x", {2, 5});
  s.out({2, 5});
  s.i("axis", 1);
  s.i("reverse", 1);
  auto &sx = s.data["x"];
  std::vector<float> sw(10);
  for (int i = 0; i < 2; ++i) {
    double acc = 0;
    for (int j = 4; j >= 0; --j) sw[i * 5 + j] = acc += sx[i * 5 + j];
  }
  requireClose(s.run({1, 5}), sw);
}

TEST_CASE("Gather with run-time indices reads rows through an indirect window") {
  OneNodeGraph g("Gather");
  g.in("table", {7, 5}, true);
  ir::Value *ids = g.value("ids", {2, 3}, ir::Value::INPUT);
  ids->set_dtype(ir::I64);
  g.graph.add_inputs("ids");
  g.node->add_inputs("ids");
  g.out({2, 3, 5});
  std::vector<int64_t> idx = {6, 0, -1, 3, 3, 2};
  auto bytes = g.runWith({1, 2, 3}, {}, [&](device::Emulator &emu) {  // [before, n, after] view
    REQUIRE(!emu.writeInput(0, device::I64, idx.data(), 6));
  }, device::F32);
  const float *y = reinterpret_cast<const float *>(bytes.data());
  auto &table = g.data["table"];
  for (int i = 0; i < 6; ++i)
    for (int c = 0; c < 5; ++c) REQUIRE(y[i * 5 + c] == table[((idx[i] + 7) % 7) * 5 + c]);
}

TEST_CASE("Cast converts on the load and integer Add runs on int64 tiles") {
  auto run = [&](const std::string &op, ir::DType in, ir::DType out, int inputs, const std::vector<int64_t> &x) {
    OneNodeGraph g(op);
    for (int i = 0; i < inputs; ++i) {
      ir::Value *v = g.value("x" + std::to_string(i), {2, 3}, ir::Value::INPUT);
      v->set_dtype(in);
      g.graph.add_inputs(v->name());
      g.node->add_inputs(v->name());
    }
    g.out({2, 3});
    g.graph.mutable_values(g.graph.values_size() - 1)->set_dtype(out);
    auto bytes = g.runWith({1, 2}, {}, [&](device::Emulator &emu) {
      for (int i = 0; i < inputs; ++i) REQUIRE(!emu.writeInput(i, device::I64, x.data(), 6));
    }, device::F64);
    return std::vector<double>(reinterpret_cast<const double *>(bytes.data()),
                               reinterpret_cast<const double *>(bytes.data()) + 6);
  };
  std::vector<int64_t> x = {-3, 0, 7, 1 << 20, 5, -9};
  auto cast = run("Cast", ir::I64, ir::F32, 1, x);
  for (int i = 0; i < 6; ++i) CHECK(cast[i] == double(x[i]));
  auto sum = run("Add", ir::I64, ir::I64, 2, x);
  for (int i = 0; i < 6; ++i) CHECK(sum[i] == double(2 * x[i]));
}

#include "compiler/lowering/pe_placement.h"

TEST_CASE("L1B-aligned runs: no L1B boundary cuts a run, runs per L1B as asked") {
  auto hw = device::resolveHardware("");  // 64 PEs per L1B
  REQUIRE(static_cast<bool>(hw));
  pfcomp::lowering::Placement p(*hw, {8, 14}, {1, 1});  // 8 channel blocks of 14 spatial tiles
  p.setAligned(14, 4);                // 4 blocks per L1B: PEs 0-55, then 64-119
  REQUIRE(p.fitsAligned(112));
  p.ensure(0, 112);
  CHECK(p.physical(0) == 0);
  CHECK(p.physical(55) == 55);
  CHECK(p.physical(56) == 64);   // block 4 starts the next L1B
  CHECK(p.physical(111) == 119);
  CHECK_THAT(p.describe(), Catch::Contains("4 runs of 14 per L1B"));
  p.setAligned(14, 5);  // 70 PEs: more than an L1B
  CHECK_FALSE(p.fitsAligned(112));
}
