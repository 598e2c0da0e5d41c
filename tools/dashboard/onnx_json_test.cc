// onnxToJson: nodes, attributes, initializers and inferred value shapes of a small model.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "tools/dashboard/onnx_json.h"

#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

using namespace pfcomp::dashboard;

TEST_CASE("a parsed ONNX text model becomes JSON with shapes") {
  const char *text = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 4] x) => (float[1, 4] y) <float[4] b = {1.0, 2.0, 3.0, 4.0}> {
      t = Add(x, b)
      y = LeakyRelu <alpha = 0.5> (t)
    }
  )";
  onnx::ModelProto model;
  onnx::OnnxParser parser(text);
  auto status = parser.Parse(model);
  REQUIRE(status.IsOK());
  model.mutable_graph()->mutable_node(1)->set_name("act");
  std::string bytes;
  model.SerializeToString(&bytes);
  auto j = onnxToJson(bytes, "test");
  REQUIRE(bool(j));
  const auto &nodes = (*j)["nodes"];
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[0]["name"] == "Add_0");  // unnamed nodes get op_index
  CHECK(nodes[0]["op"] == "Add");
  CHECK(nodes[1]["name"] == "act");
  CHECK(nodes[1]["attrs"]["alpha"] == "0.5");
  CHECK((*j)["inputs"][0]["name"] == "x");
  CHECK((*j)["initializers"][0]["name"] == "b");
  CHECK((*j)["values"]["t"]["shape"] == nlohmann::json::array({1, 4}));  // from shape inference
  CHECK((*j)["values"]["t"]["dtype"] == "float32");
  CHECK((*j)["opset"] == 13);
}

TEST_CASE("bytes that are not ONNX give E102") {
  auto j = onnxToJson("\xff\xff\xff garbage", "junk.onnx");
  REQUIRE_FALSE(bool(j));
  CHECK(llvm::toString(j.takeError()).find("[E102]") != std::string::npos);
}
