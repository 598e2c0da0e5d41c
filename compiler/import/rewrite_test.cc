// ONNX-level rewrites into device ops: LSTM / GRU / RNN unrolling, Einsum, variadic ops,
// DepthToSpace / SpaceToDepth, Tile, the composite reductions, and the refusals with reasons.
// (Numerics against onnxruntime: testdata/check_rewrites.py.)
#include "compiler/import/importer.h"

#include "compiler/import/test_models.h"
#include "compiler/ir/op_support.h"
#include "compiler/ir/text_dump.h"

#include <catch2/catch.hpp>

#include <map>

using namespace pfcomp;
using namespace pfcomp::import;
using namespace pfcomp::import::testing;

namespace {

std::string header(int opset) {
  return "<ir_version: 8, opset_import: [\"\" : " + std::to_string(opset) + "]>";
}

ir::Graph importText(const std::string &body, int opset = 13) {
  auto r = importModel(writeModelText(header(opset) + body), {});
  if (!r) FAIL(llvm::toString(r.takeError()));
  for (const auto &n : r->graph.nodes()) {
    INFO(n.name() << " " << n.op_type());
    CHECK(ir::isDeviceOp(n.op_type()));
  }
  return r->graph;
}

std::string importError(const std::string &body, int opset = 13) {
  return errorText(importModel(writeModelText(header(opset) + body), {}));
}

std::map<std::string, int> opCounts(const ir::Graph &g) {
  std::map<std::string, int> m;
  for (const auto &n : g.nodes()) ++m[n.op_type()];
  return m;
}

std::string shapeOf(const ir::Graph &g, const std::string &name) {
  for (const auto &v : g.values())
    if (v.name() == name) {
      std::string s;
      for (int64_t d : v.shape()) s += (s.empty() ? "" : "x") + std::to_string(d);
      return s;
    }
  return "<none>";
}

// W, R, B of a recurrent layer filled with small numbers.
std::string weights(const std::string &name, std::vector<int64_t> dims) {
  int64_t n = 1;
  std::string dimText, values;
  for (int64_t d : dims) n *= d, dimText += (dimText.empty() ? "" : ",") + std::to_string(d);
  for (int64_t k = 0; k < n; ++k) values += (k ? "," : "") + std::to_string((k % 7 - 3) * 0.05);
  return "  " + name + " = Constant <value = float[" + dimText + "] {" + values + "}> ()\n";
}

}  // namespace

TEST_CASE("LSTM unrolls into one input MatMul and a MatMul per step, with all three outputs") {
  const std::string body = "\ng (float[3,2,4] x, float[1,2,5] h0, float[1,2,5] c0) => (float[3,1,2,5] y, float[1,2,5] yh, float[1,2,5] yc) {\n" +
                           weights("w", {1, 20, 4}) + weights("r", {1, 20, 5}) + weights("b", {1, 40}) +
                           "  y, yh, yc = LSTM <hidden_size = 5> (x, w, r, b, , h0, c0)\n}";
  ir::Graph g = importText(body);
  auto ops = opCounts(g);
  CHECK(ops["MatMul"] == 1 + 3);
  CHECK(ops["Sigmoid"] == 3 * 3);
  CHECK(ops["Tanh"] == 2 * 3);
  CHECK(ops.count("LSTM") == 0);
  CHECK(shapeOf(g, "y") == "3x1x2x5");
  CHECK(shapeOf(g, "yc") == "1x2x5");
}

TEST_CASE("LSTM with zero initial states skips the first step's recurrent MatMul") {
  const std::string body = "\ng (float[2,4,3] x) => (float[2,4,2,5] y) {\n" + weights("w", {2, 20, 3}) +
                           weights("r", {2, 20, 5}) +
                           "  y, yh = LSTM <hidden_size = 5, layout = 1, direction = \"bidirectional\"> (x, w, r)\n}";
  ir::Graph g = importText(body, 14);
  CHECK(opCounts(g)["MatMul"] == 2 * (1 + 3));
  CHECK(shapeOf(g, "y") == "2x4x2x5");
}

