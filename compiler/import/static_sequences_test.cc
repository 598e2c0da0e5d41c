// Sequences and optionals with a structure known at compile time, resolved at import into
// tensor ops, and the refusal of those whose structure depends on run-time values.
#include "compiler/import/host_tensor.h"
#include "compiler/import/importer.h"
#include "compiler/import/static_sequences.h"
#include "compiler/import/test_models.h"
#include "compiler/ir/text_dump.h"

#include <onnx/onnx-data_pb.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace pfcomp;
using namespace pfcomp::import;
using namespace pfcomp::import::testing;

namespace {

std::string header(int opset) {
  return "<ir_version: 8, opset_import: [\"\" : " + std::to_string(opset) + "]>\n";
}

// ONNX 1.12's text parser has no sequence types: values named in `seqs` (graph and subgraph
// inputs and outputs) are written as tensors and retyped here as sequences of floats.
void retypeAsSequences(onnx::GraphProto &g, const std::vector<std::string> &seqs) {
  for (auto *list : {g.mutable_input(), g.mutable_output()})
    for (auto &vi : *list)
      if (std::find(seqs.begin(), seqs.end(), vi.name()) != seqs.end())
        vi.mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
            onnx::TensorProto::FLOAT);
  for (auto &n : *g.mutable_node())
    for (auto &a : *n.mutable_attribute())
      if (a.has_g()) retypeAsSequences(*a.mutable_g(), seqs);
}

onnx::ModelProto modelOf(const std::string &body, int opset, const std::vector<std::string> &seqs = {}) {
  onnx::ModelProto m = parseModel(header(opset) + body);
  retypeAsSequences(*m.mutable_graph(), seqs);
  return m;
}

onnx::GraphProto graphOf(const std::string &body, int opset = 13) { return modelOf(body, opset).graph(); }

std::string importDump(const onnx::ModelProto &model, ImportOptions options = {}) {
  auto result = importModel(writeModel(model), options);
  if (!result) FAIL(llvm::toString(result.takeError()));
  return ir::dumpGraph(result->graph);
}

std::string importDump(const std::string &body, int opset = 13) { return importDump(modelOf(body, opset)); }

std::string importError(const onnx::ModelProto &model) {
  return errorText(importModel(writeModel(model), {}));
}

const onnx::NodeProto *producerOf(const onnx::GraphProto &g, const std::string &value) {
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      if (o == value) return &n;
  return nullptr;
}

int countOps(const onnx::GraphProto &g, const std::string &op) {
  int n = 0;
  for (const auto &node : g.node()) n += node.op_type() == op;
  return n;
}

}  // namespace

TEST_CASE("SequenceAt with a constant position is the tensor at that position") {
  onnx::GraphProto g = graphOf(
      "g (float[2] a, float[2] b, float[2] c) => (float[2] y) {\n"
      "  s = SequenceConstruct(a, b, c)\n"
      "  p = Constant <value = int64 {-2}> ()\n"
      "  y = SequenceAt(s, p)\n"
      "}");
  // The Constant is folded by the fold loop; here it is made an initializer by hand.
  onnx::GraphProto folded = g;
  folded.clear_node();
  for (const auto &n : g.node())
    if (n.op_type() != "Constant") *folded.add_node() = n;
  onnx::TensorProto &p = *folded.add_initializer();
  p.set_name("p"), p.set_data_type(onnx::TensorProto::INT64), p.add_int64_data(-2);
  CHECK(resolveStaticSequences(folded, 13) == 1);
  const onnx::NodeProto *y = producerOf(folded, "y");
  REQUIRE(y);
  CHECK(y->op_type() == "Identity");
  CHECK(y->input(0) == "b");
  CHECK(countOps(folded, "SequenceConstruct") == 0);  // dead once nothing reads it
}

TEST_CASE("SequenceInsert, SequenceErase and ConcatFromSequence give a Concat in the new order") {
  onnx::GraphProto g = graphOf(
      "g (float[2] a, float[2] b, float[2] c) => (float[6] y) {\n"
      "  s = SequenceConstruct(a, b)\n"
      "  t = SequenceInsert(s, c, zero)\n"  // at the front
      "  u = SequenceInsert(t, a)\n"        // at the back
      "  v = SequenceErase(u)\n"            // the last one again
      "  y = ConcatFromSequence <axis = 0> (v)\n"
      "}");
  onnx::TensorProto &zero = *g.add_initializer();
  zero.set_name("zero"), zero.set_data_type(onnx::TensorProto::INT64), zero.add_int64_data(0);
  CHECK(resolveStaticSequences(g, 13) == 4);
  const onnx::NodeProto *y = producerOf(g, "y");
  REQUIRE(y);
  CHECK(y->op_type() == "Concat");
  REQUIRE(y->input_size() == 3);
  CHECK(y->input(0) == "c");
  CHECK(y->input(1) == "a");
  CHECK(y->input(2) == "b");
}

