// Attribute forms of Pad, Expand, Resize / Upsample, ConvTranspose, CumSum and ArgMax / ArgMin
// after onnx-import (docs/CONTRACT.md), across the opsets that changed them.
#include "compiler/import/importer.h"

#include "compiler/import/test_models.h"
#include "compiler/ir/text_dump.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace pfcomp;
using namespace pfcomp::import;
using namespace pfcomp::import::testing;

namespace {

std::string header(int opset) {
  return "<ir_version: 7, opset_import: [\"\" : " + std::to_string(opset) + "]>";
}

// The dump lines of the nodes (and values) of the imported graph.
std::string importDump(int opset, const std::string &body) {
  auto r = importModel(writeModelText(header(opset) + body), {});
  if (!r) FAIL(llvm::toString(r.takeError()));
  std::istringstream in(ir::dumpGraph(r->graph));
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("node ", 0) == 0 || line.rfind("value ", 0) == 0 || line.rfind("input ", 0) == 0)
      out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("Pad: the opset 2 attribute form and the opset 11 input form give one form") {
  const std::string attrForm = importDump(2, R"(
g (float[1,2,3] x) => (float[1,4,6] y) {
  y = Pad <pads = [0, 1, 2, 0, 1, 1], value = 1.5> (x)
})");
  CHECK_THAT(attrForm, Catch::Contains("Pad(%x) -> (%y) {pads=[0,1,2,0,1,1], value=1.50, mode=\"constant\"}"));
  const std::string inputForm = importDump(13, R"(
g (float[1,2,3] x) => (float[1,4,6] y) {
  p = Constant <value = int64[6] {0, 1, 2, 0, 1, 1}> ()
  v = Constant <value = float {1.5}> ()
  y = Pad <mode = "constant"> (x, p, v)
})");
  CHECK_THAT(inputForm, Catch::Contains("Pad(%x) -> (%y) {mode=\"constant\", value=1.50, pads=[0,1,2,0,1,1]}"));
  const std::string noValue = importDump(11, R"(
g (float[2,3] x) => (float[2,5] y) {
  p = Constant <value = int64[4] {0, 1, 0, 1}> ()
  y = Pad(x, p)
})");
  CHECK_THAT(noValue, Catch::Contains("Pad(%x) -> (%y) {mode=\"constant\", value=0.00, pads=[0,1,0,1]}"));
}

TEST_CASE("Expand drops its constant shape input") {
  const std::string d = importDump(13, R"(
g (float[3,1] x) => (float[2,3,4] y) {
  s = Constant <value = int64[3] {2, 1, 4}> ()
  y = Expand(x, s)
})");
  CHECK_THAT(d, Catch::Contains("Expand(%x) -> (%y)\n"));
}

TEST_CASE("Resize of opsets 10, 11 and 13 and Upsample of opsets 7 and 9 become one Resize form") {
  const std::string r10 = importDump(10, R"(
g (float[1,1,2,2] x) => (float[1,1,4,6] y) {
  s = Constant <value = float[4] {1, 1, 2, 3}> ()
  y = Resize <mode = "linear"> (x, s)
})");
  CHECK_THAT(r10, Catch::Contains("Resize(%x) -> (%y) {mode=\"linear\", scales=[1.00,1.00,2.00,3.00], "
                                  "coordinate_transformation_mode=\"asymmetric\", nearest_mode=\"floor\", "
                                  "cubic_coeff_a=-0.75}"));
  // Opset 10 rounds the source index up when downsampling (onnxruntime's Resize-10).
  const std::string r10down = importDump(10, R"(
g (float[1,1,5,7] x) => (float[1,1,3,4] y) {
  s = Constant <value = float[4] {1, 1, 0.6, 0.6}> ()
  y = Resize(x, s)
})");
  CHECK_THAT(r10down, Catch::Contains("coordinate_transformation_mode=\"asymmetric\", nearest_mode=\"ceil\""));
  const std::string r11 = importDump(11, R"(
g (float[1,1,2,4] x) => (float[1,1,3,2] y) {
  roi = Constant <value = float[0] {}> ()
  sc = Constant <value = float[0] {}> ()
  sz = Constant <value = int64[4] {1, 1, 3, 2}> ()
  y = Resize <coordinate_transformation_mode = "align_corners"> (x, roi, sc, sz)
})");
  CHECK_THAT(r11, Catch::Contains("Resize(%x) -> (%y) {coordinate_transformation_mode=\"align_corners\", "
                                  "scales=[1.00,1.00,1.50,0.50], mode=\"nearest\", nearest_mode=\"round_prefer_floor\", "
                                  "cubic_coeff_a=-0.75}"));
  const std::string r13 = importDump(13, R"(
g (float[1,1,2,2] x) => (float[1,1,4,4] y) {
  s = Constant <value = float[4] {1, 1, 2, 2}> ()
  y = Resize <mode = "cubic", cubic_coeff_a = -0.5> (x, , s)
})");
  // Cubic is no device Resize mode: rewrite_resize.cc makes it one MatMul per resized axis.
  CHECK_THAT(r13, Catch::Contains("= MatMul(") && !Catch::Contains("= Resize("));
  const std::string u7 = importDump(7, R"(
g (float[1,1,2,2] x) => (float[1,1,4,4] y) {
  y = Upsample <scales = [1.0, 1.0, 2.0, 2.0], mode = "linear"> (x)
})");
  CHECK_THAT(u7, Catch::Contains("= Resize(%x) -> (%y) {scales=[1.00,1.00,2.00,2.00], mode=\"linear\", "
                                 "coordinate_transformation_mode=\"asymmetric\", nearest_mode=\"floor\", cubic_coeff_a=-0.75}"));
  const std::string u9 = importDump(9, R"(
g (float[1,1,2,2] x) => (float[1,1,4,6] y) {
  s = Constant <value = float[4] {1, 1, 2, 3}> ()
  y = Upsample(x, s)
})");
  CHECK_THAT(u9, Catch::Contains("= Resize(%x) -> (%y) {scales=[1.00,1.00,2.00,3.00], mode=\"nearest\", "
                                 "coordinate_transformation_mode=\"asymmetric\", nearest_mode=\"floor\", cubic_coeff_a=-0.75}"));
}

TEST_CASE("ConvTranspose resolves output_padding, output_shape and auto_pad into pads") {
  // out = (in-1)*s - pb - pe + (K-1)*d + 1: 8 = 3*2 - 1 - pe + 3  =>  pe = 0.
  const std::string outPad = importDump(13, R"(
g (float[1,2,4,4] x) => (float[1,3,8,8] y) {
  w = Constant <value = float[2,3,3,3] {0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}> ()
  y = ConvTranspose <strides = [2, 2], pads = [1, 1, 1, 1], output_padding = [1, 1]> (x, w)
})");
  CHECK_THAT(outPad, Catch::Contains("ConvTranspose(%x, %w) -> (%y) {strides=[2,2], pads=[1,1,0,0], dilations=[1,1], "
                                     "kernel_shape=[3,3], group=1}"));
  // SAME_UPPER: out = in*s = 8; total = 3*2 + 3 - 8 = 1, begin 0, end 1.
  const std::string same = importDump(13, R"(
g (float[1,1,4] x) => (float[1,1,8] y) {
  w = Constant <value = float[1,1,3] {1, 1, 1}> ()
  y = ConvTranspose <strides = [2], auto_pad = "SAME_UPPER"> (x, w)
})");
  CHECK_THAT(same, Catch::Contains("ConvTranspose(%x, %w) -> (%y) {strides=[2], pads=[0,1], dilations=[1], kernel_shape=[3], group=1}"));
  // output_shape 9 with s=2, K=3: total = 3*2 + 3 - 9 = 0.
  const std::string shape = importDump(13, R"(
g (float[1,1,4] x) => (float[1,1,9] y) {
  w = Constant <value = float[1,1,3] {1, 1, 1}> ()
  y = ConvTranspose <strides = [2], output_shape = [9]> (x, w)
})");
  CHECK_THAT(shape, Catch::Contains("ConvTranspose(%x, %w) -> (%y) {strides=[2], pads=[0,0], dilations=[1], kernel_shape=[3], group=1}"));
}

TEST_CASE("CumSum's constant axis input becomes the axis attribute; ArgMax gets its defaults") {
  const std::string cum = importDump(14, R"(
g (float[2,5] x) => (float[2,5] y) {
  a = Constant <value = int64 {-1}> ()
  y = CumSum <reverse = 1> (x, a)
})");
  CHECK_THAT(cum, Catch::Contains("CumSum(%x) -> (%y) {reverse=1, axis=1, exclusive=0}"));
  const std::string arg = importDump(13, R"(
g (float[3,5] x) => (int64[1,5] y) {
  y = ArgMin(x)
})");
  CHECK_THAT(arg, Catch::Contains("value %y : f32[1x5]"));
  CHECK_THAT(arg, Catch::Contains("ArgMin(%x) -> (%y) {axis=0, keepdims=1, select_last_index=0}"));
  const std::string neg = importDump(13, R"(
g (float[3,5] x) => (int64[3] y) {
  y = ArgMax <axis = -1, keepdims = 0, select_last_index = 1> (x)
})");
  CHECK_THAT(neg, Catch::Contains("ArgMax(%x) -> (%y) {axis=1, keepdims=0, select_last_index=1}"));
}

TEST_CASE("an output_shape beyond the kernel's reach extends the end (no negative begin padding)") {
  // span = (3-1)*3 + 3 = 9 < 10: the extra element is at the end (onnxruntime; ONNX's
  // test_convtranspose_output_shape).
  const std::string d = importDump(13, R"(
g (float[1,1,3] x) => (float[1,1,10] y) {
  w = Constant <value = float[1,1,3] {1, 1, 1}> ()
  y = ConvTranspose <strides = [3], output_shape = [10]> (x, w)
})");
  CHECK_THAT(d, Catch::Contains("{strides=[3], pads=[0,-1], dilations=[1], kernel_shape=[3], group=1}"));
}

TEST_CASE("Resize sizes computed at run time are output / input; scales are refused, named") {
  // out / in differs from given scales whenever in * scale is not whole (0.6 of 2 rows is 1 row).
  const std::string scales = errorText(importModel(writeModelText(header(13) + R"(
g (float[1,1,2,4] x, float[4] s) => (float[1,1,4,8] y) {
  y = Resize <mode = "linear"> (x, , s)
})"), {}));
  CHECK_THAT(scales, Catch::Contains("[E104]") && Catch::Contains("Resize_0 [s]") &&
                         Catch::Contains("pass --constant_input=NAME=FILE.pb for the graph inputs they are computed from: s"));
  const std::string sizes = importDump(13, R"(
g (float[1,1,2,4] x, int64[4] sz) => (float[1,1,3,2] y) {
  y = Resize(x, , , sz)
})");
  CHECK_THAT(sizes, Catch::Contains("Resize(%x) -> (%y) {scales=[1.00,1.00,1.50,0.50]"));
}

TEST_CASE("Pad with pads computed at run time is refused, naming the operand") {
  const std::string err = errorText(importModel(writeModelText(header(13) + R"(
g (float[2,3] x, float[4] p) => (float[2,5] y) {
  pi = Cast <to = 7> (p)
  y = Pad(x, pi)
})"), {}));
  CHECK_THAT(err, Catch::Contains("[E104]") && Catch::Contains("Pad_1 (Pad)") &&
                      Catch::Contains("operands these ops need as constants are computed at run time: Pad_1 [pi]"));
}
