// ONNX-level rewrites of ops the device runs as compositions: Einsum (matmul-like equations),
// variadic Sum / Mean / Max / Min, DepthToSpace / SpaceToDepth, Tile with constant repeats and
// ReduceL1 / L2 / SumSquare / LogSumExp / LogSum.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"
#include "support/error.h"

#include <algorithm>

namespace pfcomp::import {
namespace {

int64_t product(const std::vector<int64_t> &dims, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t k = from; k < dims.size() && k < to; ++k) p *= dims[k];
  return p;
}

bool isIdentityPerm(const std::vector<int64_t> &perm) {
  for (size_t k = 0; k < perm.size(); ++k)
    if (perm[k] != static_cast<int64_t>(k)) return false;
  return true;
}

// Transposes `x` (letters `have`) into the order `want`; no node when already in order.
std::string ordered(NodeBuilder &b, const std::string &x, const std::string &have, const std::string &want) {
  std::vector<int64_t> perm;
  for (char l : want) perm.push_back(have.find(l));
  return isIdentityPerm(perm) ? x : b.transpose(x, perm);
}

std::string reshaped(NodeBuilder &b, const std::string &x, const std::vector<int64_t> &have,
                     const std::vector<int64_t> &want, const std::string &outName = "") {
  if (have == want && outName.empty()) return x;
  return b.reshape(x, want, outName);
}

llvm::Error refuseEinsum(const onnx::NodeProto &n, const std::string &eq, const llvm::Twine &why) {
  return makeError(ErrorCode::UnsupportedOp, "{0} (Einsum '{1}') cannot run on the device: {2}", n.name(),
                   eq, why.str());
}

}  // namespace

