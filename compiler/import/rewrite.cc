#include "compiler/import/rewrite.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/graph_edit.h"
#include "compiler/import/host_tensor.h"
#include "compiler/import/model_loader.h"
#include "compiler/import/rewrite_builder.h"
#include "compiler/import/value_types.h"

#include <cmath>
#include <map>

namespace pfcomp::import {
namespace {

using Context = RewriteContext;

bool onlyFirstOutputUsed(const Context &c, const onnx::NodeProto &n) {
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && c.used.contains(n.output(k))) return false;
  return true;
}

onnx::NodeProto makeNode(const std::string &op, const std::string &name,
                         std::vector<std::string> ins, std::vector<std::string> outs) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (auto &i : ins) n.add_input(i);
  for (auto &o : outs) n.add_output(o);
  return n;
}

// y = x * s + b with s = gamma / sqrt(var + eps), b = beta - mean * s, per channel (axis 1).
bool rewriteBatchNorm(Context &c, const onnx::NodeProto &n, Nodes &out) {
  std::vector<onnx::TensorProto> &newInits = c.newInits;
  if (n.input_size() < 5 || attrInt(n, "training_mode", 0) != 0 || !onlyFirstOutputUsed(c, n))
    return false;
  std::vector<HostTensor> p;
  for (int k = 1; k < 5; ++k) {
    const onnx::TensorProto *t = c.initOf(n.input(k));
    if (!t) return false;
    auto decoded = decodeTensor(*t);
    if (!decoded || !decoded->isFloat()) {
      if (!decoded) llvm::consumeError(decoded.takeError());
      return false;
    }
    p.push_back(std::move(*decoded));
  }
  auto xt = c.types.find(n.input(0));
  if (xt == c.types.end() || !xt->second.has_shape || xt->second.dims.size() < 2) return false;
  const int64_t channels = p[0].numElements();
  for (const auto &t : p)
    if (t.numElements() != channels) return false;
  const double eps = attrFloat(n, "epsilon", 1e-5f);
  const int32_t type = isOnnxFloatType(xt->second.elem_type) ? xt->second.elem_type : onnx::TensorProto::FLOAT;
  std::vector<int64_t> dims{channels};
  dims.resize(xt->second.dims.size() - 1, 1);
  HostTensor scale = HostTensor::make(type, dims), bias = HostTensor::make(type, dims);
  for (int64_t k = 0; k < channels; ++k) {
    scale.f[k] = p[0].f[k] / std::sqrt(p[3].f[k] + eps);
    bias.f[k] = p[1].f[k] - p[2].f[k] * scale.f[k];
  }
  const std::string sName = freshValueName(c.g, n.name() + "_scale");
  const std::string bName = freshValueName(c.g, n.name() + "_bias");
  const std::string mid = freshValueName(c.g, n.name() + "_scaled");
  newInits.push_back(encodeTensor(scale, sName));
  newInits.push_back(encodeTensor(bias, bName));
  *out.Add() = makeNode("Mul", n.name() + "_mul", {n.input(0), sName}, {mid});
  *out.Add() = makeNode("Add", n.name() + "_add", {mid, bName}, {n.output(0)});
  return true;
}

bool rewriteToIdentity(Context &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() < 1 || n.output_size() < 1 || !onlyFirstOutputUsed(c, n)) return false;
  if (n.op_type() == "Cast") {
    auto t = c.types.find(n.input(0));
    if (t == c.types.end() || t->second.elem_type != attrInt(n, "to", -1)) return false;
  }
  *out.Add() = makeNode("Identity", n.name(), {n.input(0)}, {n.output(0)});
  return true;
}

