#include "compiler/import/node_lowering.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/coverage_lowering.h"
#include "compiler/import/node_attrs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pfcomp::import {
namespace {

void copyAttrs(const onnx::NodeProto &src, ir::Node &dst) {
  using A = onnx::AttributeProto;
  for (const auto &a : src.attribute()) {
    ir::Attribute out;
    out.set_name(a.name());
    switch (a.type()) {
      case A::INT: out.set_type(ir::Attribute::INT), out.set_i(a.i()); break;
      case A::FLOAT: out.set_type(ir::Attribute::FLOAT), out.set_f(a.f()); break;
      case A::STRING: out.set_type(ir::Attribute::STRING), out.set_s(a.s()); break;
      case A::INTS:
        out.set_type(ir::Attribute::INTS);
        for (int64_t x : a.ints()) out.add_ints(x);
        break;
      case A::FLOATS:
        out.set_type(ir::Attribute::FLOATS);
        for (float x : a.floats()) out.add_floats(x);
        break;
      default: continue;  // tensors and graphs have no MNGraph form
    }
    *dst.add_attrs() = out;
  }
}

// Moves constant input `k` (a 1-D int list) into INTS attribute `name`; true if it was constant.
bool inputToInts(ir::Node &n, int k, const std::string &name, const ConstLookup &constant) {
  if (n.inputs_size() <= k || n.inputs(k).empty()) return false;
  const HostTensor *t = constant(n.inputs(k));
  if (!t || t->isFloat()) return false;
  setInts(n, name, t->i);
  n.set_inputs(k, "");
  return true;
}

void dropTrailingEmptyInputs(ir::Node &n) {
  while (n.inputs_size() > 1 && n.inputs(n.inputs_size() - 1).empty()) n.mutable_inputs()->RemoveLast();
}

const ValueType *typeOf(const llvm::StringMap<ValueType> &types, const std::string &name) {
  auto it = types.find(name);
  return it == types.end() || !it->second.isStatic() ? nullptr : &it->second;
}

void normaliseAxes(std::vector<int64_t> &axes, int64_t rank) {
  for (auto &a : axes)
    if (a < 0) a += rank;
  std::sort(axes.begin(), axes.end());
}

void lowerAxesOp(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                 const llvm::StringMap<ValueType> &types) {
  inputToInts(n, 1, "axes", constant);
  bool has = false;
  std::vector<int64_t> axes = irInts(n, "axes", &has);
  const ValueType *in = typeOf(types, src.input(0));
  const ValueType *out = src.output_size() ? typeOf(types, src.output(0)) : nullptr;
  const std::string &op = src.op_type();
  if (op == "Unsqueeze") {
    if (out) normaliseAxes(axes, out->dims.size());
  } else if (in) {
    const int64_t rank = in->dims.size();
    if (!has && op == "Squeeze") {
      for (int64_t k = 0; k < rank; ++k)
        if (in->dims[k] == 1) axes.push_back(k);
      has = true;
    } else if (!has && attrInt(src, "noop_with_empty_axes", 0) == 0) {  // ReduceX: all axes
      for (int64_t k = 0; k < rank; ++k) axes.push_back(k);
      has = true;
    }
    normaliseAxes(axes, rank);
  }
  if (has) setInts(n, "axes", axes);
  if (op.rfind("Reduce", 0) == 0) setInt(n, "keepdims", 1, /*onlyIfMissing=*/true);
}

void lowerSlice(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                const llvm::StringMap<ValueType> &types) {
  bool ok = inputToInts(n, 1, "starts", constant) | findIrAttr(n, "starts") != nullptr;
  ok &= inputToInts(n, 2, "ends", constant) | findIrAttr(n, "ends") != nullptr;
  inputToInts(n, 3, "axes", constant);
  inputToInts(n, 4, "steps", constant);
  const ValueType *in = typeOf(types, src.input(0));
  if (!ok || !in) return;
  std::vector<int64_t> starts = irInts(n, "starts"), ends = irInts(n, "ends");
  bool hasAxes = false, hasSteps = false;
  std::vector<int64_t> axes = irInts(n, "axes", &hasAxes), steps = irInts(n, "steps", &hasSteps);
  if (!hasAxes)
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(k);
  if (!hasSteps) steps.assign(starts.size(), 1);
  const int64_t rank = in->dims.size();
  for (size_t k = 0; k < axes.size() && k < starts.size() && k < ends.size() && k < steps.size(); ++k) {
    if (axes[k] < 0) axes[k] += rank;
    if (axes[k] < 0 || axes[k] >= rank) return;
    const int64_t len = in->dims[axes[k]];
    int64_t b = starts[k] < 0 ? starts[k] + len : starts[k];
    int64_t e = ends[k] < 0 ? ends[k] + len : ends[k];
    if (steps[k] > 0) b = std::clamp<int64_t>(b, 0, len), e = std::clamp<int64_t>(e, 0, len);
    else b = std::clamp<int64_t>(b, 0, len - 1), e = std::clamp<int64_t>(e, -1, len - 1);
    starts[k] = b, ends[k] = e;
  }
  setInts(n, "starts", starts);
  setInts(n, "ends", ends);
  setInts(n, "axes", axes);
  setInts(n, "steps", steps);
}

void lowerClip(ir::Node &n, const ConstLookup &constant) {
  const char *names[] = {"min", "max"};
  for (int k = 1; k <= 2; ++k) {
    if (n.inputs_size() <= k || n.inputs(k).empty()) continue;
    const HostTensor *t = constant(n.inputs(k));
    if (!t || t->numElements() != 1) continue;
    setFloat(n, names[k - 1], t->getF(0));
    n.set_inputs(k, "");
  }
  // Bounds that are neither given nor a runtime input are open.
  const double inf = std::numeric_limits<double>::infinity();
  if (n.inputs_size() <= 1 || n.inputs(1).empty()) setFloat(n, "min", -inf, true);
  if (n.inputs_size() <= 2 || n.inputs(2).empty()) setFloat(n, "max", inf, true);
}

void lowerSplit(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                const llvm::StringMap<ValueType> &types) {
  inputToInts(n, 1, "split", constant);
  const ValueType *in = typeOf(types, src.input(0));
  if (!in) return;
  int64_t axis = attrInt(src, "axis", 0);
  if (axis < 0) axis += in->dims.size();
  setInt(n, "axis", axis);
  if (findIrAttr(n, "split")) return;
  std::vector<int64_t> split;
  for (const auto &o : src.output()) {
    const ValueType *t = typeOf(types, o);
    if (!t || axis >= static_cast<int64_t>(t->dims.size())) return;
    split.push_back(t->dims[axis]);
  }
  setInts(n, "split", split);
}

}  // namespace

