#define CATCH_CONFIG_MAIN
#include "compiler/onnx/external_data.h"

#include "support/atomic_file.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <catch2/catch.hpp>

using namespace pfcomp::onnx_util;

namespace {

std::string freshDir() {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("external_data_test", dir));
  return std::string(dir.str());
}

std::string join(const std::string &dir, const std::string &name) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return std::string(path.str());
}

void setExternal(onnx::TensorProto &t, const std::string &location, const std::string &offset,
                 const std::string &length) {
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char *key, const std::string &value) {
    if (value.empty()) return;
    auto *entry = t.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  add("offset", offset);
  add("length", length);
}

// A model whose initializer "w" (2 floats) sits at `offset` in `location`, and whose Constant
// node inside an If branch keeps "c" (1 float) after it.
onnx::ModelProto modelWithExternalData(const std::string &location, const std::string &offset) {
  onnx::ModelProto model;
  auto *graph = model.mutable_graph();
  auto *w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(2);
  setExternal(*w, location, offset, "8");
  auto *node = graph->add_node();
  node->set_op_type("If");
  auto *branch = node->add_attribute();
  branch->set_name("then_branch");
  auto *constant = branch->mutable_g()->add_node();
  constant->set_op_type("Constant");
  auto *value = constant->add_attribute();
  value->set_name("value");
  value->mutable_t()->set_name("c");
  value->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  setExternal(*value->mutable_t(), location, std::to_string(std::stoi(offset) + 8), "4");
  return model;
}

std::string floats(std::initializer_list<float> values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

std::string errorText(llvm::Error err) { return llvm::toString(std::move(err)); }

}  // namespace

TEST_CASE("external tensors are read into the model, nested graphs included") {
  std::string dir = freshDir();
  REQUIRE(!pfcomp::writeFileAtomically(join(dir, "weights.bin"), "pad!" + floats({1, 2, 3})));
  onnx::ModelProto model = modelWithExternalData("weights.bin", "4");
  CHECK(hasExternalData(model));
  REQUIRE(!inlineExternalData(model, dir, "m.onnx"));
  CHECK_FALSE(hasExternalData(model));
  CHECK(model.graph().initializer(0).raw_data() == floats({1, 2}));
  const auto &c = model.graph().node(0).attribute(0).g().node(0).attribute(0).t();
  CHECK(c.raw_data() == floats({3}));
  CHECK(c.external_data_size() == 0);
}

TEST_CASE("copyModelSelfContained writes a model that needs no file beside it") {
  std::string dir = freshDir(), elsewhere = freshDir();
  REQUIRE(!pfcomp::writeFileAtomically(join(dir, "w.bin"), floats({5, 6, 7})));
  std::string bytes;
  REQUIRE(modelWithExternalData("w.bin", "0").SerializeToString(&bytes));
  REQUIRE(!pfcomp::writeFileAtomically(join(dir, "m.onnx"), bytes));
  auto rewritten = copyModelSelfContained(join(dir, "m.onnx"), join(elsewhere, "model.onnx"));
  REQUIRE(static_cast<bool>(rewritten));
  CHECK(*rewritten);
  auto copied = pfcomp::readWholeFile(join(elsewhere, "model.onnx"));
  REQUIRE(static_cast<bool>(copied));
  onnx::ModelProto model;
  REQUIRE(model.ParseFromString(*copied));
  CHECK_FALSE(hasExternalData(model));
  CHECK(model.graph().initializer(0).raw_data() == floats({5, 6}));
}

TEST_CASE("a model without external data is copied byte for byte") {
  std::string dir = freshDir();
  REQUIRE(!pfcomp::writeFileAtomically(join(dir, "a"), "not an onnx model"));
  auto rewritten = copyModelSelfContained(join(dir, "a"), join(dir, "b"));
  REQUIRE(static_cast<bool>(rewritten));
  CHECK_FALSE(*rewritten);
  auto copied = pfcomp::readWholeFile(join(dir, "b"));
  REQUIRE(static_cast<bool>(copied));
  CHECK(*copied == "not an onnx model");
}

TEST_CASE("bad external data is refused with the tensor and file named") {
  std::string dir = freshDir();
  REQUIRE(!pfcomp::writeFileAtomically(join(dir, "short.bin"), floats({1})));
  onnx::ModelProto missing = modelWithExternalData("absent.bin", "0");
  CHECK_THAT(errorText(inlineExternalData(missing, dir, "m.onnx")),
             Catch::Contains("[E101]") && Catch::Contains("tensor 'w'") &&
                 Catch::Contains("absent.bin"));
  onnx::ModelProto escaping = modelWithExternalData("../short.bin", "0");
  CHECK_THAT(errorText(inlineExternalData(escaping, dir, "m.onnx")),
             Catch::Contains("[E102]") && Catch::Contains("inside the model's directory"));
  onnx::ModelProto pastEnd = modelWithExternalData("short.bin", "0");
  CHECK_THAT(errorText(inlineExternalData(pastEnd, dir, "m.onnx")),
             Catch::Contains("[E102]") && Catch::Contains("past the end") &&
                 Catch::Contains("short.bin"));
  onnx::ModelProto badOffset = modelWithExternalData("short.bin", "0");
  badOffset.mutable_graph()->mutable_initializer(0)->mutable_external_data(1)->set_value("x1");
  CHECK_THAT(errorText(inlineExternalData(badOffset, dir, "m.onnx")),
             Catch::Contains("[E102]") && Catch::Contains("offset 'x1'"));
}
