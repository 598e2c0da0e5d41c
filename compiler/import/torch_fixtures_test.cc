// Imports the torch.onnx.export fixtures of testdata/ (opsets 7-17, see make_fixtures.py).
#include "compiler/import/importer.h"

#include "compiler/import/test_models.h"
#include "compiler/ir/dtype.h"
#include "compiler/ir/op_support.h"

#include <catch2/catch.hpp>

using namespace pfcomp;
using namespace pfcomp::import;

namespace {

ir::Graph importFixture(const std::string &file, std::vector<int64_t> shape) {
  ImportOptions options;
  options.input_shapes = {{"x", shape}};
  auto r = importModel("compiler/import/testdata/" + file, options);
  if (!r) FAIL(file << ": " << llvm::toString(r.takeError()));
  return r->graph;
}

void checkDeviceReady(const ir::Graph &g) {
  for (const auto &n : g.nodes()) {
    INFO(n.name());
    CHECK(ir::isDeviceOp(n.op_type()));
    CHECK(n.op_type() != "BatchNormalization");
    CHECK(n.op_type() != "Dropout");
  }
  for (const auto &v : g.values()) {
    INFO(v.name());
    CHECK(v.shape_size() >= 0);
    for (int64_t d : v.shape()) CHECK(d >= 0);
    if (!ir::isFloat(v.dtype())) CHECK(v.kind() == ir::Value::PARAM);
  }
}

}  // namespace

TEST_CASE("torch CNN exports of every opset import to device ops") {
  for (int opset : {7, 9, 11, 13, 17}) {
    INFO("opset " << opset);
    ir::Graph g = importFixture("cnn_opset" + std::to_string(opset) + ".onnx", {2, 3, 8, 8});
    checkDeviceReady(g);
    int reshapes = 0, muls = 0;
    for (const auto &n : g.nodes()) {
      reshapes += n.op_type() == "Reshape";
      muls += n.op_type() == "Mul";
      if (n.op_type() == "Reshape") {
        CHECK(n.inputs_size() == 1);
        REQUIRE(n.attrs_size() == 1);
        CHECK(std::vector<int64_t>(n.attrs(0).ints().begin(), n.attrs(0).ints().end()) ==
              std::vector<int64_t>{2, 36});
      }
    }
    CHECK(reshapes == 1);
    CHECK(muls >= 1);  // BatchNorm1d as Mul + Add
    CHECK(g.meta().at("opset") == std::to_string(opset));
  }
}

TEST_CASE("torch TransformerEncoderLayer exports import to device ops") {
  for (int opset : {11, 13, 17}) {
    INFO("opset " << opset);
    checkDeviceReady(importFixture("encoder_opset" + std::to_string(opset) + ".onnx", {2, 5, 16}));
  }
}

TEST_CASE("a dynamic batch without --input_shape names the symbolic dimension") {
  const std::string err =
      testing::errorText(importModel("compiler/import/testdata/cnn_opset13.onnx", {}));
  CHECK(err.find("[E105]") != std::string::npos);
  CHECK(err.find("'batch'") != std::string::npos);
}

TEST_CASE("the coverage fixtures import to device ops only (make_coverage_fixtures.py)") {
  const char *fixtures[] = {"lstm", "lstm_bf_bidir", "lstm_2layer", "gru", "gru_bf_bidir", "rnn_relu",
                            "rnn_bf", "upsample_nearest", "upsample_nearest_opset9",
                            "upsample_nearest_opset10", "upsample_bilinear", "interpolate_size",
                            "interpolate_align", "conv_transpose", "pixel_shuffle", "where_mask",
                            "argmax", "cumsum", "einsum_attention", "einsum_bmm", "pad", "pad_opset9",
                            "expand_repeat", "norms", "masked_fill",
                            // onnx.helper models of the forms torch does not emit
                            "hand_gru_lbr0_reverse", "hand_lstm_layout1", "hand_rnn_reverse",
                            "hand_einsum", "hand_variadic", "hand_depth_space", "hand_reduce", "hand_masks"};
  for (const char *name : fixtures) {
    INFO(name);
    auto r = importModel(std::string("compiler/import/testdata/cov_") + name + ".onnx", {});
    if (!r) FAIL(name << ": " << llvm::toString(r.takeError()));
    checkDeviceReady(r->graph);
    for (const auto &n : r->graph.nodes()) {
      if (n.op_type() != "Resize") continue;
      bool scales = false;
      for (const auto &a : n.attrs()) scales |= a.name() == "scales";
      CHECK(scales);
      CHECK(n.inputs_size() == 1);
    }
  }
}