TEST_CASE("GRU with linear_before_reset 0 and 1, reverse, and RNN with Relu") {
  for (int lbr : {0, 1}) {
    INFO("linear_before_reset " << lbr);
    const std::string body = "\ng (float[3,2,4] x, float[1,2,5] h0) => (float[1,2,5] yh) {\n" + weights("w", {1, 15, 4}) +
                             weights("r", {1, 15, 5}) + weights("b", {1, 30}) +
                             "  y, yh = GRU <hidden_size = 5, direction = \"reverse\", linear_before_reset = " +
                             std::to_string(lbr) + "> (x, w, r, b, , h0)\n}";
    ir::Graph g = importText(body);
    CHECK(opCounts(g)["Sigmoid"] == 2 * 3);
    CHECK(shapeOf(g, "yh") == "1x2x5");
  }
  const std::string rnn = "\ng (float[3,2,4] x) => (float[3,1,2,5] y) {\n" + weights("w", {1, 5, 4}) + weights("r", {1, 5, 5}) +
                          "  y = RNN <hidden_size = 5, activations = [\"Relu\"]> (x, w, r)\n}";
  ir::Graph g = importText(rnn);
  CHECK(opCounts(g)["Relu"] == 3);
  CHECK(opCounts(g)["Tanh"] == 0);
}

TEST_CASE("recurrent forms the device cannot run are refused with the reason") {
  const std::string w = weights("w", {1, 20, 4}) + weights("r", {1, 20, 5}) + weights("b", {1, 40});
  const std::string lens = importError("\ng (float[3,2,4] x) => (float[3,1,2,5] y) {\n" + w +
                                       "  l = Constant <value = int32[2] {3, 2}> ()\n"
                                       "  y = LSTM <hidden_size = 5> (x, w, r, b, l)\n}");
  CHECK_THAT(lens, Catch::Contains("[E104]") && Catch::Contains("sequence_lens holds 2"));
  const std::string dyn = importError("\ng (float[3,2,4] x, int32[2] l) => (float[3,1,2,5] y) {\n" + w +
                                      "  y = LSTM <hidden_size = 5> (x, w, r, b, l)\n}");
  CHECK_THAT(dyn, Catch::Contains("[E104]") && Catch::Contains("computed at run time") &&
                     Catch::Contains("pass --constant_input=NAME=FILE.pb for the graph inputs they are computed from: l"));
  const std::string clip = importError("\ng (float[3,2,4] x) => (float[3,1,2,5] y) {\n" + w +
                                       "  y = LSTM <hidden_size = 5, clip = 1.0> (x, w, r, b)\n}");
  CHECK_THAT(clip, Catch::Contains("[E104]") && Catch::Contains("clip"));
}