TEST_CASE("SequenceLength of a known sequence is a constant") {
  onnx::GraphProto g = graphOf(
      "g (float[2] a) => (int64 n) {\n"
      "  e = SequenceEmpty <dtype = 1> ()\n"
      "  s = SequenceInsert(e, a)\n"
      "  t = SequenceInsert(s, a)\n"
      "  n = SequenceLength(t)\n"
      "}");
  CHECK(resolveStaticSequences(g, 13) == 3);
  REQUIRE(g.initializer_size() == 1);
  CHECK(g.initializer(0).name() == "n");
  auto n = decodeTensor(g.initializer(0));
  REQUIRE(static_cast<bool>(n));
  CHECK(n->dims.empty());
  CHECK(n->getI(0) == 2);
}

TEST_CASE("SplitToSequence and ConcatFromSequence with new_axis round-trip through Split and Squeeze") {
  const std::string dump = importDump(
      "g (float[3, 4] x) => (float[4, 3] y) {\n"
      "  s = SplitToSequence <axis = 0, keepdims = 0> (x)\n"
      "  y = ConcatFromSequence <axis = 1, new_axis = 1> (s)\n"
      "}");
  CHECK_THAT(dump, Catch::Contains("= Split(%x)"));
  CHECK_THAT(dump, Catch::Contains("= Squeeze("));
  CHECK_THAT(dump, Catch::Contains("= Concat("));
  CHECK_THAT(dump, Catch::Contains("value %y : f32[4x3]"));
  CHECK_THAT(dump, !Catch::Contains("Sequence("));
}

TEST_CASE("SplitToSequence with a scalar split makes chunks, the last one shorter") {
  const std::string dump = importDump(
      "g (float[5, 2] x) => (float[2, 2] y) {\n"
      "  k = Constant <value = int64 {2}> ()\n"
      "  s = SplitToSequence <axis = 0> (x, k)\n"
      "  last = Constant <value = int64 {-1}> ()\n"
      "  z = SequenceAt(s, last)\n"
      "  first = Constant <value = int64 {0}> ()\n"
      "  y = SequenceAt(s, first)\n"
      "}");
  CHECK_THAT(dump, Catch::Contains("split=[2,2,1]"));
  CHECK_THAT(dump, Catch::Contains("value %y : f32[2x2]"));
}

TEST_CASE("SequenceMap inlines its body once per element; tensor operands are shared") {
  const std::string dump = importDump(
      "g (float[3] a, float[3] b, float[3] t) => (float[2, 3] y) {\n"
      "  s = SequenceConstruct(a, b)\n"
      "  m = SequenceMap <body = body (float[3] e, float[3] x) => (float[3] o) {\n"
      "    o = Add(e, x)\n"
      "  }> (s, t)\n"
      "  y = ConcatFromSequence <axis = 0, new_axis = 1> (m)\n"
      "}",
      17);
  CHECK_THAT(dump, Catch::Contains("= Add(%a, %t)"));
  CHECK_THAT(dump, Catch::Contains("= Add(%b, %t)"));
  CHECK_THAT(dump, !Catch::Contains("SequenceMap("));
}

TEST_CASE("Optional presence is known at compile time: HasElement folds, GetElement is the tensor") {
  onnx::GraphProto g = graphOf(
      "g (float[2] a) => (float[2] y, bool has, bool none) {\n"
      "  o = Optional(a)\n"
      "  y = OptionalGetElement(o)\n"
      "  has = OptionalHasElement(o)\n"
      "  e = Optional(a)\n"
      "  none = OptionalHasElement(e)\n"
      "}",
      15);
  // `e` absent: no input, its type as the attribute.
  onnx::NodeProto &e = *g.mutable_node(3);
  e.clear_input();
  auto *type = e.add_attribute();
  type->set_name("type"), type->set_type(onnx::AttributeProto::TYPE_PROTO);
  type->mutable_tp()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  CHECK(resolveStaticSequences(g, 15) == 3);
  CHECK(producerOf(g, "y")->op_type() == "Identity");
  CHECK(producerOf(g, "y")->input(0) == "a");
  std::map<std::string, int64_t> flags;
  for (const auto &t : g.initializer()) flags[t.name()] = decodeTensor(t)->getI(0);
  CHECK(flags["has"] == 1);
  CHECK(flags["none"] == 0);
  CHECK(countOps(g, "Optional") == 0);
}

TEST_CASE("A sequence graph output becomes one output per element, NAME.0 ..") {
  onnx::GraphProto g = graphOf(
      "g (float[2] a, float[3] b) => (float[2] y) {\n"
      "  y = SequenceConstruct(a, b)\n"
      "}");
  CHECK(resolveStaticSequences(g, 13) == 1);
  REQUIRE(g.output_size() == 2);
  CHECK(g.output(0).name() == "y.0");
  CHECK(g.output(1).name() == "y.1");
  CHECK(producerOf(g, "y.1")->input(0) == "b");
}

