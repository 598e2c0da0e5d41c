// Loop and Scan unrolled at import when their trip count is known at compile time, and the
// refusal of those whose trip count or condition is computed at run time.
#include "compiler/import/importer.h"
#include "compiler/import/test_models.h"
#include "compiler/import/unroll.h"
#include "compiler/ir/text_dump.h"

#include <catch2/catch.hpp>

using namespace pfcomp;
using namespace pfcomp::import;
using namespace pfcomp::import::testing;

namespace {

const char *kHeader = R"(<ir_version: 7, opset_import: ["" : 13]>
)";

std::string importDump(const std::string &body) {
  auto result = importModel(writeModelText(kHeader + body), {});
  if (!result) FAIL(llvm::toString(result.takeError()));
  return ir::dumpGraph(result->graph);
}

std::string importError(const std::string &body) {
  return errorText(importModel(writeModelText(kHeader + body), {}));
}

int count(const std::string &text, const std::string &what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// A Loop doubling x; `cond` and the body's condition `condBody` vary per test.
std::string doublingLoop(const std::string &m, const std::string &condBody) {
  return "g (float[2] x) => (float[2] y, float[N, 2] z) {\n"
         "  m = Constant <value = int64 {" + m + "}> ()\n"
         "  t = Constant <value = bool {1}> ()\n"
         "  y, z = Loop (m, t, x) <body = body (int64 i, bool c, float[2] v) => (bool co, float[2] vo, float[2] so) {\n"
         "    vo = Add(v, v)\n"
         "    so = Identity(vo)\n" + condBody + "  }>\n}";
}

}  // namespace

TEST_CASE("A Loop with a constant trip count becomes one body copy per iteration") {
  const std::string dump = importDump(doublingLoop("3", "    co = Identity(c)\n"));
  CHECK(count(dump, "= Add(") == 3);
  CHECK(count(dump, "= Loop(") == 0);
  CHECK_THAT(dump, Catch::Contains("value %z : f32[3x2]"));
  CHECK_THAT(dump, Catch::Contains("= Concat("));
}

TEST_CASE("A while loop whose condition folds at every iteration stops where it turns false") {
  // i + 1 < 3: iterations 0, 1, 2 run, the third one's condition ends the loop before M = 10.
  const std::string dump = importDump(doublingLoop("10",
      "    one = Constant <value = int64 {1}> ()\n"
      "    three = Constant <value = int64 {3}> ()\n"
      "    next = Add(i, one)\n"
      "    co = Less(next, three)\n"));
  CHECK(count(dump, "= Add(") == 3);
  CHECK_THAT(dump, Catch::Contains("value %z : f32[3x2]"));
}

TEST_CASE("A constant false condition runs the body once (a do-while)") {
  const std::string dump = importDump(doublingLoop("10", "    co = Constant <value = bool {0}> ()\n"));
  CHECK(count(dump, "= Add(") == 1);
  CHECK_THAT(dump, Catch::Contains("value %z : f32[1x2]"));
}

TEST_CASE("A Loop whose condition reads a run-time value names the inputs to freeze") {
  const std::string err = importError(
      "g (float[2] x, float lim) => (float[2] y) {\n"
      "  m = Constant <value = int64 {5}> ()\n"
      "  t = Constant <value = bool {1}> ()\n"
      "  s = Constant <value = float {0}> ()\n"
      "  y, total = Loop (m, t, x, s) <body = body (int64 i, bool c, float[2] v, float acc) => (bool co, float[2] vo, float acco) {\n"
      "    vo = Add(v, v)\n"
      "    acco = Add(acc, lim)\n"
      "    co = Less(acco, lim)\n"
      "  }>\n}");
  CHECK_THAT(err, Catch::Contains("[E104]"));
  CHECK_THAT(err, Catch::Contains("(Loop)"));
  CHECK_THAT(err, Catch::Contains("Loop and Scan run only unrolled at import"));
  // The condition reads the carried acc (constant 0) and the graph input lim, not x.
  CHECK_THAT(err, Catch::EndsWith("for the graph inputs they are computed from: lim"));
}

TEST_CASE("A Loop with a run-time trip count names the graph inputs it is computed from") {
  const std::string err = importError(
      "g (float[2] x, int64 n) => (float[2] y) {\n"
      "  one = Constant <value = int64 {1}> ()\n"
      "  m = Add(n, one)\n"
      "  y = Loop (m, ) <body = body (int64 i, bool c, float[2] v) => (bool co, float[2] vo) {\n"
      "    vo = Add(v, v)\n"
      "    co = Identity(c)\n"
      "  }>\n}");
  CHECK_THAT(err, Catch::Contains("operands these ops need as constants are computed at run time: "));
  CHECK_THAT(err, Catch::EndsWith("computed from: n"));
}

TEST_CASE("A Loop beyond the unrolling limit is refused, naming the limit") {
  const std::string err = importError(doublingLoop("5000", "    co = Identity(c)\n"));
  CHECK_THAT(err, Catch::Contains("at most " + std::to_string(kMaxUnrolledIterations) + " iterations"));
  // Within the iteration limit, but 1000 copies of a 20-node body exceed the node limit.
  std::string body = "    co = Identity(c)\n    w0 = Identity(vo)\n";
  for (int k = 1; k < 18; ++k) body += "    w" + std::to_string(k) + " = Neg(w" + std::to_string(k - 1) + ")\n";
  CHECK(1000 * 20 > kMaxUnrolledNodes);
  CHECK_THAT(importError(doublingLoop("1000", body)), Catch::Contains("Loop and Scan run only unrolled"));
  CHECK_THAT(importDump(doublingLoop("100", body)), !Catch::Contains("= Loop("));
}

TEST_CASE("Scan reads its inputs along their axes and directions and stacks its outputs") {
  // x [2, 3]: scanned over axis 1 in reverse; the running sum is stacked along axis 1 of z,
  // in reverse order.
  const std::string dump = importDump(
      "g (float[2] s0, float[2, 3] x) => (float[2] s, float[2, 3] z) {\n"
      "  s, z = Scan (s0, x) <num_scan_inputs = 1, scan_input_axes = [1], scan_input_directions = [1],\n"
      "                       scan_output_axes = [-1], scan_output_directions = [1],\n"
      "                       body = body (float[2] acc, float[2] e) => (float[2] acco, float[2] out) {\n"
      "    acco = Add(acc, e)\n"
      "    out = Identity(acco)\n"
      "  }>\n}");
  CHECK(count(dump, "= Add(") == 3);
  CHECK(count(dump, "= Gather(") == 3);
  CHECK(count(dump, "= Scan(") == 0);
  CHECK_THAT(dump, Catch::Contains("value %z : f32[2x3]"));
}

TEST_CASE("loopControlInputs: M, cond and the carried values the condition follows") {
  onnx::ModelProto m = parseModel(std::string(kHeader) +
      "g (float[2] x, int64 n, bool b, float a) => (float[2] y) {\n"
      "  y, r = Loop (n, b, x, a) <body = body (int64 i, bool c, float[2] v, float acc) => (bool co, float[2] vo, float acco) {\n"
      "    vo = Add(v, v)\n"
      "    acco = Identity(acc)\n"
      "    zero = Constant <value = float {0}> ()\n"
      "    co = Greater(acco, zero)\n"
      "  }>\n}");
  CHECK(loopControlInputs(m.graph().node(0)) == std::vector<std::string>{"n", "b", "a"});
}
