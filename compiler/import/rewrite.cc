#include "compiler/import/rewrite.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/graph_edit.h"
#include "compiler/import/host_tensor.h"
#include "compiler/import/model_loader.h"
#include "compiler/import/value_types.h"

#include <cmath>
#include <map>

namespace pfcomp::import {
namespace {

using Nodes = google::protobuf::RepeatedPtrField<onnx::NodeProto>;

struct Context {
  onnx::GraphProto &g;
  int64_t opset;
  std::map<std::string, const onnx::TensorProto *> inits;
  llvm::StringMap<ValueType> types;
  llvm::StringSet<> used;
};

const onnx::TensorProto *initOf(const Context &c, const std::string &name) {
  auto it = c.inits.find(name);
  return it == c.inits.end() ? nullptr : it->second;
}

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
bool rewriteBatchNorm(Context &c, const onnx::NodeProto &n, Nodes &out,
                      std::vector<onnx::TensorProto> &newInits) {
  if (n.input_size() < 5 || attrInt(n, "training_mode", 0) != 0 || !onlyFirstOutputUsed(c, n))
    return false;
  std::vector<HostTensor> p;
  for (int k = 1; k < 5; ++k) {
    const onnx::TensorProto *t = initOf(c, n.input(k));
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
bool rewriteCoercedSoftmax(Context &c, const onnx::NodeProto &n, Nodes &out,
                           std::vector<onnx::TensorProto> &newInits) {
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

}  // namespace

llvm::Expected<int> rewriteForDevice(onnx::ModelProto &model) {
  Context c{*model.mutable_graph(), defaultOpset(model), {}, {}, {}};
  for (const auto &t : c.g.initializer()) c.inits[t.name()] = &t;
  c.types = collectValueTypes(c.g);
  c.used = usedValueNames(c.g);

  int rewritten = 0;
  Nodes out;
  std::vector<onnx::TensorProto> newInits;
  for (const auto &n : c.g.node()) {
    bool done = false;
    if (n.domain().empty() || n.domain() == "ai.onnx") {
      if (n.op_type() == "BatchNormalization") done = rewriteBatchNorm(c, n, out, newInits);
      else if (n.op_type() == "Dropout" || n.op_type() == "Cast") done = rewriteToIdentity(c, n, out);
      else if (n.op_type() == "Softmax" || n.op_type() == "LogSoftmax" || n.op_type() == "Hardmax")
        done = rewriteCoercedSoftmax(c, n, out, newInits);
    }
    if (done) ++rewritten;
    else *out.Add() = n;
  }
  c.inits.clear();  // pointers into the initializer list die with the edits below
  c.g.mutable_node()->Swap(&out);
  for (auto &t : newInits) *c.g.add_initializer() = std::move(t);
  removeDeadNodes(c.g);
  pruneUnused(c.g);
  return rewritten;
}

}  // namespace pfcomp::import
