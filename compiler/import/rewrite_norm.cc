// BatchNormalization that rewrite.cc's constant folding of the per-channel scale and bias does
// not cover: statistics given at run time, and training mode (batch statistics, with the
// running mean and variance outputs).
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {

// y = (x - mean) / sqrt(var + eps) * scale + bias with [C] operands viewed as [C, 1, ..];
// training mode: mean and var of the batch (ReduceMean over every axis but 1, population
// variance), running_mean = mean_in * momentum + mean * (1 - momentum), likewise the variance.
bool rewriteBatchNormGeneral(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 5 ? c.staticType(n.input(0)) : nullptr;
  if (!x || x->dims.size() < 2 || !isOnnxFloatType(x->elem_type)) return false;
  const bool training = attrInt(n, "training_mode", 0) != 0;
  for (int k = 1; k < n.output_size(); ++k)
    if (c.isUsed(n.output(k)) && (!training || k > 2)) return false;
  const int32_t type = x->elem_type;
  const int64_t rank = x->dims.size(), channels = x->dims[1];
  std::vector<int64_t> perChannel(rank - 1, 1);
  perChannel[0] = channels;
  NodeBuilder b(c, n, out);
  auto view = [&](const std::string &v) { return b.reshape(v, perChannel); };
  std::string mean = view(n.input(3)), var = view(n.input(4));
  if (training) {
    std::vector<int64_t> axes{0};
    for (int64_t a = 2; a < rank; ++a) axes.push_back(a);
    onnx::NodeProto &m = b.node("ReduceMean", {n.input(0)});
    setAttr(m, "axes", axes);
    const std::string batchMean = m.output(0);
    const std::string centred = b.op("Sub", {n.input(0), batchMean});
    onnx::NodeProto &v = b.node("ReduceMean", {b.op("Mul", {centred, centred})});
    setAttr(v, "axes", axes);
    const std::string batchVar = v.output(0);
    const double momentum = attrFloat(n, "momentum", 0.9f);
    auto running = [&](const std::string &given, const std::string &batch, const std::string &outName) {
      const std::string kept = b.op("Mul", {given, b.scalar(momentum, type)});
      const std::string added = b.op("Mul", {b.reshape(batch, {channels}), b.scalar(1 - momentum, type)});
      b.op("Add", {kept, added}, outName);
    };
    if (n.output_size() > 1 && c.isUsed(n.output(1))) running(n.input(3), batchMean, n.output(1));
    if (n.output_size() > 2 && c.isUsed(n.output(2))) running(n.input(4), batchVar, n.output(2));
    mean = b.reshape(batchMean, perChannel);
    var = b.reshape(batchVar, perChannel);
  }
  const std::string eps = b.scalar(attrFloat(n, "epsilon", 1e-5f), type);
  const std::string scale = b.op("Div", {view(n.input(1)), b.op("Sqrt", {b.op("Add", {var, eps})})});
  const std::string normed = b.op("Mul", {b.op("Sub", {n.input(0), mean}), scale});
  b.op("Add", {normed, view(n.input(2))}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