// Before opset 13, Softmax/LogSoftmax/Hardmax normalise over all axes from `axis` on (the input
// seen as 2-D). From 13 on they take one axis. The old form with axis < rank-1 becomes
// Reshape(2-D) -> op(axis=1) -> Reshape back, so downstream sees the one-axis form only.
bool rewriteCoercedSoftmax(Context &c, const onnx::NodeProto &n, Nodes &out) {
  std::vector<onnx::TensorProto> &newInits = c.newInits;
  if (c.opset >= 13 || n.input_size() != 1 || n.output_size() != 1) return false;
  auto xt = c.types.find(n.input(0));
  if (xt == c.types.end() || !xt->second.isStatic()) return false;
  const std::vector<int64_t> &dims = xt->second.dims;
  const int64_t rank = dims.size();
  int64_t axis = attrInt(n, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank - 1) return false;  // already the one-axis form
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < rank; ++k) (k < axis ? outer : inner) *= dims[k];
  const std::string flatShape = freshValueName(c.g, n.name() + "_2d_shape");
  const std::string backShape = freshValueName(c.g, n.name() + "_nd_shape");
  newInits.push_back(encodeTensor(HostTensor::ints({outer, inner}), flatShape));
  newInits.push_back(encodeTensor(HostTensor::ints(dims), backShape));
  const std::string flat = freshValueName(c.g, n.name() + "_2d");
  const std::string res = freshValueName(c.g, n.name() + "_2d_out");
  *out.Add() = makeNode("Reshape", n.name() + "_to2d", {n.input(0), flatShape}, {flat});
  onnx::NodeProto op = makeNode(n.op_type(), n.name(), {flat}, {res});
  auto *a = op.add_attribute();
  a->set_name("axis"), a->set_type(onnx::AttributeProto::INT), a->set_i(1);
  *out.Add() = op;
  *out.Add() = makeNode("Reshape", n.name() + "_tond", {res, backShape}, {n.output(0)});
  return true;
}

// Cast float -> bool is x != 0: Not(Equal(x, 0)), so the mask stays a device computation.
bool rewriteCastToBool(Context &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() != 1 || n.output_size() != 1 || attrInt(n, "to", 0) != onnx::TensorProto::BOOL)
    return false;
  auto t = c.types.find(n.input(0));
  if (t == c.types.end() || !isOnnxFloatType(t->second.elem_type)) return false;
  NodeBuilder b(c, n, out);
  const std::string eq = b.op("Equal", {n.input(0), b.scalar(0.0, t->second.elem_type)});
  b.op("Not", {eq}, n.output(0));
  return true;
}

// CastLike is a Cast to the element type of its second input (whose values are not read).
bool rewriteCastLike(Context &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() != 2 || n.output_size() != 1) return false;
  auto t = c.types.find(n.input(1));
  if (t == c.types.end() || t->second.elem_type == 0) return false;
  onnx::NodeProto cast = makeNode("Cast", n.name(), {n.input(0)}, {n.output(0)});
  setAttr(cast, "to", static_cast<int64_t>(t->second.elem_type));
  if (!rewriteCastToBool(c, cast, out) && !rewriteToIdentity(c, cast, out)) *out.Add() = cast;
  return true;
}