// Two operands: letters are batch (both inputs and the output), contracted (both inputs only),
// or free (one input and the output). A -> [batch, M, K], B -> [batch, K, N], MatMul, then the
// output's order. One operand: a transpose.
llvm::Expected<bool> rewriteEinsum(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const onnx::AttributeProto *eqAttr = findAttr(n, "equation");
  if (!eqAttr || n.input_size() < 1 || n.input_size() > 2) return false;
  std::string eq;
  for (char ch : eqAttr->s())
    if (ch != ' ') eq += ch;
  // One operand's "...": its leading axes, named with letters the equation does not use.
  if (eq.find("...") != std::string::npos) {
    const ValueType *t = n.input_size() == 1 ? c.staticType(n.input(0)) : nullptr;
    const std::string term = eq.substr(0, eq.find("->"));
    if (!t) return refuseEinsum(n, eq, "ellipsis ('...') is supported with one operand only");
    const int64_t extra = static_cast<int64_t>(t->dims.size()) - static_cast<int64_t>(term.size() - 3);
    std::string letters;
    for (char l = 'A'; l <= 'Z' && static_cast<int64_t>(letters.size()) < extra; ++l)
      if (eq.find(l) == std::string::npos) letters += l;
    if (extra < 0 || static_cast<int64_t>(letters.size()) != extra) return false;
    for (size_t at; (at = eq.find("...")) != std::string::npos;) eq.replace(at, 3, letters);
  }
  const size_t arrow = eq.find("->");
  std::vector<std::string> ins;
  llvm::SmallVector<llvm::StringRef, 2> parts;
  llvm::StringRef(eq).substr(0, arrow).split(parts, ',');
  for (auto p : parts) ins.push_back(p.str());
  std::string res;
  if (arrow != std::string::npos) {
    res = eq.substr(arrow + 2);
  } else {  // implicit output: letters seen once, in alphabetical order
    std::string all;
    for (const auto &s : ins) all += s;
    for (char l = 'A'; l <= 'z'; ++l)
      if (std::count(all.begin(), all.end(), l) == 1) res += l;
  }
  if (static_cast<int>(ins.size()) != n.input_size()) return false;
  std::vector<std::vector<int64_t>> dims;
  for (int k = 0; k < n.input_size(); ++k) {
    const ValueType *t = c.staticType(n.input(k));
    if (!t || t->dims.size() != ins[k].size()) return false;
    for (char l : ins[k])
      if (std::count(ins[k].begin(), ins[k].end(), l) != 1 && n.input_size() != 1)
        return refuseEinsum(n, eq, "a repeated letter (diagonal) is supported with one operand only");
    dims.push_back(t->dims);
  }
  NodeBuilder b(c, n, out);
  auto sizeOf = [&](char l) {
    for (size_t k = 0; k < ins.size(); ++k)
      if (size_t p = ins[k].find(l); p != std::string::npos) return dims[k][p];
    return int64_t(1);
  };
  if (ins.size() == 1) {  // diagonals, then letters missing from the output summed, a transpose
    std::string term = ins[0], x = n.input(0);
    std::vector<int64_t> shape = dims[0];
    // A repeated letter takes the diagonal: times the identity over its two axes, summed over one.
    for (size_t p = 0; p < term.size(); ++p) {
      const size_t q = term.find(term[p], p + 1);
      if (q == std::string::npos) continue;
      if (shape[p] != shape[q]) return refuseEinsum(n, eq, "a repeated letter has different sizes");
      std::vector<int64_t> eyeDims(shape.size(), 1);
      eyeDims[p] = eyeDims[q] = shape[p];
      HostTensor eye = HostTensor::make(c.staticType(n.input(0))->elem_type, eyeDims);
      for (int64_t i = 0; i < shape[p]; ++i) eye.f[i * shape[p] + i] = 1;
      if (!eye.isFloat()) return false;
      x = b.reduceSum(b.op("Mul", {x, b.tensor(eye)}), {static_cast<int64_t>(q)}, true, 0);
      term.erase(q, 1);
      shape.erase(shape.begin() + q);
      --p;
    }
    ins[0] = term;
    std::string kept;
    std::vector<int64_t> summed;
    for (size_t p = 0; p < ins[0].size(); ++p)
      (res.find(ins[0][p]) == std::string::npos ? summed.push_back(p), void() : kept.push_back(ins[0][p]));
    if (kept.size() != res.size() || !std::is_permutation(res.begin(), res.end(), kept.begin()))
      return refuseEinsum(n, eq, "an output letter is in no operand");
    if (!summed.empty()) x = b.reduceSum(x, summed, true, 0, kept == res ? n.output(0) : "");
    if (kept == res) {
      if (summed.empty()) b.op("Identity", {x}, n.output(0));
      return true;
    }
    std::vector<int64_t> perm;
    for (char l : res) perm.push_back(kept.find(l));
    b.transpose(x, perm, n.output(0));
    return true;
  }
  const std::string &A = ins[0], &B = ins[1];
  std::string batch, contracted, freeA, freeB;
  for (char l : A) {
    const bool inB = B.find(l) != std::string::npos, inOut = res.find(l) != std::string::npos;
    if (inB && inOut) batch += l;
    else if (inB) contracted += l;
    else if (inOut) freeA += l;
    else return refuseEinsum(n, eq, std::string("letter '") + l + "' is summed within one operand");
  }
  for (char l : B) {
    const bool inA = A.find(l) != std::string::npos, inOut = res.find(l) != std::string::npos;
    if (!inA && inOut) freeB += l;
    else if (!inA) return refuseEinsum(n, eq, std::string("letter '") + l + "' is summed within one operand");
  }
  for (char l : res)
    if (A.find(l) == std::string::npos && B.find(l) == std::string::npos)
      return refuseEinsum(n, eq, std::string("output letter '") + l + "' is in no operand");
  for (char l : batch + contracted)
    if (dims[0][A.find(l)] != dims[1][B.find(l)])
      return refuseEinsum(n, eq, std::string("letter '") + l + "' has different sizes (broadcasting is not supported)");
  std::vector<int64_t> bd, fa, fb, kd;
  for (char l : batch) bd.push_back(sizeOf(l));
  for (char l : freeA) fa.push_back(sizeOf(l));
  for (char l : freeB) fb.push_back(sizeOf(l));
  for (char l : contracted) kd.push_back(sizeOf(l));
  const int64_t M = product(fa), N = product(fb), K = product(kd), Bp = product(bd);
  auto lead = [&](std::vector<int64_t> tail) {
    if (!batch.empty()) tail.insert(tail.begin(), Bp);
    return tail;
  };
  auto orderedDims = [&](const std::string &letters) {
    std::vector<int64_t> d;
    for (char l : letters) d.push_back(sizeOf(l));
    return d;
  };
  const std::string a = reshaped(b, ordered(b, n.input(0), A, batch + freeA + contracted),
                                 orderedDims(batch + freeA + contracted), lead({M, K}));
  const std::string bm = reshaped(b, ordered(b, n.input(1), B, batch + contracted + freeB),
                                  orderedDims(batch + contracted + freeB), lead({K, N}));
  const std::string mm = b.op("MatMul", {a, bm});
  const std::string natural = batch + freeA + freeB;
  if (natural == res) {
    reshaped(b, mm, lead({M, N}), orderedDims(natural), n.output(0));
  } else {
    const std::string full = reshaped(b, mm, lead({M, N}), orderedDims(natural));
    std::vector<int64_t> perm;
    for (char l : res) perm.push_back(natural.find(l));
    b.transpose(full, perm, n.output(0));
  }
  return true;
}

