#include "compiler/import/const_eval.h"

#include "llvm/ADT/StringSet.h"

#include "compiler/import/const_eval_ops.h"

#include "support/error.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace pfcomp::import {
namespace const_eval_detail {

llvm::Error fail(const onnx::NodeProto &node, const llvm::Twine &why) {
  return makeError(ErrorCode::Internal, "cannot fold {0} ({1}): {2}", node.name(), node.op_type(),
                   why.str());
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int k = static_cast<int>(dims.size()) - 2; k >= 0; --k) s[k] = s[k + 1] * dims[k + 1];
  return s;
}

std::vector<int64_t> broadcastIndex(const std::vector<int64_t> &in, const std::vector<int64_t> &out) {
  int64_t n = 1;
  for (int64_t d : out) n *= d;
  const size_t rank = out.size(), off = out.size() - in.size();
  std::vector<int64_t> inStride(rank, 0);
  const std::vector<int64_t> s = stridesOf(in);
  for (size_t k = 0; k < in.size(); ++k) inStride[k + off] = in[k] == 1 ? 0 : s[k];
  std::vector<int64_t> idx(n), pos(rank, 0);
  int64_t flat = 0;
  for (int64_t e = 0; e < n; ++e) {
    idx[e] = flat;
    for (int k = static_cast<int>(rank) - 1; k >= 0; --k) {
      flat += inStride[k];
      if (++pos[k] < out[k]) break;
      flat -= inStride[k] * out[k];
      pos[k] = 0;
    }
  }
  return idx;
}

void copyElem(const HostTensor &src, int64_t from, HostTensor &dst, int64_t to) {
  if (dst.isFloat()) dst.f[to] = src.getF(from);
  else dst.i[to] = src.getI(from);
}

HostTensor gatherElems(const HostTensor &src, std::vector<int64_t> dims, const std::vector<int64_t> &idx) {
  HostTensor out = HostTensor::make(src.type, std::move(dims));
  for (size_t e = 0; e < idx.size(); ++e) copyElem(src, idx[e], out, e);
  return out;
}

bool intsFrom(const onnx::NodeProto &n, const Inputs &in, size_t k, llvm::StringRef name,
              std::vector<int64_t> &out) {
  if (in.size() > k && in[k]) {
    out = in[k]->i;
    if (in[k]->isFloat()) return false;
    return true;
  }
  if (findAttr(n, name)) {
    out = attrInts(n, name);
    return true;
  }
  return false;
}

}  // namespace const_eval_detail