llvm::Expected<bool> rewriteNode(Context &c, const onnx::NodeProto &n, Nodes &out) {
  const std::string &op = n.op_type();
  if (op == "BatchNormalization") return rewriteBatchNorm(c, n, out) || rewriteBatchNormGeneral(c, n, out);
  if (op == "Dropout" && rewriteDropout(c, n, out)) return true;
  if (llvm::StringRef(op).startswith("Reduce") && rewriteNoopReduce(c, n, out)) return true;
  if (op == "Cast" && rewriteCastToBool(c, n, out)) return true;
  if (op == "CastLike") return rewriteCastLike(c, n, out);
  if (op == "QuantizeLinear" || op == "DequantizeLinear") return rewriteQuantize(c, n, out);
  if (op == "DynamicQuantizeLinear") return rewriteDynamicQuantize(c, n, out);
  if (op == "MatMulInteger" || op == "ConvInteger" || op == "QLinearMatMul" || op == "QLinearConv")
    return rewriteIntegerProduct(c, n, out);
  if (op == "MaxPool" && n.output_size() == 2) return rewriteMaxPoolIndices(c, n, out);
  if ((op == "MaxPool" || op == "AveragePool") && rewritePool3d(c, n, out)) return true;
  if (op == "ConvTranspose" && rewriteConvTranspose3d(c, n, out)) return true;
  if (op == "Conv" && rewriteConv3d(c, n, out)) return true;
  if (op == "Dropout" || op == "Cast") return rewriteToIdentity(c, n, out);
  if (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax")
    return rewriteCoercedSoftmax(c, n, out) || rewriteWideNormalization(c, n, out);
  if ((op == "InstanceNormalization" || op == "LayerNormalization") &&
      rewriteWideNormalization(c, n, out))
    return true;
  if (op == "LSTM" || op == "GRU" || op == "RNN") return rewriteRecurrent(c, n, out);
  if (op == "Einsum") return rewriteEinsum(c, n, out);
  if (op == "Sum" || op == "Mean" || ((op == "Max" || op == "Min") && n.input_size() != 2))
    return rewriteVariadic(c, n, out);
  if (op == "DepthToSpace" || op == "SpaceToDepth") return rewriteDepthSpace(c, n, out);
  if (op == "Tile") return rewriteTile(c, n, out);
  if (op == "LayerNormalization") return rewriteLayerNormStats(c, n, out);
  if (op == "NegativeLogLikelihoodLoss" || op == "SoftmaxCrossEntropyLoss") return rewriteLoss(c, n, out);
  if (op == "GatherElements") return rewriteGatherElements(c, n, out);
  if (op == "ScatterElements" || op == "Scatter") return rewriteScatterElements(c, n, out);
  if (op == "OneHot") return rewriteOneHot(c, n, out);
  if (op == "Resize" && rewriteResizeByMatMul(c, n, out)) return true;
  if (op == "GridSample") return rewriteGridSample(c, n, out);
  if (op == "GatherND") return rewriteGatherNd(c, n, out);
  if (op == "ScatterND") return rewriteScatterNd(c, n, out);
  if (op == "ReverseSequence") return rewriteReverseSequence(c, n, out);
  if (op == "MaxUnpool") return rewriteMaxUnpool(c, n, out);
  if (op == "Celu") return rewriteCelu(c, n, out);
  if (op == "MeanVarianceNormalization") return rewriteMeanVarianceNorm(c, n, out);
  if (op == "LRN") return rewriteLrn(c, n, out);
  if (op == "Det") return rewriteDet(c, n, out);
  if (op == "DFT") return rewriteDft(c, n, out);
  if (op == "MelWeightMatrix") return rewriteMelWeightMatrix(c, n, out);
  if (op == "Pad" && rewritePadBorder(c, n, out)) return true;
  if (op == "HannWindow" || op == "HammingWindow" || op == "BlackmanWindow") return rewriteWindow(c, n, out);
  if (op == "ReduceL1" || op == "ReduceL2" || op == "ReduceSumSquare" || op == "ReduceLogSumExp" ||
      op == "ReduceLogSum")
    return rewriteReduce(c, n, out);
  return false;
}

}  // namespace

llvm::Expected<int> rewriteForDevice(onnx::ModelProto &model) {
  addDefaultOpsetForTraining(model);
  Context c{*model.mutable_graph(), defaultOpset(model), {}, {}, {}, {}, {}};
  for (const auto &t : c.g.initializer()) c.inits[t.name()] = &t;
  c.types = collectValueTypes(c.g);
  c.used = usedValueNames(c.g);
  for (const auto &e : c.types) c.names.insert(e.getKey());
  for (const auto &n : c.g.node())
    for (const auto &o : n.output()) c.names.insert(o);
  for (const auto &u : c.used) c.names.insert(u.getKey());

  int rewritten = 0;
  Nodes out;
  for (const auto &n : c.g.node()) {
    llvm::Expected<bool> done = false;
    if (n.domain().empty() || n.domain() == "ai.onnx") done = rewriteNode(c, n, out);
    else if (n.domain() == "ai.onnx.preview.training") done = rewriteOptimizer(c, n, out);
    if (!done) return done.takeError();
    if (*done) ++rewritten;
    else *out.Add() = n;
  }
  c.inits.clear();  // pointers into the initializer list die with the edits below
  c.g.mutable_node()->Swap(&out);
  for (auto &t : c.newInits) *c.g.add_initializer() = std::move(t);
  removeDeadNodes(c.g);
  pruneUnused(c.g);
  return rewritten;
}

}  // namespace pfcomp::import
