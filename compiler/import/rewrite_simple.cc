// ONNX-level rewrites of ops whose result is known at compile time or is their input: Dropout
// in inference (or with ratio 0) with its all-true mask, reductions with noop_with_empty_axes
// and no axes, and the window functions (HannWindow, HammingWindow, BlackmanWindow) of a
// constant size.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

#include <cmath>

namespace pfcomp::import {

bool rewriteDropout(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() >= 1 ? c.staticType(n.input(0)) : nullptr;
  if (!x) return false;
  HostTensor ratio, training;
  const bool hasRatio = n.input_size() > 1 && !n.input(1).empty();
  const bool hasTraining = n.input_size() > 2 && !n.input(2).empty();
  if (hasRatio && !c.constant(n.input(1), ratio)) return false;
  if (hasTraining && !c.constant(n.input(2), training)) return false;
  const bool trains = hasTraining && training.numElements() == 1 && training.getI(0) != 0;
  // Training with a ratio above 0 draws random numbers: not reproducible, left refused.
  if (trains && (!hasRatio || ratio.numElements() != 1 || ratio.getF(0) != 0)) return false;
  // Without the mask, rewrite.cc's plain Identity form applies.
  if (n.output_size() < 2 || !c.isUsed(n.output(1))) return false;
  NodeBuilder b(c, n, out);
  b.op("Identity", {n.input(0)}, n.output(0));
  if (n.output_size() > 1 && c.isUsed(n.output(1)))
    b.op("Identity", {b.filled(1, onnx::TensorProto::BOOL, x->dims)}, n.output(1));
  return true;
}

// noop_with_empty_axes = 1 and no (or empty) axes: the reduction returns its input.
bool rewriteNoopReduce(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() < 1 || n.output_size() != 1 || attrInt(n, "noop_with_empty_axes", 0) == 0)
    return false;
  if (findAttr(n, "axes") && !attrInts(n, "axes").empty()) return false;
  if (n.input_size() > 1 && !n.input(1).empty()) {
    HostTensor axes;
    if (!c.constant(n.input(1), axes) || axes.numElements() != 0) return false;
  }
  NodeBuilder b(c, n, out);
  b.op("Identity", {n.input(0)}, n.output(0));
  return true;
}

// w[k] = sum_j a_j cos(2 pi j k / N') with N' = size (periodic) or size - 1 (symmetric).
bool rewriteWindow(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  HostTensor size;
  if (n.input_size() != 1 || n.output_size() != 1 || !c.constant(n.input(0), size) ||
      size.numElements() != 1)
    return false;
  const int32_t type = static_cast<int32_t>(attrInt(n, "output_datatype", onnx::TensorProto::FLOAT));
  const int64_t len = size.getI(0);
  if (len < 1 || !isOnnxFloatType(type)) return false;
  std::vector<double> a;
  if (n.op_type() == "HannWindow") a = {0.5, -0.5};
  else if (n.op_type() == "HammingWindow") a = {25.0 / 46, -(1 - 25.0 / 46)};
  else a = {0.42, -0.5, 0.08};
  const double period = attrInt(n, "periodic", 1) ? len : len - 1;
  HostTensor w = HostTensor::make(type, {len});
  for (int64_t k = 0; k < len; ++k) {
    double v = 0;
    for (size_t j = 0; j < a.size(); ++j) v += a[j] * std::cos(2 * M_PI * j * k / period);
    w.f[k] = v;
  }
  NodeBuilder b(c, n, out);
  b.op("Identity", {b.tensor(w)}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