namespace {

using namespace const_eval_detail;
using TP = onnx::TensorProto;
using EvalFn = std::function<Outputs(const onnx::NodeProto &, const Inputs &)>;

// Arithmetic, comparisons and logic (shape arithmetic of exported models, If conditions).
double binaryOp(const std::string &op, double x, double y) {
  if (op == "Add") return x + y;
  if (op == "Sub") return x - y;
  if (op == "Mul") return x * y;
  if (op == "Div") return x / y;
  if (op == "Pow") return std::pow(x, y);
  if (op == "Min") return std::min(x, y);
  if (op == "Max") return std::max(x, y);
  if (op == "FMod") return std::fmod(x, y);
  if (op == "Mod") {  // the divisor's sign, as Python's %
    const double r = std::fmod(x, y);
    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
  }
  if (op == "Equal") return x == y;
  if (op == "Greater") return x > y;
  if (op == "Less") return x < y;
  if (op == "GreaterOrEqual") return x >= y;
  if (op == "LessOrEqual") return x <= y;
  if (op == "And") return x != 0 && y != 0;
  if (op == "Or") return x != 0 || y != 0;
  return (x != 0) != (y != 0);  // Xor
}

int64_t binaryOpInt(const std::string &op, int64_t x, int64_t y) {
  if (op == "Add") return x + y;
  if (op == "Sub") return x - y;
  if (op == "Mul") return x * y;
  if (op == "Div") return x / y;
  if (op == "Min") return std::min(x, y);
  if (op == "Max") return std::max(x, y);
  if (op == "FMod") return x % y;
  if (op == "Mod") {
    const int64_t r = x % y;
    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
  }
  return static_cast<int64_t>(binaryOp(op, static_cast<double>(x), static_cast<double>(y)));
}

Outputs binary(const onnx::NodeProto &n, const Inputs &in) {
  if (in.size() != 2 || !in[0] || !in[1]) return fail(n, "needs two inputs");
  const HostTensor &a = *in[0], &b = *in[1];
  auto dims = broadcastDims(a.dims, b.dims);
  if (!dims) return dims.takeError();
  // Mod's fmod=1 takes the dividend's sign (C's fmod); 0 the divisor's.
  const std::string op =
      n.op_type() == "Mod" && attrInt(n, "fmod", 0) == 1 ? std::string("FMod") : n.op_type();
  static const llvm::StringSet<> boolResult = {"Equal", "Greater", "Less", "GreaterOrEqual",
                                               "LessOrEqual", "And", "Or", "Xor"};
  HostTensor out = HostTensor::make(boolResult.contains(op) ? TP::BOOL : a.type, *dims);
  const auto ia = broadcastIndex(a.dims, *dims), ib = broadcastIndex(b.dims, *dims);
  const bool flt = a.isFloat() || b.isFloat();
  for (size_t e = 0; e < ia.size(); ++e) {
    if (flt || op == "Pow") {
      const double r = binaryOp(op, a.getF(ia[e]), b.getF(ib[e]));
      if (out.isFloat()) out.f[e] = r;
      else out.i[e] = static_cast<int64_t>(r);
    } else {
      const int64_t x = a.getI(ia[e]), y = b.getI(ib[e]);
      if ((op == "Div" || op == "Mod" || op == "FMod") && y == 0)
        return fail(n, "integer division by zero");
      out.i[e] = binaryOpInt(op, x, y);
    }
  }
  return one(std::move(out));
}

Outputs logicalNot(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  HostTensor out = HostTensor::make(TP::BOOL, in[0]->dims);
  for (int64_t e = 0; e < out.numElements(); ++e) out.i[e] = in[0]->getI(e) == 0;
  return one(std::move(out));
}

Outputs unary(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  HostTensor out = *in[0];
  const std::string &op = n.op_type();
  if (op == "Identity") return one(std::move(out));
  if (op == "Neg") {
    for (auto &x : out.f) x = -x;
    for (auto &x : out.i) x = -x;
    return one(std::move(out));
  }
  if (op == "Relu" || op == "Abs") {
    for (auto &x : out.f) x = op == "Relu" ? std::max(x, 0.0) : std::fabs(x);
    for (auto &x : out.i) x = op == "Relu" ? std::max<int64_t>(x, 0) : std::abs(x);
    return one(std::move(out));
  }
  if (!out.isFloat()) return fail(n, "needs a float input");
  for (auto &x : out.f)  // Sqrt, Ceil, Floor, Reciprocal
    x = op == "Sqrt" ? std::sqrt(x) : op == "Ceil" ? std::ceil(x) : op == "Floor" ? std::floor(x) : 1.0 / x;
  return one(std::move(out));
}

Outputs constant(const onnx::NodeProto &n, const Inputs &) {
  for (const auto &a : n.attribute()) {
    if (a.name() == "value") {
      auto t = decodeTensor(a.t());
      if (!t) return t.takeError();
      return one(std::move(*t));
    }
    if (a.name() == "value_float" || a.name() == "value_floats") {
      HostTensor t;
      t.type = TP::FLOAT;
      if (a.name() == "value_float") t.f = {a.f()};
      else t.f.assign(a.floats().begin(), a.floats().end()), t.dims = {a.floats_size()};
      return one(std::move(t));
    }
    if (a.name() == "value_int") {
      HostTensor t = HostTensor::ints({a.i()});
      t.dims = {};
      return one(std::move(t));
    }
    if (a.name() == "value_ints") return one(HostTensor::ints({a.ints().begin(), a.ints().end()}));
  }
  return fail(n, "no supported value attribute");
}

Outputs constantOfShape(const onnx::NodeProto &n, const Inputs &in) {
  HostTensor fill = HostTensor::make(TP::FLOAT, {1});
  if (const auto *a = findAttr(n, "value")) {
    auto t = decodeTensor(a->t());
    if (!t) return t.takeError();
    fill = std::move(*t);
  }
  HostTensor out = HostTensor::make(fill.type, in.empty() || !in[0] ? std::vector<int64_t>{} : in[0]->i);
  for (int64_t e = 0; e < out.numElements(); ++e) copyElem(fill, 0, out, e);
  return one(std::move(out));
}

Outputs shape(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  const int64_t rank = in[0]->dims.size();
  int64_t start = std::clamp(normAxis(attrInt(n, "start", 0), rank), int64_t{0}, rank);
  int64_t end = std::clamp(normAxis(attrInt(n, "end", rank), rank), int64_t{0}, rank);
  if (end < start) end = start;
  return one(HostTensor::ints({in[0]->dims.begin() + start, in[0]->dims.begin() + end}));
}

// Size and EyeLike read only their input's shape (static, so folding also runs on stand-ins).
Outputs size(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  HostTensor out = HostTensor::ints({in[0]->numElements()});
  out.dims = {};
  return one(std::move(out));
}

Outputs eyeLike(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0] || in[0]->dims.size() != 2) return fail(n, "needs a 2-D input");
  const int32_t type = static_cast<int32_t>(attrInt(n, "dtype", in[0]->type));
  if (!isHostSupportedType(type)) return fail(n, "unsupported output type");
  const int64_t rows = in[0]->dims[0], cols = in[0]->dims[1], k = attrInt(n, "k", 0);
  HostTensor out = HostTensor::make(type, in[0]->dims);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r + k;
    if (c < 0 || c >= cols) continue;
    if (out.isFloat()) out.f[r * cols + c] = 1.0;
    else out.i[r * cols + c] = 1;
  }
  return one(std::move(out));
}

