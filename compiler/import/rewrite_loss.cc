// ONNX-level rewrites of ops that index with a run-time integer tensor, into device ops:
// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, GatherElements, ScatterElements (Scatter)
// OneHot, GatherND, ScatterND, ReverseSequence and MaxUnpool.
//
// The device has no per-element indirect read, so the index selects through a one-hot mask: the
// indices, cast to the float type (exact for any class count below 2^24, 2^11 in half), are
// compared with a constant iota over the indexed axis (Equal), and Where / Mul with the mask then
// ReduceSum over that axis picks the element. This costs one pass over (indices x axis length)
// elements, which is small for the class axis of a loss; the run-time Gather's indirect DMA
// (one index per axis, whole rows) cannot express a different index per element.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

#include <numeric>

namespace pfcomp::import {
namespace {

std::string stringAttr(const onnx::NodeProto &n, llvm::StringRef name, const std::string &dflt) {
  const onnx::AttributeProto *a = findAttr(n, name);
  return a ? a->s() : dflt;
}

std::string castTo(NodeBuilder &b, const std::string &x, int32_t type) {
  onnx::NodeProto &cast = b.node("Cast", {x});
  setAttr(cast, "to", static_cast<int64_t>(type));
  return cast.output(0);
}

// [1, .., len at `axis`, .., 1] (rank `rank`) holding 0, 1, .., len-1 in `type`.
std::string iota(NodeBuilder &b, int64_t len, int64_t axis, size_t rank, int32_t type, double shift = 0) {
  std::vector<int64_t> dims(rank, 1);
  dims[axis] = len;
  HostTensor t = HostTensor::make(type, dims);
  for (int64_t k = 0; k < len; ++k) t.f[k] = k + shift;
  return b.tensor(t);
}

// The float mask [N, C, d..] of class `target[n, d..]` (int, [N, d..]) over C classes: 1 where
// the class is the target, 0 elsewhere and where the target is `ignoreIndex`.
std::string classMask(NodeBuilder &b, const std::string &target, const std::vector<int64_t> &inDims,
                      int32_t type, bool hasIgnore, int64_t ignoreIndex) {
  const int64_t classes = inDims[1];
  std::vector<int64_t> withAxis = inDims;
  withAxis[1] = 1;
  const std::string t = b.reshape(castTo(b, target, type), withAxis);
  std::string mask = castTo(b, b.op("Equal", {t, iota(b, classes, 1, inDims.size(), type)}), type);
  // An ignore_index outside [0, C) matches no class already.
  if (hasIgnore && ignoreIndex >= 0 && ignoreIndex < classes) {
    const std::string hit = b.op("Equal", {t, b.scalar(static_cast<double>(ignoreIndex), type)});
    mask = b.op("Mul", {mask, castTo(b, b.op("Not", {hit}), type)});
  }
  return mask;
}

// loss[n, d..] = -logp[n, t, d..] * w[t] (0 where t == ignore_index); reduction none | sum |
// mean (divided by the sum of the selected weights, the count of kept targets without weights).
bool nllFrom(NodeBuilder &b, const onnx::NodeProto &n, const std::string &logp,
             const std::vector<int64_t> &inDims, int32_t type, const std::string &target,
             const std::string &weight, const std::string &outName) {
  const std::string reduction = stringAttr(n, "reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean") return false;
  const onnx::AttributeProto *ii = findAttr(n, "ignore_index");
  std::string w = classMask(b, target, inDims, type, ii != nullptr, ii ? ii->i() : 0);
  if (!weight.empty()) {
    std::vector<int64_t> wDims(inDims.size(), 1);
    wDims[1] = inDims[1];
    w = b.op("Mul", {w, b.reshape(weight, wDims)});
  }
  const std::string picked = b.reduceSum(b.op("Mul", {logp, w}), {1}, true, 0);
  if (reduction == "none") {
    b.op("Neg", {picked}, outName);
    return true;
  }
  const std::string total = b.reduceSum(picked, {}, false, 0);
  if (reduction == "sum") {
    b.op("Neg", {total}, outName);
    return true;
  }
  const std::string count = b.reduceSum(w, {}, false, 0);
  b.op("Div", {b.op("Neg", {total}), count}, outName);
  return true;
}

// The mask [.., I, D, ..] (D inserted after `axis` of the indices' shape) of indices that name
// position d of an axis of length D, negative indices counting from the end.
std::string indexMask(NodeBuilder &b, const std::string &indices, std::vector<int64_t> idxDims,
                      int64_t axis, int64_t len, int32_t type) {
  const size_t rank = idxDims.size() + 1;
  idxDims.insert(idxDims.begin() + axis + 1, 1);
  const std::string i = b.reshape(castTo(b, indices, type), idxDims);
  const std::string hit = b.op("Equal", {i, iota(b, len, axis + 1, rank, type)});
  const std::string hitNeg = b.op("Equal", {i, iota(b, len, axis + 1, rank, type, -len)});
  return b.op("Or", {hit, hitNeg});
}

bool floatInput(RewriteContext &c, const std::string &name, std::vector<int64_t> &dims, int32_t &type) {
  const ValueType *t = c.staticType(name);
  if (!t || t->dims.size() < 2 || !isOnnxFloatType(t->elem_type)) return false;
  dims = t->dims, type = t->elem_type;
  return true;
}

}  // namespace

bool rewriteLoss(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  std::vector<int64_t> dims;
  int32_t type;
  if (n.input_size() < 2 || n.output_size() < 1 || !floatInput(c, n.input(0), dims, type)) return false;
  const std::string weight = n.input_size() > 2 ? n.input(2) : "";
  NodeBuilder b(c, n, out);
  std::string logp = n.input(0);
  if (n.op_type() == "SoftmaxCrossEntropyLoss") {
    const bool wantLogProb = n.output_size() > 1 && c.isUsed(n.output(1));
    onnx::NodeProto &ls = b.node("LogSoftmax", {n.input(0)}, wantLogProb ? n.output(1) : "");
    setAttr(ls, "axis", static_cast<int64_t>(1));
    logp = ls.output(0);
  }
  return nllFrom(b, n, logp, dims, type, n.input(1), weight, n.output(0));
}

// out[.., i, ..] = data[.., indices[.., i, ..], ..] along `axis`: data gets a new axis before
// `axis` (-> [.., 1, D, ..]), the indices one after it (-> [.., I, 1, ..]); the mask [.., I, D, ..]
// compares them with iota (and iota - D, for negative indices), Where selects, ReduceSum over D.
bool rewriteGatherElements(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  std::vector<int64_t> dims;
  int32_t type;
  const ValueType *idx = n.input_size() == 2 ? c.staticType(n.input(1)) : nullptr;
  if (!idx || n.output_size() != 1 || !floatInput(c, n.input(0), dims, type) ||
      idx->dims.size() != dims.size())
    return false;
  const int64_t rank = dims.size();
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return false;
  NodeBuilder b(c, n, out);
  // Off the axis, indices may be shorter than data: those positions read data's leading part.
  std::string data = n.input(0);
  for (int64_t a = 0; a < rank; ++a) {
    if (a == axis || idx->dims[a] == dims[a]) continue;
    if (idx->dims[a] > dims[a]) return false;
    data = b.slice(data, a, 0, idx->dims[a]);
    dims[a] = idx->dims[a];
  }
  const int64_t len = dims[axis];
  std::vector<int64_t> dataE = dims;
  dataE.insert(dataE.begin() + axis, 1);
  const std::string mask = indexMask(b, n.input(1), idx->dims, axis, len, type);
  const std::string picked = b.op("Where", {mask, b.reshape(data, dataE), b.scalar(0.0, type)});
  b.reduceSum(picked, {axis + 1}, true, 0, n.output(0));
  return true;
}

// ScatterElements (and opset 9-10 Scatter) with reduction none or add: the mask [.., I, D, ..]
// spreads each update over the positions it names (ReduceSum over I); positions no index names
// keep the data. Indices must match the data off the axis (ONNX allows them shorter there).
bool rewriteScatterElements(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  std::vector<int64_t> dims;
  int32_t type;
  const ValueType *idx = n.input_size() == 3 ? c.staticType(n.input(1)) : nullptr;
  if (!idx || n.output_size() != 1 || !floatInput(c, n.input(0), dims, type) ||
      idx->dims.size() != dims.size())
    return false;
  const std::string reduction = stringAttr(n, "reduction", "none");
  if (reduction != "none" && reduction != "add") return false;
  const int64_t rank = dims.size();
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return false;
  for (int64_t a = 0; a < rank; ++a)
    if (a != axis && idx->dims[a] != dims[a]) return false;
  NodeBuilder b(c, n, out);
  const std::string mask = indexMask(b, n.input(1), idx->dims, axis, dims[axis], type);
  std::vector<int64_t> updE = idx->dims;
  updE.insert(updE.begin() + axis + 1, 1);
  const std::string spread = b.op("Where", {mask, b.reshape(n.input(2), updE), b.scalar(0.0, type)});
  const std::string sum = b.reduceSum(spread, {axis}, true, 0);
  if (reduction == "add") {
    b.op("Add", {n.input(0), sum}, n.output(0));
    return true;
  }
  const std::string count = b.reduceSum(castTo(b, mask, type), {axis}, true, 0);
  const std::string written = b.op("Greater", {count, b.scalar(0.0, type)});
  b.op("Where", {written, sum, n.input(0)}, n.output(0));
  return true;
}

// OneHot(indices, depth, values): values[1] where the (possibly negative) index names the
// position on the new axis, values[0] elsewhere. depth and values must be constants.
bool rewriteOneHot(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  HostTensor depth, values;
  const ValueType *idx = n.input_size() == 3 ? c.staticType(n.input(0)) : nullptr;
  if (!idx || n.output_size() != 1 || !c.constant(n.input(1), depth) || depth.numElements() != 1 ||
      !c.constant(n.input(2), values) || values.numElements() != 2)
    return false;
  const int64_t len = static_cast<int64_t>(depth.getF(0));
  const int64_t rank = idx->dims.size() + 1;
  int64_t axis = attrInt(n, "axis", -1);
  if (axis < 0) axis += rank;
  if (len < 1 || axis < 0 || axis >= rank) return false;
  // The mask is built with the new axis after `axis - 1` of the indices.
  NodeBuilder b(c, n, out);
  const int32_t maskType = onnx::TensorProto::FLOAT;
  std::vector<int64_t> idxDims = idx->dims;
  idxDims.insert(idxDims.begin() + axis, 1);
  const std::string i = b.reshape(castTo(b, n.input(0), maskType), idxDims);
  const std::string hit = b.op("Equal", {i, iota(b, len, axis, rank, maskType)});
  const std::string hitNeg = b.op("Equal", {i, iota(b, len, axis, rank, maskType, -len)});
  const std::string mask = b.op("Or", {hit, hitNeg});
  b.op("Where", {mask, b.scalar(values.getF(1), values.type), b.scalar(values.getF(0), values.type)},
       n.output(0));
  return true;
}

// GatherND(data, indices [b.., m.., k], batch_dims): each index tuple becomes a linear position
// over the batch and first k data axes (negative components counted from the end); the mask
// [rows, positions] selects with Where and ReduceSum (integer data included).
bool rewriteGatherNd(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *data = n.input_size() == 2 ? c.staticType(n.input(0)) : nullptr;
  const ValueType *idx = data ? c.staticType(n.input(1)) : nullptr;
  if (!data || !idx || n.output_size() != 1 || idx->dims.empty()) return false;
  const int64_t bd = attrInt(n, "batch_dims", 0), k = idx->dims.back();
  const int64_t dRank = data->dims.size(), iRank = idx->dims.size();
  if (bd < 0 || bd >= iRank || k < 1 || bd + k > dRank) return false;
  auto prod = [](const std::vector<int64_t> &d, int64_t from, int64_t to) {
    int64_t p = 1;
    for (int64_t a = from; a < to; ++a) p *= d[a];
    return p;
  };
  const int64_t batches = prod(data->dims, 0, bd), rows = prod(idx->dims, bd, iRank - 1);
  const int64_t positions = prod(data->dims, bd, bd + k), rest = prod(data->dims, bd + k, dRank);
  const int32_t f = onnx::TensorProto::FLOAT;
  NodeBuilder b(c, n, out);
  const std::string ind = b.reshape(castTo(b, n.input(1), f), {batches, rows, k});
  // Batch b's positions start at b * positions.
  HostTensor offsets = HostTensor::make(f, {batches, 1, 1});
  for (int64_t i = 0; i < batches; ++i) offsets.f[i] = static_cast<double>(i * positions);
  std::string linear = b.tensor(offsets);
  int64_t stride = positions;
  for (int64_t j = 0; j < k; ++j) {
    const int64_t len = data->dims[bd + j];
    stride /= len;
    std::string comp = b.slice(ind, 2, j, j + 1);
    const std::string negative = castTo(b, b.op("Less", {comp, b.scalar(0, f)}), f);
    comp = b.op("Add", {comp, b.op("Mul", {negative, b.scalar(static_cast<double>(len), f)})});
    linear = b.op("Add", {linear, b.op("Mul", {comp, b.scalar(static_cast<double>(stride), f)})});
  }
  const int64_t all = batches * positions;
  const std::string mask = b.op("Equal", {b.reshape(linear, {batches * rows, 1, 1}), iota(b, all, 1, 3, f)});
  const std::string table = b.reshape(n.input(0), {1, all, rest});
  const std::string picked = b.op("Where", {mask, table, b.scalar(0, data->elem_type)});
  std::vector<int64_t> outDims(idx->dims.begin(), idx->dims.end() - 1);
  outDims.insert(outDims.end(), data->dims.begin() + bd + k, data->dims.end());
  b.reshape(b.reduceSum(picked, {1}, true, 0), outDims, n.output(0));
  return true;
}

// ScatterND(data, indices [.., k], updates) with reduction none, add or mul: each index tuple's
// linear position over data's first k axes; the mask [M, P, 1] spreads the updates [M, 1, R].
bool rewriteScatterNd(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *data = n.input_size() == 3 ? c.staticType(n.input(0)) : nullptr;
  const ValueType *idx = data ? c.staticType(n.input(1)) : nullptr;
  if (!data || !idx || n.output_size() != 1 || idx->dims.empty()) return false;
  const std::string reduction = stringAttr(n, "reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul") return false;
  const int64_t k = idx->dims.back(), dRank = data->dims.size();
  if (k < 1 || k > dRank) return false;
  int64_t rows = 1, positions = 1, rest = 1;
  for (size_t a = 0; a + 1 < idx->dims.size(); ++a) rows *= idx->dims[a];
  for (int64_t a = 0; a < dRank; ++a) (a < k ? positions : rest) *= data->dims[a];
  const int32_t f = onnx::TensorProto::FLOAT, type = data->elem_type;
  NodeBuilder b(c, n, out);
  const std::string ind = b.reshape(castTo(b, n.input(1), f), {rows, k});
  std::string linear = b.scalar(0, f);
  int64_t stride = positions;
  for (int64_t j = 0; j < k; ++j) {
    stride /= data->dims[j];
    std::string comp = b.slice(ind, 1, j, j + 1);
    const std::string negative = castTo(b, b.op("Less", {comp, b.scalar(0, f)}), f);
    comp = b.op("Add", {comp, b.op("Mul", {negative, b.scalar(static_cast<double>(data->dims[j]), f)})});
    linear = b.op("Add", {linear, b.op("Mul", {comp, b.scalar(static_cast<double>(stride), f)})});
  }
  const std::string mask = b.op("Equal", {b.reshape(linear, {rows, 1, 1}), iota(b, positions, 1, 3, f)});
  const std::string upd = b.reshape(n.input(2), {rows, 1, rest});
  const std::string table = b.reshape(n.input(0), {positions, rest});
  std::string result;
  if (reduction == "mul") {
    onnx::NodeProto &p = b.node("ReduceProd", {b.op("Where", {mask, upd, b.scalar(1, type)})});
    setAttr(p, "axes", std::vector<int64_t>{0});
    setAttr(p, "keepdims", static_cast<int64_t>(0));
    result = b.op("Mul", {table, p.output(0)});
  } else {
    const std::string sum = b.reduceSum(b.op("Where", {mask, upd, b.scalar(0, type)}), {0}, true, 0);
    if (reduction == "add") {
      result = b.op("Add", {table, sum});
    } else {
      const std::string hits = b.reduceSum(castTo(b, mask, f), {0}, true, 0);
      result = b.op("Where", {b.op("Greater", {hits, b.scalar(0, f)}), sum, table});
    }
  }
  b.reshape(result, data->dims, n.output(0));
  return true;
}

// ReverseSequence: with the batch and time axes moved first ([B, T, R]), output step t of
// sequence b reads step L_b - 1 - t when t < L_b and step t otherwise, through a [B, T, T] mask.
bool rewriteReverseSequence(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 2 ? c.staticType(n.input(0)) : nullptr;
  if (!x || n.output_size() != 1 || x->dims.size() < 2) return false;
  const int64_t rank = x->dims.size();
  const int64_t batchAxis = attrInt(n, "batch_axis", 1), timeAxis = attrInt(n, "time_axis", 0);
  if (batchAxis == timeAxis || batchAxis < 0 || timeAxis < 0 || batchAxis >= rank || timeAxis >= rank) return false;
  std::vector<int64_t> perm{batchAxis, timeAxis}, moved{x->dims[batchAxis], x->dims[timeAxis]};
  int64_t rest = 1;
  for (int64_t a = 0; a < rank; ++a)
    if (a != batchAxis && a != timeAxis) perm.push_back(a), moved.push_back(x->dims[a]), rest *= x->dims[a];
  std::vector<int64_t> inverse(rank);
  for (int64_t a = 0; a < rank; ++a) inverse[perm[a]] = a;
  const int64_t batch = moved[0], steps = moved[1];
  const int32_t f = onnx::TensorProto::FLOAT;
  NodeBuilder b(c, n, out);
  const std::string x3 = b.reshape(b.transpose(n.input(0), perm), {batch, 1, steps, rest});
  const std::string len = b.reshape(castTo(b, n.input(1), f), {batch, 1});
  const std::string t = iota(b, steps, 1, 2, f);  // [1, T]
  const std::string reversed = b.op("Sub", {b.op("Sub", {len, b.scalar(1, f)}), t});
  const std::string src = b.op("Where", {b.op("Less", {t, len}), reversed, t});  // [B, T]
  const std::string mask = b.op("Equal", {b.reshape(src, {batch, steps, 1, 1}), iota(b, steps, 2, 4, f)});
  const std::string picked = b.reduceSum(b.op("Where", {mask, x3, b.scalar(0, x->elem_type)}), {2}, true, 0);
  b.transpose(b.reshape(picked, moved), inverse, n.output(0));
  return true;
}

// MaxUnpool: each input value goes to the output position its index names (indices are flat
// over the whole output, as MaxPool's Indices); the output shape is the static one of the
// model (output_shape, when given, only restates it).
bool rewriteMaxUnpool(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() >= 2 ? c.staticType(n.input(0)) : nullptr;
  const ValueType *y = n.output_size() == 1 ? c.staticType(n.output(0)) : nullptr;
  if (!x || !y || !isOnnxFloatType(x->elem_type)) return false;
  int64_t values = 1, positions = 1;
  for (int64_t d : x->dims) values *= d;
  for (int64_t d : y->dims) positions *= d;
  const int32_t f = onnx::TensorProto::FLOAT;
  NodeBuilder b(c, n, out);
  std::string at = b.reshape(castTo(b, n.input(1), f), {values, 1});
  // The indices count positions of the default output ((in - 1) * stride - pads + kernel); a
  // larger output_shape keeps each value's coordinates, so they are re-flattened for it.
  const std::vector<int64_t> kernel = attrInts(n, "kernel_shape"), pads = attrInts(n, "pads");
  std::vector<int64_t> strides = attrInts(n, "strides"), dflt = x->dims;
  const size_t spatial = x->dims.size() - 2;
  if (kernel.size() != spatial) return false;
  strides.resize(spatial, 1);
  for (size_t d = 0; d < spatial; ++d)
    dflt[d + 2] = (x->dims[d + 2] - 1) * strides[d] + kernel[d] -
                  (pads.size() == 2 * spatial ? pads[d] + pads[spatial + d] : 0);
  if (dflt != y->dims) {
    std::string rest = at, flat = b.scalar(0, f);
    for (size_t a = 0; a < dflt.size(); ++a) {
      int64_t from = 1, to = 1;
      for (size_t k = a + 1; k < dflt.size(); ++k) from *= dflt[k], to *= y->dims[k];
      const std::string coord = b.op("Floor", {b.op("Div", {rest, b.scalar(static_cast<double>(from), f)})});
      rest = b.op("Sub", {rest, b.op("Mul", {coord, b.scalar(static_cast<double>(from), f)})});
      flat = b.op("Add", {flat, b.op("Mul", {coord, b.scalar(static_cast<double>(to), f)})});
    }
    at = flat;
  }
  const std::string mask = b.op("Equal", {at, iota(b, positions, 1, 2, f)});
  const std::string spread = b.op("Where", {mask, b.reshape(n.input(0), {values, 1}), b.scalar(0, x->elem_type)});
  b.reshape(b.reduceSum(spread, {0}, true, 0), y->dims, n.output(0));
  return true;
}

}  // namespace pfcomp::import
