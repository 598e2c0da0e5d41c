#include "compiler/import/const_eval.h"

#include <catch2/catch.hpp>

using namespace pfcomp::import;
using TP = onnx::TensorProto;

namespace {

onnx::NodeProto node(const std::string &op) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(op + "_0");
  n.add_output("y");
  return n;
}

void addInts(onnx::NodeProto &n, const std::string &name, std::vector<int64_t> v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void addInt(onnx::NodeProto &n, const std::string &name, int64_t v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

HostTensor floats(std::vector<int64_t> dims, std::vector<double> v) {
  HostTensor t = HostTensor::make(TP::FLOAT, dims);
  t.f = v;
  return t;
}

HostTensor eval1(const onnx::NodeProto &n, std::vector<const HostTensor *> in) {
  auto out = evaluateNode(n, in);
  if (!out) FAIL(llvm::toString(out.takeError()));
  return (*out)[0];
}

}  // namespace

TEST_CASE("Gather picks along an axis, negative indices wrap") {
  auto n = node("Gather");
  addInt(n, "axis", 1);
  HostTensor data = floats({2, 3}, {0, 1, 2, 10, 11, 12});
  HostTensor idx = HostTensor::ints({-1, 0});
  HostTensor y = eval1(n, {&data, &idx});
  CHECK(y.dims == std::vector<int64_t>{2, 2});
  CHECK(y.f == std::vector<double>{2, 0, 12, 10});
  HostTensor scalar = HostTensor::ints({1});
  scalar.dims = {};
  HostTensor s = eval1(node("Gather"), {&data, &scalar});
  CHECK(s.dims == std::vector<int64_t>{3});
  CHECK(s.f == std::vector<double>{10, 11, 12});
}

TEST_CASE("Unsqueeze and Squeeze take axes from attributes or inputs") {
  HostTensor x = HostTensor::ints({7});
  x.dims = {};
  auto u = node("Unsqueeze");
  addInts(u, "axes", {0});
  CHECK(eval1(u, {&x}).dims == std::vector<int64_t>{1});
  HostTensor axes = HostTensor::ints({-1, 0});
  CHECK(eval1(node("Unsqueeze"), {&x, &axes}).dims == std::vector<int64_t>{1, 1});
  HostTensor y = floats({1, 3, 1}, {1, 2, 3});
  CHECK(eval1(node("Squeeze"), {&y}).dims == std::vector<int64_t>{3});
  HostTensor a2 = HostTensor::ints({-1});
  CHECK(eval1(node("Squeeze"), {&y, &a2}).dims == std::vector<int64_t>{1, 3});
}

TEST_CASE("Concat, Slice and Reshape of shape vectors") {
  auto c = node("Concat");
  addInt(c, "axis", 0);
  HostTensor a = HostTensor::ints({2}), b = HostTensor::ints({-1, 4});
  HostTensor cat = eval1(c, {&a, &b});
  CHECK(cat.i == std::vector<int64_t>{2, -1, 4});

  HostTensor x = floats({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  HostTensor starts = HostTensor::ints({1}), ends = HostTensor::ints({INT64_MAX}),
             axes = HostTensor::ints({-1}), steps = HostTensor::ints({2});
  HostTensor s = eval1(node("Slice"), {&x, &starts, &ends, &axes, &steps});
  CHECK(s.dims == std::vector<int64_t>{2, 2});
  CHECK(s.f == std::vector<double>{1, 3, 5, 7});
  auto old = node("Slice");  // opset < 10: attributes
  addInts(old, "starts", {0}), addInts(old, "ends", {-1}), addInts(old, "axes", {0});
  CHECK(eval1(old, {&x}).dims == std::vector<int64_t>{1, 4});
  HostTensor rev_s = HostTensor::ints({-1}), rev_e = HostTensor::ints({INT64_MIN}),
             rev_a = HostTensor::ints({1}), rev_st = HostTensor::ints({-1});
  CHECK(eval1(node("Slice"), {&x, &rev_s, &rev_e, &rev_a, &rev_st}).f ==
        std::vector<double>{3, 2, 1, 0, 7, 6, 5, 4});

  HostTensor shape = HostTensor::ints({0, -1});
  HostTensor x3 = floats({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(eval1(node("Reshape"), {&x3, &shape}).dims == std::vector<int64_t>{2, 4});
}

TEST_CASE("Arithmetic broadcasts; integer division truncates; Equal and Where") {
  HostTensor a = HostTensor::ints({7, -7}), b = HostTensor::ints({2});
  b.dims = {};
  CHECK(eval1(node("Div"), {&a, &b}).i == std::vector<int64_t>{3, -3});
  CHECK(eval1(node("Mul"), {&a, &b}).i == std::vector<int64_t>{14, -14});
  HostTensor f = floats({2, 1}, {1, 2}), g = floats({3}, {10, 20, 30});
  HostTensor sum = eval1(node("Add"), {&f, &g});
  CHECK(sum.dims == std::vector<int64_t>{2, 3});
  CHECK(sum.f == std::vector<double>{11, 21, 31, 12, 22, 32});
  HostTensor m1 = HostTensor::ints({-1, 3});
  CHECK(eval1(node("Equal"), {&m1, &m1}).type == TP::BOOL);
  HostTensor minus = HostTensor::ints({-1, -1}), ones = HostTensor::ints({1, 1});
  HostTensor cond = eval1(node("Equal"), {&m1, &minus});
  CHECK(cond.i == std::vector<int64_t>{1, 0});
  CHECK(eval1(node("Where"), {&cond, &ones, &m1}).i == std::vector<int64_t>{1, 3});
}

TEST_CASE("Mod takes the divisor's sign, fmod=1 the dividend's; Min and Max") {
  // Shape arithmetic of exported window attention: (w - h % w) % w.
  HostTensor a = HostTensor::ints({7, -7, 7, -7}), b = HostTensor::ints({3, 3, -3, -3});
  CHECK(eval1(node("Mod"), {&a, &b}).i == std::vector<int64_t>{1, 2, -2, -1});
  auto fmod = node("Mod");
  addInt(fmod, "fmod", 1);
  CHECK(eval1(fmod, {&a, &b}).i == std::vector<int64_t>{1, -1, 1, -1});
  HostTensor f = floats({2}, {-7.5, 7.5}), g = floats({}, {2});
  CHECK(eval1(fmod, {&f, &g}).f == std::vector<double>{-1.5, 1.5});
  CHECK(eval1(node("Mod"), {&f, &g}).f == std::vector<double>{0.5, 1.5});
  CHECK(eval1(node("Min"), {&a, &b}).i == std::vector<int64_t>{3, -7, -3, -7});
  CHECK(eval1(node("Max"), {&a, &b}).i == std::vector<int64_t>{7, 3, 7, -3});
  HostTensor zero = HostTensor::ints({0});
  auto byZero = evaluateNode(node("Mod"), {&a, &zero});
  CHECK_THAT(llvm::toString(byZero.takeError()), Catch::Contains("division by zero"));
}

TEST_CASE("Range, ConstantOfShape, Expand, Transpose, Cast, unary ops") {
  HostTensor s = HostTensor::ints({0}), l = HostTensor::ints({5}), d = HostTensor::ints({2});
  for (auto *t : {&s, &l, &d}) t->dims = {};
  CHECK(eval1(node("Range"), {&s, &l, &d}).i == std::vector<int64_t>{0, 2, 4});
  HostTensor shape = HostTensor::ints({2, 3});
  HostTensor z = eval1(node("ConstantOfShape"), {&shape});
  CHECK(z.type == TP::FLOAT);
  CHECK(z.f == std::vector<double>(6, 0.0));
  HostTensor row = floats({3}, {1, 2, 3});
  HostTensor e = eval1(node("Expand"), {&row, &shape});
  CHECK(e.f == std::vector<double>{1, 2, 3, 1, 2, 3});
  HostTensor t = eval1(node("Transpose"), {&e});
  CHECK(t.dims == std::vector<int64_t>{3, 2});
  CHECK(t.f == std::vector<double>{1, 1, 2, 2, 3, 3});
  auto c = node("Cast");
  addInt(c, "to", TP::INT64);
  HostTensor half = floats({2}, {2.7, -2.7});
  CHECK(eval1(c, {&half}).i == std::vector<int64_t>{2, -2});
  HostTensor four = floats({1}, {4});
  CHECK(eval1(node("Sqrt"), {&four}).f[0] == 2.0);
  CHECK(eval1(node("Reciprocal"), {&four}).f[0] == 0.25);
  CHECK(eval1(node("Neg"), {&four}).f[0] == -4.0);
  CHECK(eval1(node("Pow"), {&four, &half}).f[0] == Approx(std::pow(4.0, 2.7)));
  // The trip count of an expanded Range: Cast(Relu(Ceil((limit - start) / delta))).
  CHECK(eval1(node("Ceil"), {&half}).f == std::vector<double>{3, -2});
  CHECK(eval1(node("Floor"), {&half}).f == std::vector<double>{2, -3});
  CHECK(eval1(node("Relu"), {&half}).f == std::vector<double>{2.7, 0});
  CHECK(eval1(node("Abs"), {&half}).f == std::vector<double>{2.7, 2.7});
  HostTensor ints = HostTensor::ints({-3, 4});
  CHECK(eval1(node("Relu"), {&ints}).i == std::vector<int64_t>{0, 4});
  CHECK(eval1(node("Abs"), {&ints}).i == std::vector<int64_t>{3, 4});
}

TEST_CASE("ScatterND writes, adds or multiplies slices at index tuples") {
  // A 3x4 mask built by slice assignment: row 1 = [7, 8, 9, 10], element (2, 3) = 5.
  HostTensor data = floats({3, 4}, std::vector<double>(12, 1.0));
  HostTensor rows = HostTensor::ints({1}), cell = HostTensor::ints({2, 3});
  rows.dims = {1, 1};
  cell.dims = {1, 2};
  HostTensor rowUpd = floats({1, 4}, {7, 8, 9, 10}), cellUpd = floats({1}, {5});
  HostTensor y = eval1(node("ScatterND"), {&data, &rows, &rowUpd});
  y = eval1(node("ScatterND"), {&y, &cell, &cellUpd});
  CHECK(y.f == std::vector<double>{1, 1, 1, 1, 7, 8, 9, 10, 1, 1, 1, 5});
  auto add = node("ScatterND");
  auto *r = add.add_attribute();
  r->set_name("reduction"), r->set_type(onnx::AttributeProto::STRING), r->set_s("add");
  CHECK(eval1(add, {&data, &cell, &cellUpd}).f[11] == 6);
  HostTensor outOfRange = HostTensor::ints({3, 0});
  outOfRange.dims = {1, 2};
  auto bad = evaluateNode(node("ScatterND"), {&data, &outOfRange, &cellUpd});
  CHECK_THAT(llvm::toString(bad.takeError()), Catch::Contains("index out of range"));
}

TEST_CASE("ops outside the table are refused") {
  HostTensor x = floats({1}, {1});
  auto out = evaluateNode(node("Conv"), {&x});
  CHECK_FALSE(static_cast<bool>(out));
  llvm::consumeError(out.takeError());
  CHECK_FALSE(canEvaluate("Conv"));
  CHECK(canEvaluate("Shape"));
}