Outputs cast(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  const int32_t to = static_cast<int32_t>(attrInt(n, "to", 0));
  if (!isHostSupportedType(to)) return fail(n, "unsupported target type");
  HostTensor out = HostTensor::make(to, in[0]->dims);
  for (int64_t e = 0; e < out.numElements(); ++e) {
    if (out.isFloat()) out.f[e] = in[0]->getF(e);
    else if (to == TP::BOOL) out.i[e] = in[0]->getF(e) != 0.0;
    else out.i[e] = in[0]->isFloat() ? static_cast<int64_t>(std::trunc(in[0]->f[e])) : in[0]->i[e];
  }
  return one(std::move(out));
}

Outputs range(const onnx::NodeProto &n, const Inputs &in) {
  if (in.size() != 3 || !in[0] || !in[1] || !in[2]) return fail(n, "needs start, limit, delta");
  const HostTensor &s = *in[0];
  const double start = s.getF(0), limit = in[1]->getF(0), delta = in[2]->getF(0);
  if (delta == 0) return fail(n, "zero delta");
  const int64_t count = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
  HostTensor out = HostTensor::make(s.type, {count});
  for (int64_t k = 0; k < count; ++k) {
    if (out.isFloat()) out.f[k] = start + k * delta;
    else out.i[k] = s.getI(0) + k * in[2]->getI(0);
  }
  return one(std::move(out));
}