ir::Node lowerNode(const onnx::NodeProto &src, const ConstLookup &constant,
                   const llvm::StringMap<ValueType> &types, int64_t opset) {
  ir::Node n;
  n.set_name(src.name());
  n.set_op_type(src.op_type());
  for (const auto &i : src.input()) n.add_inputs(i);
  for (const auto &o : src.output()) n.add_outputs(o);
  copyAttrs(src, n);
  const std::string &op = src.op_type();
  if (op == "Squeeze" || op == "Unsqueeze" || op.rfind("Reduce", 0) == 0) {
    lowerAxesOp(n, src, constant, types);
  } else if (op == "Slice") {
    lowerSlice(n, src, constant, types);
  } else if (op == "Reshape") {
    const ValueType *out = typeOf(types, src.output(0));
    if (out && (n.inputs_size() < 2 || constant(n.inputs(1)))) {
      setInts(n, "shape", out->dims);
      if (n.inputs_size() > 1) n.set_inputs(1, "");
      removeAttr(n, "allowzero");
    }
  } else if (op == "Clip") {
    lowerClip(n, constant);
  } else if (op == "Split") {
    lowerSplit(n, src, constant, types);
  } else if (op == "Gemm") {
    setFloat(n, "alpha", 1.0, true), setFloat(n, "beta", 1.0, true);
    setInt(n, "transA", 0, true), setInt(n, "transB", 0, true);
  } else if (op == "Flatten") {
    setInt(n, "axis", 1, true);
  } else {
    lowerCoverageNode(n, src, constant, types, opset);
  }
  // One sign for `axis`: non-negative (Flatten's runs to rank inclusive).
  if (ir::Attribute *axis = findIrAttr(n, "axis"); axis && axis->type() == ir::Attribute::INT && axis->i() < 0) {
    const ValueType *in = src.input_size() ? typeOf(types, src.input(0)) : nullptr;
    if (in) axis->set_i(axis->i() + static_cast<int64_t>(in->dims.size()));
  }
  if (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") {
    // Opset 13's default; older forms were rewritten to it on the ONNX side.
    const ValueType *in = typeOf(types, src.input(0));
    if (in) setInt(n, "axis", static_cast<int64_t>(in->dims.size()) - 1, /*onlyIfMissing=*/true);
  }
  dropTrailingEmptyInputs(n);
  return n;
}

}  // namespace pfcomp::import
