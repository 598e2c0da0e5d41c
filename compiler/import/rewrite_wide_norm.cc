// Normalisations over more elements than one PE's LM holds. The device kernels of
// InstanceNormalization, LayerNormalization and Softmax / LogSoftmax keep a whole instance
// (an image plane, a hidden vector, a softmax row) in one PE's LM, input and output: 32 KiB
// of LM fits about 2 x 2048 fp32 values. A style-transfer net's 256x256 planes or a 4096-wide
// hidden state cannot run that way, so wider instances become reductions (whose reduction
// axis the device cuts into chunks) and elementwise ops, as the ops' ONNX definitions read.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {
namespace {

// More elements than this per instance: decomposed. 1024 keeps fp64 in + out under an LM bank.
constexpr int64_t kWideInstanceElements = 1024;

// The axes an op normalises over, or empty when it is narrow enough for the device kernel (or
// the shape is not known).
std::vector<int64_t> wideAxes(const ValueType &x, int64_t from, int64_t to) {
  const int64_t rank = x.dims.size();
  if (from < 0 || from >= to || to > rank) return {};
  int64_t elements = 1;
  std::vector<int64_t> axes;
  for (int64_t a = from; a < to; ++a) elements *= x.dims[a], axes.push_back(a);
  return elements > kWideInstanceElements ? axes : std::vector<int64_t>{};
}

std::string reduce(NodeBuilder &b, const std::string &op, const std::string &x,
                   const std::vector<int64_t> &axes) {
  onnx::NodeProto &m = b.node(op, {x});
  setAttr(m, "axes", axes);
  setAttr(m, "keepdims", int64_t(1));
  return m.output(0);
}

// (x - mean) / sqrt(var + eps), population variance over `axes`.
std::string normalise(NodeBuilder &b, const std::string &x, const std::vector<int64_t> &axes,
                      double epsilon, int32_t type) {
  const std::string centred = b.op("Sub", {x, reduce(b, "ReduceMean", x, axes)});
  const std::string var = reduce(b, "ReduceMean", b.op("Mul", {centred, centred}), axes);
  const std::string eps = b.scalar(epsilon, type);
  return b.op("Mul", {centred, b.op("Reciprocal", {b.op("Sqrt", {b.op("Add", {var, eps})})})});
}

}  // namespace

bool rewriteWideNormalization(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() ? c.staticType(n.input(0)) : nullptr;
  if (!x || !isOnnxFloatType(x->elem_type) || n.output_size() < 1) return false;
  const int32_t type = x->elem_type;
  const int64_t rank = x->dims.size();
  const std::string &op = n.op_type();
  if (op == "InstanceNormalization") {
    if (n.input_size() != 3 || rank < 3) return false;
    const auto axes = wideAxes(*x, 2, rank);
    if (axes.empty()) return false;
    NodeBuilder b(c, n, out);
    std::vector<int64_t> perChannel(rank - 1, 1);  // [C, 1, ...] against [N, C, ...]
    perChannel[0] = x->dims[1];
    const std::string y = normalise(b, n.input(0), axes, attrFloat(n, "epsilon", 1e-5f), type);
    const std::string scaled = b.op("Mul", {y, b.reshape(n.input(1), perChannel)});
    b.op("Add", {scaled, b.reshape(n.input(2), perChannel)}, n.output(0));
    return true;
  }
  if (op == "LayerNormalization") {
    for (int k = 1; k < n.output_size(); ++k)
      if (c.isUsed(n.output(k))) return false;  // rewriteLayerNormStats yields those
    int64_t axis = attrInt(n, "axis", -1);
    if (axis < 0) axis += rank;
    const auto axes = wideAxes(*x, axis, rank);
    if (axes.empty() || n.input_size() < 2) return false;
    NodeBuilder b(c, n, out);
    const std::string y = normalise(b, n.input(0), axes, attrFloat(n, "epsilon", 1e-5f), type);
    const bool bias = n.input_size() > 2 && !n.input(2).empty();
    const std::string scaled = b.op("Mul", {y, n.input(1)}, bias ? "" : n.output(0));
    if (bias) b.op("Add", {scaled, n.input(2)}, n.output(0));
    return true;
  }
  if (op == "Softmax" || op == "LogSoftmax") {
    // Opset 13's one-axis form (older ones were made so by rewriteCoercedSoftmax first).
    int64_t axis = attrInt(n, "axis", -1);
    if (axis < 0) axis += rank;
    if (c.opset < 13 && axis != rank - 1) return false;
    const auto axes = wideAxes(*x, axis, axis + 1);
    if (axes.empty()) return false;
    NodeBuilder b(c, n, out);
    const std::string shifted = b.op("Sub", {n.input(0), reduce(b, "ReduceMax", n.input(0), axes)});
    const std::string e = b.op("Exp", {shifted});
    const std::string sum = b.reduceSum(e, axes, true, 1);
    if (op == "Softmax") b.op("Div", {e, sum}, n.output(0));
    else b.op("Sub", {shifted, b.op("Log", {sum})}, n.output(0));
    return true;
  }
  return false;
}

}  // namespace pfcomp::import