Outputs where(const onnx::NodeProto &n, const Inputs &in) {
  if (in.size() != 3 || !in[0] || !in[1] || !in[2]) return fail(n, "needs three inputs");
  auto d1 = broadcastDims(in[0]->dims, in[1]->dims);
  if (!d1) return d1.takeError();
  auto dims = broadcastDims(*d1, in[2]->dims);
  if (!dims) return dims.takeError();
  const auto ic = broadcastIndex(in[0]->dims, *dims), ix = broadcastIndex(in[1]->dims, *dims),
             iy = broadcastIndex(in[2]->dims, *dims);
  HostTensor out = HostTensor::make(in[1]->type, *dims);
  for (size_t e = 0; e < ic.size(); ++e) {
    if (in[0]->getI(ic[e])) copyElem(*in[1], ix[e], out, e);
    else copyElem(*in[2], iy[e], out, e);
  }
  return one(std::move(out));
}

const llvm::StringMap<EvalFn> &table() {
  static const llvm::StringMap<EvalFn> t = {
      {"Constant", constant}, {"ConstantOfShape", constantOfShape}, {"Shape", shape},
      {"Gather", gather},     {"Unsqueeze", unsqueeze},             {"Squeeze", squeeze},
      {"Concat", concat},     {"Slice", slice},                     {"Cast", cast},
      {"Reshape", reshape},   {"Range", range},                     {"Add", binary},
      {"Sub", binary},        {"Mul", binary},                      {"Div", binary},
      {"Pow", binary},        {"Equal", binary},                    {"Where", where},
      {"Mod", binary},        {"Min", binary},                      {"Max", binary},
      {"ScatterND", scatterNd},
      {"Expand", expand},     {"Identity", unary},                  {"Transpose", transpose},
      {"Sqrt", unary},        {"Reciprocal", unary},                {"Neg", unary},
      {"Ceil", unary},        {"Floor", unary},                     {"Relu", unary},
      {"Abs", unary},
      {"Size", size},         {"EyeLike", eyeLike},
      {"Greater", binary},    {"Less", binary},                     {"GreaterOrEqual", binary},
      {"LessOrEqual", binary}, {"And", binary},                     {"Or", binary},
      {"Xor", binary},        {"Not", logicalNot},
  };
  return t;
}

}  // namespace

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node, llvm::StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t attrInt(const onnx::NodeProto &node, llvm::StringRef name, int64_t dflt) {
  const auto *a = findAttr(node, name);
  return a ? a->i() : dflt;
}

float attrFloat(const onnx::NodeProto &node, llvm::StringRef name, float dflt) {
  const auto *a = findAttr(node, name);
  return a ? a->f() : dflt;
}

std::vector<int64_t> attrInts(const onnx::NodeProto &node, llvm::StringRef name) {
  const auto *a = findAttr(node, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

std::vector<int64_t> attrIntsOr(const onnx::NodeProto &node, llvm::StringRef name,
                                std::vector<int64_t> dflt) {
  std::vector<int64_t> v = attrInts(node, name);
  return v.empty() ? dflt : v;
}

llvm::Expected<std::vector<int64_t>> broadcastDims(const std::vector<int64_t> &a,
                                                   const std::vector<int64_t> &b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t x = k + a.size() >= rank ? a[k + a.size() - rank] : 1;
    const int64_t y = k + b.size() >= rank ? b[k + b.size() - rank] : 1;
    if (x != y && x != 1 && y != 1)
      return makeError(ErrorCode::Internal, "shapes do not broadcast ({0} vs {1})", x, y);
    out[k] = x == 1 ? y : x;
  }
  return out;
}

bool canEvaluate(llvm::StringRef opType) { return table().count(opType) != 0; }

llvm::Expected<std::vector<HostTensor>> evaluateNode(const onnx::NodeProto &node, const Inputs &inputs) {
  auto it = table().find(node.op_type());
  if (it == table().end()) return fail(node, "op not in the host evaluator");
  if (!node.domain().empty() && node.domain() != "ai.onnx") return fail(node, "custom domain");
  for (const HostTensor *t : inputs)
    if (t && !isHostSupportedType(t->type)) return fail(node, "unsupported input type");
  return it->second(node, inputs);
}

}  // namespace pfcomp::import