// Sum / Mean / Max / Min of n inputs: a chain of binary ops (Mean: Add chain times 1/n).
bool rewriteVariadic(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() < 1 || n.output_size() != 1) return false;
  const ValueType *t = c.staticType(n.output(0));
  if (!t) return false;
  NodeBuilder b(c, n, out);
  const std::string &op = n.op_type();
  const std::string bin = op == "Sum" || op == "Mean" ? "Add" : op;
  const bool mean = op == "Mean" && n.input_size() > 1;
  std::string acc = n.input(0);
  if (n.input_size() == 1) {
    b.op("Identity", {acc}, n.output(0));
    return true;
  }
  for (int k = 1; k < n.input_size(); ++k)
    acc = b.op(bin, {acc, n.input(k)}, k + 1 == n.input_size() && !mean ? n.output(0) : "");
  if (mean) b.op("Mul", {acc, b.scalar(1.0 / n.input_size(), t->elem_type)}, n.output(0));
  return true;
}

// DepthToSpace (DCR, CRD) and SpaceToDepth on NCHW as Reshape -> Transpose -> Reshape.
bool rewriteDepthSpace(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = c.staticType(n.input(0));
  const int64_t bs = attrInt(n, "blocksize", 0);
  if (!x || x->dims.size() != 4 || bs < 1) return false;
  const int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
  NodeBuilder b(c, n, out);
  if (n.op_type() == "DepthToSpace") {
    if (C % (bs * bs)) return false;
    const onnx::AttributeProto *m = findAttr(n, "mode");
    const bool crd = m && m->s() == "CRD";
    const int64_t Co = C / (bs * bs);
    const std::string r = crd ? b.reshape(n.input(0), {N, Co, bs, bs, H, W}) : b.reshape(n.input(0), {N, bs, bs, Co, H, W});
    const std::string t = b.transpose(r, crd ? std::vector<int64_t>{0, 1, 4, 2, 5, 3} : std::vector<int64_t>{0, 3, 4, 1, 5, 2});
    b.reshape(t, {N, Co, H * bs, W * bs}, n.output(0));
  } else {
    if (H % bs || W % bs) return false;
    const std::string r = b.reshape(n.input(0), {N, C, H / bs, bs, W / bs, bs});
    const std::string t = b.transpose(r, {0, 3, 5, 1, 2, 4});
    b.reshape(t, {N, C * bs * bs, H / bs, W / bs}, n.output(0));
  }
  return true;
}

// Tile with constant repeats: per repeated axis a Concat of copies.
bool rewriteTile(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  HostTensor reps;
  const ValueType *x = c.staticType(n.input(0));
  if (n.input_size() < 2 || !x || !c.constant(n.input(1), reps) || reps.isFloat() ||
      reps.numElements() != static_cast<int64_t>(x->dims.size()))
    return false;
  int last = -1;
  for (int64_t a = 0; a < reps.numElements(); ++a)
    if (reps.i[a] != 1) last = a;
  NodeBuilder b(c, n, out);
  std::string acc = n.input(0);
  if (last < 0) {
    b.op("Identity", {acc}, n.output(0));
    return true;
  }
  for (int64_t a = 0; a <= last; ++a) {
    if (reps.i[a] == 1) continue;
    if (reps.i[a] < 1) return false;
    acc = b.concat(std::vector<std::string>(reps.i[a], acc), a, a == last ? n.output(0) : "");
  }
  return true;
}