TEST_CASE("matmul-like Einsum equations become Transpose / Reshape / MatMul") {
  ir::Graph bmm = importText(R"(
g (float[2,3,4] a, float[2,4,5] b) => (float[2,3,5] y) {
  y = Einsum <equation = "bij,bjk->bik"> (a, b)
})");
  CHECK(opCounts(bmm) == std::map<std::string, int>{{"MatMul", 1}, {"Reshape", 1}});
  ir::Graph att = importText(R"(
g (float[1,2,3,4] q, float[1,2,5,4] k) => (float[1,2,3,5] y) {
  y = Einsum <equation = "bhqd,bhkd->bhqk"> (q, k)
})");
  CHECK(opCounts(att)["Transpose"] == 1);
  CHECK(opCounts(att)["MatMul"] == 1);
  CHECK(shapeOf(att, "y") == "1x2x3x5");
  ir::Graph mm = importText(R"(
g (float[3,4] a, float[4,5] b) => (float[5,3] y) {
  y = Einsum <equation = "ij,jk->ki"> (a, b)
})");
  CHECK(opCounts(mm) == std::map<std::string, int>{{"MatMul", 1}, {"Transpose", 1}});
  ir::Graph dot = importText(R"(
g (float[3,4] a, float[3,4] b) => (float[3] y) {
  y = Einsum <equation = "bi,bi->b"> (a, b)
})");
  CHECK(opCounts(dot)["MatMul"] == 1);
  // One operand: a diagonal (times the identity, summed), with "..." for its leading axes.
  ir::Graph diag = importText(R"(
g (float[2,3,3] a) => (float[2,3] y) {
  y = Einsum <equation = "...ii->...i"> (a)
})");
  CHECK(opCounts(diag)["ReduceSum"] == 1);
  CHECK(shapeOf(diag, "y") == "2x3");
  CHECK_THAT(importError(R"(
g (float[3,3] a, float[3,3] b) => (float[3] y) {
  y = Einsum <equation = "ii,ij->i"> (a, b)
})"), Catch::Contains("[E104]") && Catch::Contains("diagonal"));
  CHECK_THAT(importError(R"(
g (float[2,3,4] a, float[2,4,5] b) => (float[2,3,5] y) {
  y = Einsum <equation = "...ij,...jk->...ik"> (a, b)
})"), Catch::Contains("[E104]") && Catch::Contains("ellipsis"));
}

TEST_CASE("variadic Sum / Mean / Max / Min become chains of binary ops") {
  const std::string d = ir::dumpGraph(importText(R"(
g (float[2,3] a, float[3] b, float[2,3] c) => (float[2,3] s, float[2,3] m, float[2,3] mx, float[2,3] one) {
  s = Sum(a, b, c)
  m = Mean(a, b, c)
  mx = Max(a, b, c)
  one = Min(a)
})"));
  CHECK_THAT(d, Catch::Contains("= Add(%a, %b) -> (%Sum_0_Add)"));
  CHECK_THAT(d, Catch::Contains("= Add(%Sum_0_Add, %c) -> (%s)"));
  CHECK_THAT(d, Catch::Contains("= Mul(%Mean_1_Add_1, %Mean_1_const) -> (%m)"));
  CHECK_THAT(d, Catch::Contains("= Max(%Max_2_Max, %c) -> (%mx)"));
  CHECK_THAT(d, Catch::Contains("= Identity(%a) -> (%one)"));
}

TEST_CASE("DepthToSpace (DCR, CRD) and SpaceToDepth are Reshape -> Transpose -> Reshape") {
  const std::string d = ir::dumpGraph(importText(R"(
g (float[1,8,2,3] x) => (float[1,2,4,6] dcr, float[1,2,4,6] crd, float[1,8,2,3] s2d) {
  dcr = DepthToSpace <blocksize = 2> (x)
  crd = DepthToSpace <blocksize = 2, mode = "CRD"> (x)
  s2d = SpaceToDepth <blocksize = 2> (dcr)
})"));
  CHECK_THAT(d, Catch::Contains("{shape=[1,2,2,2,2,3]}"));
  CHECK_THAT(d, Catch::Contains("{perm=[0,3,4,1,5,2]}"));
  CHECK_THAT(d, Catch::Contains("{perm=[0,1,4,2,5,3]}"));
  CHECK_THAT(d, Catch::Contains("{perm=[0,3,5,1,2,4]}"));
  CHECK_THAT(d, Catch::Contains("-> (%s2d) {shape=[1,8,2,3]}"));
}

TEST_CASE("Tile with constant repeats is a Concat of copies per repeated axis") {
  const std::string d = ir::dumpGraph(importText(R"(
g (float[2,3] x) => (float[4,9] y) {
  r = Constant <value = int64[2] {2, 3}> ()
  y = Tile(x, r)
})"));
  CHECK_THAT(d, Catch::Contains("= Concat(%x, %x) -> (%Tile_1_Concat) {axis=0}"));
  CHECK_THAT(d, Catch::Contains("= Concat(%Tile_1_Concat, %Tile_1_Concat, %Tile_1_Concat) -> (%y) {axis=1}"));
}

TEST_CASE("ReduceL1 / L2 / SumSquare / LogSumExp / LogSum become ReduceSum compositions") {
  for (int opset : {11, 13}) {  // (opset 18's axes input: the Debian onnx 1.12 checker stops at 17)
    INFO("opset " << opset);
    const std::string axes = "axes = [1], ";
    const std::string in = "";
    const std::string d = ir::dumpGraph(importText(
        "\ng (float[2,3] x) => (float[2,1] l1, float[2] l2, float[2,1] ss, float[2,1] lse, float[2,1] ls) {\n"
        "  l1 = ReduceL1 <" + axes + "keepdims = 1> (x" + in + ")\n"
        "  l2 = ReduceL2 <" + axes + "keepdims = 0> (x" + in + ")\n"
        "  ss = ReduceSumSquare <" + axes + "keepdims = 1> (x" + in + ")\n"
        "  lse = ReduceLogSumExp <" + axes + "keepdims = 1> (x" + in + ")\n"
        "  ls = ReduceLogSum <" + axes + "keepdims = 1> (x" + in + ")\n}", opset));
    CHECK_THAT(d, Catch::Contains("= Abs(%x)"));
    CHECK_THAT(d, Catch::Contains("= Sqrt(%ReduceL2_1_ReduceSum) -> (%l2)"));
    const size_t ss = d.find("-> (%ss) {");
    REQUIRE(ss != std::string::npos);
    const std::string ssAttrs = d.substr(ss, d.find('\n', ss) - ss);
    CHECK_THAT(ssAttrs, Catch::Contains("keepdims=1") && Catch::Contains("axes=[1]"));
    CHECK_THAT(d, Catch::Contains("= ReduceMax(%x) -> (%ReduceLogSumExp_3_ReduceMax) {axes=[1], keepdims=1}"));
    CHECK_THAT(d, Catch::Contains("= Exp(%ReduceLogSumExp_3_Sub)"));
    CHECK_THAT(d, Catch::Contains("= Log(%ReduceLogSum_4_ReduceSum) -> (%ls)"));
  }
}

TEST_CASE("NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss select the class through a one-hot mask") {
  // ignore_index inside [0, C) adds a second mask; outside it does not.
  for (int ii : {1, -3}) {
    INFO("ignore_index " << ii);
    const std::string body = "\ng (float[3,5,2] x, int64[3,2] t, float[5] w) => (float loss) {\n"
                             "  loss = NegativeLogLikelihoodLoss <ignore_index = " + std::to_string(ii) +
                             "> (x, t, w)\n}";
    auto ops = opCounts(importText(body));
    CHECK(ops["Equal"] == (ii == 1 ? 2 : 1));
    CHECK(ops["Div"] == 1);
    CHECK(ops.count("NegativeLogLikelihoodLoss") == 0);
  }
  const std::string sce = "\ng (float[3,5] x, int64[3] t) => (float[3] loss, float[3,5] logp) {\n"
                          "  loss, logp = SoftmaxCrossEntropyLoss <reduction = \"none\"> (x, t)\n}";
  ir::Graph g = importText(sce);
  CHECK(opCounts(g)["LogSoftmax"] == 1);
  CHECK(shapeOf(g, "loss") == "3");
}

TEST_CASE("GatherElements compares its indices with an iota over the axis") {
  const std::string body = "\ng (float[3,4] x, int64[2,4] i) => (float[2,4] y) {\n"
                           "  y = GatherElements <axis = 0> (x, i)\n}";
  ir::Graph g = importText(body);
  auto ops = opCounts(g);
  CHECK(ops["Equal"] == 2);  // index and index - 3 (negative indices)
  CHECK(ops["Where"] == 1);
  CHECK(ops.count("GatherElements") == 0);
  CHECK(shapeOf(g, "y") == "2x4");
}

TEST_CASE("ScatterElements and OneHot compare their indices with an iota") {
  const std::string scatter = "\ng (float[3,3] x, int64[2,3] i, float[2,3] u) => (float[3,3] y) {\n"
                              "  y = ScatterElements <reduction = \"add\"> (x, i, u)\n}";
  auto ops = opCounts(importText(scatter, 16));
  CHECK(ops["Equal"] == 2);
  CHECK(ops["Add"] == 1);
  CHECK(ops.count("ScatterElements") == 0);
  const std::string onehot = "\ng (int64[3] i) => (float[3,4] y) {\n"
                             "  d = Constant <value = float {4}> ()\n"
                             "  v = Constant <value = float[2] {0, 1}> ()\n"
                             "  y = OneHot (i, d, v)\n}";
  ir::Graph g = importText(onehot, 11);
  CHECK(opCounts(g)["Where"] == 1);
  CHECK(shapeOf(g, "y") == "3x4");
}

TEST_CASE("BatchNormalization with run-time statistics, and in training mode") {
  const std::string infer = "\ng (float[2,3,4] x, float[3] s, float[3] b, float[3] m, float[3] v) => (float[2,3,4] y) {\n"
                            "  y = BatchNormalization (x, s, b, m, v)\n}";
  CHECK(opCounts(importText(infer, 15))["Sqrt"] == 1);
  const std::string train = "\ng (float[2,3,4] x, float[3] s, float[3] b, float[3] m, float[3] v) => "
                            "(float[2,3,4] y, float[3] rm, float[3] rv) {\n"
                            "  y, rm, rv = BatchNormalization <training_mode = 1> (x, s, b, m, v)\n}";
  ir::Graph g = importText(train, 15);
  CHECK(opCounts(g)["ReduceMean"] == 2);
  CHECK(shapeOf(g, "rv") == "3");
}

TEST_CASE("Dropout's mask, no-op reductions and constant windows need no device computation") {
  const std::string dropout = "\ng (float[2,3] x) => (float[2,3] y, bool[2,3] z) {\n"
                              "  y, z = Dropout (x)\n}";
  ir::Graph g = importText(dropout);
  CHECK(opCounts(g).count("Dropout") == 0);
  CHECK(shapeOf(g, "z") == "2x3");
  const std::string noop = "\ng (float[2,3] x) => (float[2,3] y) {\n"
                           "  a = Constant <value = int64[0] {}> ()\n"
                           "  y = ReduceSum <noop_with_empty_axes = 1> (x, a)\n}";
  CHECK(opCounts(importText(noop)).count("ReduceSum") == 0);
  const std::string window = "\ng (float[4] x) => (float[4] y) {\n"
                             "  n = Constant <value = int64 {4}> ()\n"
                             "  w = HannWindow (n)\n"
                             "  y = Mul (x, w)\n}";
  CHECK(opCounts(importText(window, 17))["Mul"] == 1);
}

TEST_CASE("GridSample becomes a MatMul; bicubic with border padding is refused") {
  const std::string body = "\ng (float[1,2,3,4] x, float[1,5,6,2] grid) => (float[1,2,5,6] y) {\n"
                           "  y = GridSample <mode = \"MODE\", padding_mode = \"PAD\"> (x, grid)\n}";
  auto with = [&](const std::string &mode, const std::string &pad) {
    std::string s = body;
    s.replace(s.find("MODE"), 4, mode);
    s.replace(s.find("PAD"), 3, pad);
    return s;
  };
  ir::Graph g = importText(with("bilinear", "border"), 16);
  CHECK(opCounts(g)["MatMul"] == 1);
  CHECK(shapeOf(g, "y") == "1x2x5x6");
  CHECK_THAT(importError(with("bicubic", "border"), 16), Catch::Contains("[E104]") && Catch::Contains("GridSample"));
}

TEST_CASE("Celu, MeanVarianceNormalization, LRN, Det and edge Pad decompose into device ops") {
  CHECK(opCounts(importText("\ng (float[2,3] x) => (float[2,3] y) {\n  y = Celu <alpha = 2.0> (x)\n}", 12))["Exp"] == 1);
  CHECK(opCounts(importText("\ng (float[2,3,4,1] x) => (float[2,3,4,1] y) {\n  y = MeanVarianceNormalization (x)\n}"))["Sqrt"] == 1);
  CHECK(opCounts(importText("\ng (float[1,5,2,2] x) => (float[1,5,2,2] y) {\n  y = LRN <size = 3> (x)\n}"))["Conv"] == 1);
  ir::Graph det = importText("\ng (float[4,3,3] x) => (float[4] y) {\n  y = Det (x)\n}", 11);
  CHECK(shapeOf(det, "y") == "4");
  const std::string pad = "\ng (float[2,3] x) => (float[4,7] y) {\n"
                          "  p = Constant <value = int64[4] {1, 2, 1, 2}> ()\n"
                          "  y = Pad <mode = \"edge\"> (x, p)\n}";
  ir::Graph g = importText(pad);
  CHECK(opCounts(g)["Concat"] == 2);
  CHECK(shapeOf(g, "y") == "4x7");
}

TEST_CASE("GatherND selects index tuples through a mask") {
  const std::string body = "\ng (float[2,3,4] x, int64[5,2] i) => (float[5,4] y) {\n"
                           "  y = GatherND (x, i)\n}";
  ir::Graph g = importText(body);
  CHECK(opCounts(g)["Where"] == 1);
  CHECK(shapeOf(g, "y") == "5x4");
}

TEST_CASE("ScatterND and ReverseSequence select through masks") {
  const std::string scatter = "\ng (float[4,3] x, int64[2,1] i, float[2,3] u) => (float[4,3] y) {\n"
                              "  y = ScatterND <reduction = \"mul\"> (x, i, u)\n}";
  CHECK(opCounts(importText(scatter, 16))["ReduceProd"] == 1);
  const std::string rev = "\ng (float[4,3] x, int64[3] l) => (float[4,3] y) {\n"
                          "  y = ReverseSequence <batch_axis = 1, time_axis = 0> (x, l)\n}";
  ir::Graph g = importText(rev, 10);
  CHECK(opCounts(g).count("ReverseSequence") == 0);
  CHECK(shapeOf(g, "y") == "4x3");
}

TEST_CASE("A one-operand Einsum sums the letters the output drops; DFT becomes MatMuls") {
  ir::Graph g = importText("\ng (float[3,4] x) => (float[4] y) {\n  y = Einsum <equation = \"ij->j\"> (x)\n}", 12);
  CHECK(opCounts(g)["ReduceSum"] == 1);
  CHECK(shapeOf(g, "y") == "4");
  ir::Graph d = importText("\ng (float[1,8,3,1] x) => (float[1,8,3,2] y) {\n  y = DFT <axis = 1> (x)\n}", 17);
  CHECK(opCounts(d)["MatMul"] == 2);
  CHECK(shapeOf(d, "y") == "1x8x3x2");
}

TEST_CASE("MelWeightMatrix of constant operands is a constant") {
  const std::string body = "\ng (float[9,8] x) => (float[9,8] y) {\n"
                           "  m = Constant <value = int32 {8}> ()\n"
                           "  d = Constant <value = int32 {16}> ()\n"
                           "  r = Constant <value = int32 {8192}> ()\n"
                           "  lo = Constant <value = float {0}> ()\n"
                           "  hi = Constant <value = float {4096}> ()\n"
                           "  w = MelWeightMatrix (m, d, r, lo, hi)\n"
                           "  y = Mul (x, w)\n}";
  ir::Graph g = importText(body, 17);
  CHECK(opCounts(g)["Mul"] == 1);
  CHECK(opCounts(g).count("MelWeightMatrix") == 0);
}

TEST_CASE("LSTM peepholes add the cell state's share to the i, f and o gates") {
  const std::string body = "\ng (float[3,2,4] x, float[1,2,5] c0) => (float[3,1,2,5] y) {\n" +
                           weights("w", {1, 20, 4}) + weights("r", {1, 20, 5}) + weights("b", {1, 40}) +
                           weights("p", {1, 15}) + "  y = LSTM <hidden_size = 5> (x, w, r, b, , , c0, p)\n}";
  ir::Graph g = importText(body);
  CHECK(opCounts(g).count("LSTM") == 0);
  CHECK(opCounts(g)["Mul"] >= 3 * 3 + 3 * 3);  // per step: 3 peephole products besides i*c, f*c, o*h
}
