// 3-D ConvTranspose as two 2-D ConvTransposes (the device's MAU rule is 1-D / 2-D). The first
// runs over (H, W) with the depth folded into the batch and the depth taps folded into the output
// channels: W [C, M, kD, kH, kW] read as [C, M·kD, kH, kW] is the same bytes. The second spreads
// tap kd of input depth id to output depth id·sd + kd·dd − pd: a transposed convolution over D
// (H·W as its width) with a one-hot kernel [M·kD, M, kD, 1] that routes channel (m, kd) to
// output channel m at tap kd, and adds the bias. It costs M·kD multiply-adds per output element
// where a direct 3-D rule would cost kD; the test and export sizes this serves keep M small.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {
namespace {


// Explicit begin pads of each spatial axis, as lowerConvTranspose resolves them (the end pad
// then follows from the static output size, which shape inference derived).
bool beginPads(const onnx::NodeProto &n, const std::vector<int64_t> &span,
               const std::vector<int64_t> &out, std::vector<int64_t> &pb) {
  const size_t ns = span.size();
  const auto *autoPadAttr = findAttr(n, "auto_pad");
  const std::string autoPad = autoPadAttr ? autoPadAttr->s() : "NOTSET";
  const auto pads = attrIntsOr(n, "pads", std::vector<int64_t>(2 * ns, 0));
  const auto outPad = attrIntsOr(n, "output_padding", std::vector<int64_t>(ns, 0));
  if (pads.size() != 2 * ns || outPad.size() != ns) return false;
  const bool fromShape = findAttr(n, "output_shape") || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  pb.assign(ns, 0);
  for (size_t i = 0; i < ns; ++i) {
    if (autoPad == "VALID") continue;
    if (!fromShape) {
      pb[i] = pads[i];
      continue;
    }
    const int64_t total = std::max<int64_t>(0, span[i] + outPad[i] - out[i]);
    pb[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
  }
  return true;
}

// Sets pads so that out = span − pb − pe; a negative end pad is written as output_padding.
void setPads(onnx::NodeProto &node, const std::vector<int64_t> &span, const std::vector<int64_t> &pb,
             const std::vector<int64_t> &out) {
  std::vector<int64_t> pads = pb, outPad;
  for (size_t i = 0; i < pb.size(); ++i) {
    const int64_t pe = span[i] - pb[i] - out[i];
    pads.push_back(std::max<int64_t>(pe, 0));
    outPad.push_back(std::max<int64_t>(-pe, 0));
  }
  setAttr(node, "pads", pads);
  if (outPad != std::vector<int64_t>(pb.size(), 0)) setAttr(node, "output_padding", outPad);
}

}  // namespace

bool rewriteConvTranspose3d(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() < 2 || n.output_size() != 1 || attrInt(n, "group", 1) != 1) return false;
  const ValueType *x = c.staticType(n.input(0)), *w = c.staticType(n.input(1)), *y = c.staticType(n.output(0));
  if (!x || !w || !y || x->dims.size() != 5 || w->dims.size() != 5 || y->dims.size() != 5) return false;
  if (!isOnnxFloatType(x->elem_type)) return false;
  const auto s = attrIntsOr(n, "strides", {1, 1, 1}), d = attrIntsOr(n, "dilations", {1, 1, 1});
  if (s.size() != 3 || d.size() != 3) return false;
  const int64_t N = x->dims[0], C = x->dims[1], D = x->dims[2], H = x->dims[3], W = x->dims[4];
  const int64_t M = w->dims[1], kD = w->dims[2], kH = w->dims[3], kW = w->dims[4];
  const int64_t Do = y->dims[2], Ho = y->dims[3], Wo = y->dims[4];
  if (w->dims[0] != C || y->dims[1] != M) return false;
  std::vector<int64_t> span(3), pb;
  const std::vector<int64_t> in{D, H, W}, k{kD, kH, kW}, outDims{Do, Ho, Wo};
  for (int i = 0; i < 3; ++i) span[i] = (in[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1;
  if (!beginPads(n, span, outDims, pb)) return false;

  NodeBuilder b(c, n, out);
  // (H, W): depth into the batch, depth taps into the output channels.
  std::string xs = b.reshape(b.transpose(n.input(0), {0, 2, 1, 3, 4}), {N * D, C, H, W});
  std::string ws = b.reshape(n.input(1), {C, M * kD, kH, kW});
  onnx::NodeProto &hw = b.node("ConvTranspose", {xs, ws});
  setAttr(hw, "strides", std::vector<int64_t>{s[1], s[2]});
  setAttr(hw, "dilations", std::vector<int64_t>{d[1], d[2]});
  setAttr(hw, "kernel_shape", std::vector<int64_t>{kH, kW});
  setPads(hw, {span[1], span[2]}, {pb[1], pb[2]}, {Ho, Wo});
  const std::string z = hw.output(0);  // [N·D, M·kD, Ho, Wo]
  std::string zd = b.transpose(b.reshape(z, {N, D, M * kD, Ho * Wo}), {0, 2, 1, 3});

  // D: tap kd of channel (m, kd) lands at id·sd + kd·dd − pd of output channel m.
  HostTensor route = HostTensor::make(x->elem_type, {M * kD, M, kD, 1});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t kd = 0; kd < kD; ++kd) route.f[((m * kD + kd) * M + m) * kD + kd] = 1.0;
  std::vector<std::string> ins{zd, b.tensor(route)};
  if (n.input_size() > 2 && !n.input(2).empty()) ins.push_back(n.input(2));
  onnx::NodeProto &depth = b.node("ConvTranspose", ins);
  setAttr(depth, "strides", std::vector<int64_t>{s[0], 1});
  setAttr(depth, "dilations", std::vector<int64_t>{d[0], 1});
  setAttr(depth, "kernel_shape", std::vector<int64_t>{kD, 1});
  setPads(depth, {span[0], Ho * Wo}, {pb[0], 0}, {Do, Ho * Wo});
  b.reshape(depth.output(0), {N, M, Do, Ho, Wo}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
