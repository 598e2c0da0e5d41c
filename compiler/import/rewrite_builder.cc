#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {

const onnx::TensorProto *RewriteContext::initOf(const std::string &name) const {
  auto it = inits.find(name);
  return it == inits.end() ? nullptr : it->second;
}

bool RewriteContext::constant(const std::string &name, HostTensor &out) const {
  const onnx::TensorProto *t = initOf(name);
  if (!t) return false;
  auto decoded = decodeTensor(*t);
  if (!decoded) {
    llvm::consumeError(decoded.takeError());
    return false;
  }
  out = std::move(*decoded);
  return true;
}

const ValueType *RewriteContext::staticType(const std::string &name) const {
  auto it = types.find(name);
  return it == types.end() || !it->second.isStatic() ? nullptr : &it->second;
}

std::string NodeBuilder::fresh(const std::string &suffix) {
  std::string base = src_.name() + "_" + suffix;
  std::string name = base;
  for (int k = 1; c_.names.contains(name); ++k) name = base + "_" + std::to_string(k);
  c_.names.insert(name);
  return name;
}

std::string NodeBuilder::tensor(const HostTensor &t) {
  const std::string name = fresh("const");
  c_.newInits.push_back(encodeTensor(t, name));
  return name;
}

std::string NodeBuilder::ints(const std::vector<int64_t> &values) { return tensor(HostTensor::ints(values)); }

std::string NodeBuilder::scalar(double v, int32_t type) { return filled(v, type, {}); }

std::string NodeBuilder::filled(double v, int32_t type, const std::vector<int64_t> &dims) {
  HostTensor t = HostTensor::make(type, dims);
  if (t.isFloat()) std::fill(t.f.begin(), t.f.end(), v);
  else std::fill(t.i.begin(), t.i.end(), static_cast<int64_t>(v));
  return tensor(t);
}

onnx::NodeProto &NodeBuilder::node(const std::string &op, const std::vector<std::string> &ins,
                                   const std::string &outName) {
  onnx::NodeProto &n = *out_.Add();
  n.set_op_type(op);
  n.set_name(src_.name() + "_" + op + "_" + std::to_string(count_++));
  for (const auto &i : ins) n.add_input(i);
  n.add_output(outName.empty() ? fresh(op) : outName);
  return n;
}

std::string NodeBuilder::op(const std::string &op, const std::vector<std::string> &ins,
                            const std::string &outName) {
  return node(op, ins, outName).output(0);
}

std::string NodeBuilder::slice(const std::string &x, int64_t axis, int64_t start, int64_t end,
                               const std::string &outName) {
  if (c_.opset < 10) {
    onnx::NodeProto &n = node("Slice", {x}, outName);
    setAttr(n, "starts", std::vector<int64_t>{start});
    setAttr(n, "ends", std::vector<int64_t>{end});
    setAttr(n, "axes", std::vector<int64_t>{axis});
    return n.output(0);
  }
  return op("Slice", {x, ints({start}), ints({end}), ints({axis})}, outName);
}

std::string NodeBuilder::reshape(const std::string &x, const std::vector<int64_t> &shape,
                                 const std::string &outName) {
  return op("Reshape", {x, ints(shape)}, outName);
}

std::string NodeBuilder::transpose(const std::string &x, const std::vector<int64_t> &perm,
                                   const std::string &outName) {
  onnx::NodeProto &n = node("Transpose", {x}, outName);
  setAttr(n, "perm", perm);
  return n.output(0);
}

std::string NodeBuilder::concat(const std::vector<std::string> &xs, int64_t axis,
                                const std::string &outName) {
  if (xs.size() == 1) return op("Identity", xs, outName);
  onnx::NodeProto &n = node("Concat", xs, outName);
  setAttr(n, "axis", axis);
  return n.output(0);
}

std::string NodeBuilder::reduceSum(const std::string &x, const std::vector<int64_t> &axes, bool hasAxes,
                                   int64_t keepdims, const std::string &outName) {
  std::vector<std::string> ins{x};
  if (hasAxes && c_.opset >= 13) ins.push_back(ints(axes));
  onnx::NodeProto &n = node("ReduceSum", ins, outName);
  if (hasAxes && c_.opset < 13) setAttr(n, "axes", axes);
  setAttr(n, "keepdims", keepdims);
  return n.output(0);
}

void setAttr(onnx::NodeProto &n, const std::string &name, int64_t v) {
  auto *a = n.add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto::INT), a->set_i(v);
}

void setAttr(onnx::NodeProto &n, const std::string &name, float v) {
  auto *a = n.add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto::FLOAT), a->set_f(v);
}

void setAttr(onnx::NodeProto &n, const std::string &name, const std::vector<int64_t> &v) {
  auto *a = n.add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

}  // namespace pfcomp::import