// ReduceL1 = ReduceSum(|x|), ReduceL2 = sqrt(ReduceSum(x·x)), ReduceSumSquare = ReduceSum(x·x),
// ReduceLogSum = log(ReduceSum(x)), ReduceLogSumExp = log(ReduceSum(exp(x - m))) + m with
// m = ReduceMax(x) (the shift keeps exp from overflowing, as onnxruntime computes it).
bool rewriteReduce(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const std::string &op = n.op_type();
  if (n.input_size() < 1 || n.output_size() != 1) return false;
  std::vector<int64_t> axes;
  bool hasAxes = false;
  if (n.input_size() > 1 && !n.input(1).empty()) {  // opset 18: axes input
    HostTensor t;
    if (!c.constant(n.input(1), t) || t.isFloat()) return false;
    axes = t.i, hasAxes = true;
  } else if (findAttr(n, "axes")) {
    axes = attrInts(n, "axes"), hasAxes = true;
  }
  if (hasAxes && axes.empty() && attrInt(n, "noop_with_empty_axes", 0)) return false;
  if (hasAxes && axes.empty()) hasAxes = false;  // empty = all axes
  const int64_t keepdims = attrInt(n, "keepdims", 1);
  const ValueType *y = c.staticType(n.output(0));
  if (op == "ReduceLogSumExp" && (!y || (c.opset >= 18 && hasAxes))) return false;
  NodeBuilder b(c, n, out);
  std::string x = n.input(0), shift;
  if (op == "ReduceL1") {
    x = b.op("Abs", {x});
  } else if (op == "ReduceL2" || op == "ReduceSumSquare") {
    x = b.op("Mul", {x, x});
  } else if (op == "ReduceLogSumExp") {
    onnx::NodeProto &max = b.node("ReduceMax", {x});
    if (hasAxes) setAttr(max, "axes", axes);
    setAttr(max, "keepdims", int64_t(1));
    shift = max.output(0);
    x = b.op("Exp", {b.op("Sub", {x, shift})});
    if (!keepdims) shift = b.reshape(shift, y->dims);
  }
  const bool post = op == "ReduceL2" || op == "ReduceLogSumExp" || op == "ReduceLogSum";
  const std::string sum = b.reduceSum(x, axes, hasAxes, keepdims, post ? "" : n.output(0));
  if (op == "ReduceL2") b.op("Sqrt", {sum}, n.output(0));
  else if (op == "ReduceLogSum") b.op("Log", {sum}, n.output(0));
  else if (op == "ReduceLogSumExp") b.op("Add", {b.op("Log", {sum}), shift}, n.output(0));
  return true;
}

// LayerNormalization whose Mean / InvStdDev outputs are read: the device's layernorm kernel
// gives Y only, so the whole op becomes reductions and elementwise ops that yield all three.
bool rewriteLayerNormStats(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  bool stats = false;
  for (int k = 1; k < n.output_size(); ++k) stats |= c.isUsed(n.output(k));
  const ValueType *x = n.input_size() ? c.staticType(n.input(0)) : nullptr;
  if (!stats || !x) return false;
  const int64_t rank = x->dims.size();
  int64_t axis = attrInt(n, "axis", -1);
  if (axis < 0) axis += rank;
  std::vector<int64_t> axes;
  for (int64_t a = axis; a < rank; ++a) axes.push_back(a);
  NodeBuilder b(c, n, out);
  auto mean = [&](const std::string &v, const std::string &name) {
    onnx::NodeProto &m = b.node("ReduceMean", {v}, name);
    setAttr(m, "axes", axes);
    setAttr(m, "keepdims", int64_t(1));
    return m.output(0);
  };
  const std::string mu = mean(n.input(0), n.output_size() > 1 && c.isUsed(n.output(1)) ? n.output(1) : "");
  const std::string d = b.op("Sub", {n.input(0), mu});
  const std::string var = mean(b.op("Mul", {d, d}), "");
  const std::string eps = b.scalar(attrFloat(n, "epsilon", 1e-5f), onnx::TensorProto::FLOAT);
  const std::string inv = b.op("Reciprocal", {b.op("Sqrt", {b.op("Add", {var, eps})})},
                               n.output_size() > 2 && c.isUsed(n.output(2)) ? n.output(2) : "");
  const bool bias = n.input_size() > 2 && !n.input(2).empty();
  std::string y = b.op("Mul", {b.op("Mul", {d, inv}), n.input(1)}, bias ? "" : n.output(0));
  if (bias) b.op("Add", {y, n.input(2)}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
