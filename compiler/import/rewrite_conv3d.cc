// 3-D Conv as one 2-D Conv and a sum of strided slices (the device's conv rule is 1-D / 2-D).
// The 2-D Conv runs over (H, W) with the depth folded into the batch and the depth taps into
// the output channels (W [M, C/g, kD, kH, kW] transposed to [M·kD, C/g, kH, kW]; each group's
// channels stay contiguous, so `group` carries over). Output depth od then sums tap kd of
// input depth od·sd + kd·dd − pd: the depth axis zero-padded once, and per tap a Slice with
// step sd, added up; the bias is added once at the end. No multiply beyond the 3-D conv's own.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {
bool rewriteConv3d(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() < 2 || n.output_size() != 1 || c.opset < 10) return false;  // Slice steps: opset 10
  const ValueType *x = c.staticType(n.input(0)), *w = c.staticType(n.input(1)), *y = c.staticType(n.output(0));
  if (!x || !w || !y || x->dims.size() != 5 || w->dims.size() != 5 || y->dims.size() != 5) return false;
  if (!isOnnxFloatType(x->elem_type)) return false;
  const auto s = attrIntsOr(n, "strides", {1, 1, 1}), d = attrIntsOr(n, "dilations", {1, 1, 1});
  const int64_t group = attrInt(n, "group", 1);
  if (s.size() != 3 || d.size() != 3) return false;
  const int64_t N = x->dims[0], D = x->dims[2], H = x->dims[3], W = x->dims[4];
  const int64_t M = w->dims[0], Cg = w->dims[1], kD = w->dims[2], kH = w->dims[3], kW = w->dims[4];
  const int64_t Do = y->dims[2], Ho = y->dims[3], Wo = y->dims[4];
  if (y->dims[1] != M || Cg * group != x->dims[1]) return false;
  // Explicit pads per axis (auto_pad resolved from the static output shape).
  const auto *autoPadAttr = findAttr(n, "auto_pad");
  const std::string autoPad = autoPadAttr ? autoPadAttr->s() : "NOTSET";
  std::vector<int64_t> pads = attrIntsOr(n, "pads", std::vector<int64_t>(6, 0));
  if (pads.size() != 6) return false;
  const std::vector<int64_t> in{D, H, W}, k{kD, kH, kW}, o{Do, Ho, Wo};
  for (int i = 0; i < 3 && autoPad != "NOTSET"; ++i) {
    const int64_t total = std::max<int64_t>(0, (o[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i]);
    pads[i] = autoPad == "SAME_LOWER" ? total - total / 2 : autoPad == "SAME_UPPER" ? total / 2 : 0;
    pads[3 + i] = autoPad == "VALID" ? 0 : total - pads[i];
  }

  NodeBuilder b(c, n, out);
  std::string xs = b.reshape(b.transpose(n.input(0), {0, 2, 1, 3, 4}), {N * D, x->dims[1], H, W});
  std::string ws = b.reshape(b.transpose(n.input(1), {0, 2, 1, 3, 4}), {M * kD, Cg, kH, kW});
  onnx::NodeProto &hw = b.node("Conv", {xs, ws});
  setAttr(hw, "strides", std::vector<int64_t>{s[1], s[2]});
  setAttr(hw, "dilations", std::vector<int64_t>{d[1], d[2]});
  setAttr(hw, "kernel_shape", std::vector<int64_t>{kH, kW});
  setAttr(hw, "pads", std::vector<int64_t>{pads[1], pads[2], pads[4], pads[5]});
  setAttr(hw, "group", group);
  // [N·D, M·kD, Ho, Wo] -> [N, kD, M, D, Ho·Wo], depth zero-padded.
  std::string z = b.transpose(b.reshape(hw.output(0), {N, D, M, kD, Ho * Wo}), {0, 3, 2, 1, 4});
  if (pads[0] || pads[3]) {
    std::vector<int64_t> p(10, 0);
    p[3] = pads[0], p[8] = pads[3];
    if (c.opset >= 11) {
      z = b.op("Pad", {z, b.ints(p)});
    } else {
      onnx::NodeProto &pad = b.node("Pad", {z});
      setAttr(pad, "pads", p);
      z = pad.output(0);
    }
  }
  std::string sum;
  for (int64_t kd = 0; kd < kD; ++kd) {
    const int64_t start = kd * d[0];
    std::string tap = b.op("Slice", {z, b.ints({kd, start}), b.ints({kd + 1, start + (Do - 1) * s[0] + 1}),
                                     b.ints({1, 3}), b.ints({1, s[0]})});
    sum = sum.empty() ? tap : b.op("Add", {sum, tap});
  }
  const bool bias = n.input_size() > 2 && !n.input(2).empty();
  std::string y5 = b.reshape(sum, {N, M, Do, Ho, Wo}, bias ? "" : n.output(0));
  if (bias) b.op("Add", {y5, b.reshape(n.input(2), {M, 1, 1, 1})}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