TEST_CASE("A sequence carried through an unrolled Loop is resolved per iteration") {
  const std::string dump = importDump(modelOf(
      "g (float[2] a) => (float[3, 2] y) {\n"
      "  m = Constant <value = int64 {3}> ()\n"
      "  c = Constant <value = bool {1}> ()\n"
      "  e = SequenceEmpty <dtype = 1> ()\n"
      "  s = Loop (m, c, e) <body = body (int64 i, bool ci, float[2] si) => (bool co, float[2] so) {\n"
      "    co = Identity(ci)\n"
      "    d = Add(a, a)\n"
      "    so = SequenceInsert(si, d)\n"
      "  }>\n"
      "  y = ConcatFromSequence <axis = 0, new_axis = 1> (s)\n"
      "}", 13, {"si", "so"}));
  CHECK_THAT(dump, Catch::Contains("value %y : f32[3x2]"));
  CHECK_THAT(dump, !Catch::Contains("Sequence("));
  CHECK_THAT(dump, !Catch::Contains("Loop("));
}

TEST_CASE("A structure decided anew each iteration (an If on the length) settles in one fold round") {
  // Each iteration's sequence depends on an If whose condition folds from the previous one's
  // length: 40 links, more than the fold loop's 16 rounds of shape inference.
  const std::string dump = importDump(modelOf(
      "g (float[2] a) => (float[3, 2] y) {\n"
      "  m = Constant <value = int64 {40}> ()\n"
      "  c = Constant <value = bool {1}> ()\n"
      "  e = SequenceEmpty <dtype = 1> ()\n"
      "  s = Loop (m, c, e) <body = body (int64 i, bool ci, float[2] si) => (bool co, float[2] so) {\n"
      "    co = Identity(ci)\n"
      "    n = SequenceLength(si)\n"
      "    two = Constant <value = int64 {2}> ()\n"
      "    full = Greater(n, two)\n"
      "    kept = If (full) <then_branch = t () => (float[2] ts) { ts = SequenceErase(si) },\n"
      "                      else_branch = f () => (float[2] es) { es = Identity(si) }>\n"
      "    d = Add(a, a)\n"
      "    so = SequenceInsert(kept, d)\n"
      "  }>\n"
      "  y = ConcatFromSequence <axis = 0, new_axis = 1> (s)\n"
      "}", 13, {"si", "so", "ts", "es"}));
  CHECK_THAT(dump, Catch::Contains("value %y : f32[3x2]"));
  CHECK_THAT(dump, !Catch::Contains("If("));
  CHECK_THAT(dump, !Catch::Contains("Sequence("));
}

TEST_CASE("A position computed at run time is refused, naming the node and the input to freeze") {
  const std::string err = importError(modelOf(
      "g (float[2] a, float[2] b, int64 p) => (float[2] y) {\n"
      "  s = SequenceConstruct(a, b)\n"
      "  q = Neg(p)\n"
      "  y = SequenceAt(s, q)\n"
      "}", 13));
  CHECK_THAT(err, Catch::StartsWith("[E104] node '"));
  CHECK_THAT(err, Catch::Contains("(SequenceAt): a sequence or optional whose structure"));
  CHECK_THAT(err, Catch::EndsWith("for the graph inputs they are computed from: p"));
}

TEST_CASE("A sequence graph input is named as an input to freeze; frozen, it resolves") {
  const onnx::ModelProto model = modelOf(
      "g (float[2] xs, float[2] t) => (float[2] y) {\n"
      "  n = SequenceLength(xs)\n"
      "  one = Constant <value = int64 {1}> ()\n"
      "  last = Sub(n, one)\n"
      "  x = SequenceAt(xs, last)\n"
      "  y = Mul(x, t)\n"
      "}", 13, {"xs"});
  CHECK_THAT(importError(model), Catch::EndsWith("computed from: xs"));

  onnx::SequenceProto seq;
  seq.set_elem_type(onnx::SequenceProto::TENSOR);
  for (float v : {1.f, 2.f}) {
    onnx::TensorProto &t = *seq.add_tensor_values();
    t.set_data_type(onnx::TensorProto::FLOAT), t.add_dims(2), t.add_float_data(v), t.add_float_data(v);
  }
  ImportOptions options;
  options.constant_inputs = {{"xs", writeTempFile(seq.SerializeAsString(), "pb")}};
  const std::string dump = importDump(model, options);
  CHECK_THAT(dump, Catch::Contains("inputs t\n"));
  CHECK_THAT(dump, Catch::Contains("= Mul("));
  CHECK_THAT(dump, !Catch::Contains("Sequence"));

  options.constant_inputs = {{"xs", writeTempFile("\x0a\x05ab", "pb")}};
  CHECK_THAT(errorText(importModel(writeModel(model), options)),
             Catch::StartsWith("[E108]"));
}
