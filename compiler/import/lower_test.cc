// Device dtypes chosen by lowering: booleans and ArgMax / ArgMin indices live in the float type
// (0 / 1 masks), casts between them become copies, other integer tensors stay refused.
#include "compiler/import/importer.h"

#include "compiler/import/test_models.h"
#include "compiler/ir/text_dump.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace pfcomp;
using namespace pfcomp::import;
using namespace pfcomp::import::testing;

namespace {

const char *kHeader = R"(<ir_version: 7, opset_import: ["" : 13]>)";

ir::Graph importText(const std::string &body) {
  auto r = importModel(writeModelText(kHeader + body), {});
  if (!r) FAIL(llvm::toString(r.takeError()));
  return r->graph;
}

std::string dump(const std::string &body) { return ir::dumpGraph(importText(body)); }

}  // namespace

TEST_CASE("comparisons, logic and Where compute 0/1 masks in the float type") {
  const std::string d = dump(R"(
g (float[2,3] x, float[2,3] z) => (float[2,3] y, bool[2,3] m) {
  lt = Less(x, z)
  gt = Greater(x, z)
  ne = Not(lt)
  both = And(ne, gt)
  m = Xor(both, lt)
  y = Where(m, x, z)
})");
  CHECK_THAT(d, Catch::Contains("value %lt : f32[2x3]"));
  CHECK_THAT(d, Catch::Contains("value %m : f32[2x3]"));
  CHECK_THAT(d, Catch::Contains("meta onnx_output_dtype.m = 9"));
  CHECK_THAT(d, Catch::Contains("= Where(%m, %x, %z) -> (%y)"));
}

TEST_CASE("a bool graph input is a float input with its ONNX type kept in meta") {
  const std::string d = dump(R"(
g (bool[4] c, float[4] x) => (float[4] y) {
  n = Neg(x)
  y = Where(c, x, n)
})");
  CHECK_THAT(d, Catch::Contains("input %c : f32[4]"));
  CHECK_THAT(d, Catch::Contains("meta onnx_input_dtype.c = 9"));
}

TEST_CASE("a constant Where condition is a float parameter of 0 / 1") {
  ir::Graph g = importText(R"(
g (float[3] x) => (float[3] y) {
  c = Constant <value = bool[3] {1, 0, 1}> ()
  n = Neg(x)
  y = Where(c, x, n)
})");
  bool found = false;
  for (const auto &v : g.values()) {
    if (v.name() != "c") continue;
    found = true;
    CHECK(v.kind() == ir::Value::PARAM);
    CHECK(v.dtype() == ir::F32);
    std::vector<float> f(3);
    REQUIRE(v.data().size() == 12);
    std::memcpy(f.data(), v.data().data(), 12);
    CHECK(f == std::vector<float>{1, 0, 1});
  }
  CHECK(found);
}

TEST_CASE("Cast bool -> float is a copy; Cast float -> bool is Not(Equal(x, 0))") {
  const std::string d = dump(R"(
g (float[2] x) => (float[2] y) {
  b = Cast <to = 9> (x)
  y = Cast <to = 1> (b)
})");
  CHECK_THAT(d, Catch::Contains("= Equal(%x, %Cast_0_const) -> (%Cast_0_Equal)"));
  CHECK_THAT(d, Catch::Contains("= Not(%Cast_0_Equal) -> (%b)"));
  CHECK_THAT(d, Catch::Contains("node Cast_1 = Identity(%b) -> (%y)\n"));
}

TEST_CASE("ArgMax indices are held in the float type through casts and comparisons") {
  const std::string d = dump(R"(
g (float[3,5] x) => (int64[3] i, float[3] f, float[3] is2) {
  i = ArgMax <axis = 1, keepdims = 0> (x)
  f = Cast <to = 1> (i)
  two = Constant <value = int64 {2}> ()
  e = Equal(i, two)
  is2 = Cast <to = 1> (e)
})");
  CHECK_THAT(d, Catch::Contains("value %i : f32[3]"));
  CHECK_THAT(d, Catch::Contains("param %two : f32[]"));
  CHECK_THAT(d, Catch::Contains("meta onnx_output_dtype.i = 7"));
  CHECK_THAT(d, Catch::Contains("= Identity(%i) -> (%f)"));
  CHECK_THAT(d, Catch::Contains("= Identity(%e) -> (%is2)"));
}

TEST_CASE("integer activations of ops without an integer form stay refused") {
  auto r = importModel(writeModelText(std::string(kHeader) + R"(
g (float[3] x) => (int64[3] y) {
  i = Cast <to = 7> (x)
  y = Softplus(i)
})"), {});
  const std::string err = errorText(std::move(r));
  CHECK_THAT(err, Catch::Contains("[E104]"));
  CHECK_THAT(err, Catch::Contains("y:i64"));
}
