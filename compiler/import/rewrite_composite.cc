// ONNX-level decompositions of ops the device has no kernel for into ops it has: Celu,
// MeanVarianceNormalization, LRN (the channel window sum as a 1x1 Conv with a band matrix),
// Pad in edge / reflect mode with constant pads (Slices and a Concat per axis) and Det of 2x2 /
// 3x3 matrices (the cofactor formula), and DFT as MatMuls with constant cos / sin matrices.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

#include <cmath>
#include <numeric>

namespace pfcomp::import {
namespace {

int64_t product(const std::vector<int64_t> &dims, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t k = from; k < to && k < dims.size(); ++k) p *= dims[k];
  return p;
}

const ValueType *floatValue(RewriteContext &c, const std::string &name) {
  const ValueType *t = c.staticType(name);
  return t && isOnnxFloatType(t->elem_type) ? t : nullptr;
}

}  // namespace

// celu(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1)).
bool rewriteCelu(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 1 ? floatValue(c, n.input(0)) : nullptr;
  if (!x || n.output_size() != 1) return false;
  const double alpha = attrFloat(n, "alpha", 1.f);
  const int32_t t = x->elem_type;
  NodeBuilder b(c, n, out);
  const std::string e = b.op("Sub", {b.op("Exp", {b.op("Div", {n.input(0), b.scalar(alpha, t)})}), b.scalar(1, t)});
  const std::string neg = b.op("Min", {b.op("Mul", {e, b.scalar(alpha, t)}), b.scalar(0, t)});
  b.op("Add", {b.op("Relu", {n.input(0)}), neg}, n.output(0));
  return true;
}

// (x - mean) / (sqrt(mean(x^2) - mean^2) + 1e-9) over `axes` (default 0, 2, 3), as ONNX's
// function body computes it.
bool rewriteMeanVarianceNorm(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 1 ? floatValue(c, n.input(0)) : nullptr;
  if (!x || n.output_size() != 1) return false;
  std::vector<int64_t> axes = findAttr(n, "axes") ? attrInts(n, "axes") : std::vector<int64_t>{0, 2, 3};
  for (auto &a : axes) {
    if (a < 0) a += x->dims.size();
    if (a < 0 || a >= static_cast<int64_t>(x->dims.size())) return false;
  }
  const int32_t t = x->elem_type;
  NodeBuilder b(c, n, out);
  auto mean = [&](const std::string &v) {
    onnx::NodeProto &m = b.node("ReduceMean", {v});
    setAttr(m, "axes", axes);
    return m.output(0);
  };
  const std::string mu = mean(n.input(0));
  const std::string var = b.op("Sub", {mean(b.op("Mul", {n.input(0), n.input(0)})), b.op("Mul", {mu, mu})});
  const std::string stdev = b.op("Add", {b.op("Sqrt", {var}), b.scalar(1e-9, t)});
  b.op("Div", {b.op("Sub", {n.input(0), mu}), stdev}, n.output(0));
  return true;
}

// y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta; the window sum is a
// 1x1 Conv whose [C, C] weight is 1 on the band c - (size-1)/2 .. c + ceil((size-1)/2).
bool rewriteLrn(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 1 ? floatValue(c, n.input(0)) : nullptr;
  const int64_t size = attrInt(n, "size", 0);
  if (!x || n.output_size() != 1 || x->dims.size() < 3 || size < 1) return false;
  const int32_t t = x->elem_type;
  const int64_t batch = x->dims[0], ch = x->dims[1], rest = product(x->dims, 2, x->dims.size());
  HostTensor band = HostTensor::make(t, {ch, ch, 1, 1});
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  for (int64_t o = 0; o < ch; ++o)
    for (int64_t i = std::max<int64_t>(0, o - before); i <= std::min(ch - 1, o + after); ++i)
      band.f[o * ch + i] = 1;
  NodeBuilder b(c, n, out);
  const std::string sq = b.reshape(b.op("Mul", {n.input(0), n.input(0)}), {batch, ch, rest, 1});
  const std::string sum = b.reshape(b.op("Conv", {sq, b.tensor(band)}), x->dims);
  const std::string scaled = b.op("Add", {b.op("Mul", {sum, b.scalar(attrFloat(n, "alpha", 1e-4f) / size, t)}),
                                          b.scalar(attrFloat(n, "bias", 1.f), t)});
  const std::string denom = b.op("Pow", {scaled, b.scalar(attrFloat(n, "beta", 0.75f), t)});
  b.op("Div", {n.input(0), denom}, n.output(0));
  return true;
}

// Pad mode edge / reflect with constant pads: per axis, the border slices (repeated for edge,
// mirrored for reflect) concatenated around the tensor; negative pads crop.
bool rewritePadBorder(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const onnx::AttributeProto *modeAttr = findAttr(n, "mode");
  const std::string mode = modeAttr ? modeAttr->s() : "constant";
  const ValueType *x = n.input_size() >= 1 ? c.staticType(n.input(0)) : nullptr;
  if ((mode != "edge" && mode != "reflect") || !x || n.output_size() != 1) return false;
  std::vector<int64_t> pads;
  if (n.input_size() > 1 && !n.input(1).empty()) {
    HostTensor p;
    if (!c.constant(n.input(1), p) || p.isFloat()) return false;
    pads = p.i;
  } else {
    pads = attrInts(n, "pads");
  }
  const int64_t rank = x->dims.size();
  if (static_cast<int64_t>(pads.size()) != 2 * rank) return false;
  if (n.input_size() > 3 && !n.input(3).empty()) return false;  // opset 18 axes
  NodeBuilder b(c, n, out);
  std::string cur = n.input(0);
  std::vector<int64_t> dims = x->dims;
  for (int64_t a = 0; a < rank; ++a) {
    int64_t lo = pads[a], hi = pads[rank + a];
    if (lo < 0 || hi < 0) {  // crop first
      cur = b.slice(cur, a, std::max<int64_t>(0, -lo), dims[a] - std::max<int64_t>(0, -hi));
      dims[a] -= std::max<int64_t>(0, -lo) + std::max<int64_t>(0, -hi);
      lo = std::max<int64_t>(0, lo), hi = std::max<int64_t>(0, hi);
    }
    if (lo == 0 && hi == 0) continue;
    const int64_t len = dims[a];
    if (mode == "reflect" && (lo >= len || hi >= len)) return false;
    std::vector<std::string> parts;
    for (int64_t k = lo; k >= 1; --k) {
      const int64_t at = mode == "edge" ? 0 : k;
      parts.push_back(b.slice(cur, a, at, at + 1));
    }
    parts.push_back(cur);
    for (int64_t k = 1; k <= hi; ++k) {
      const int64_t at = mode == "edge" ? len - 1 : len - 1 - k;
      parts.push_back(b.slice(cur, a, at, at + 1));
    }
    cur = b.concat(parts, a);
    dims[a] += lo + hi;
  }
  b.op("Identity", {cur}, n.output(0));
  return true;
}

// det of [..., n, n] for n = 2 (ad - bc) and n = 3 (cofactor expansion on the first row).
bool rewriteDet(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 1 ? floatValue(c, n.input(0)) : nullptr;
  if (!x || n.output_size() != 1 || x->dims.size() < 2) return false;
  const int64_t rank = x->dims.size(), size = x->dims[rank - 1];
  if (size != x->dims[rank - 2] || size < 2 || size > 3) return false;
  std::vector<int64_t> batch(x->dims.begin(), x->dims.end() - 2);
  const int64_t count = product(batch, 0, batch.size());
  NodeBuilder b(c, n, out);
  const std::string flat = b.reshape(n.input(0), {count, size * size});
  auto at = [&](int64_t r, int64_t col) { return b.slice(flat, 1, r * size + col, r * size + col + 1); };
  auto minor2 = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    return b.op("Sub", {b.op("Mul", {at(r0, c0), at(r1, c1)}), b.op("Mul", {at(r0, c1), at(r1, c0)})});
  };
  std::string det;
  if (size == 2) {
    det = minor2(0, 1, 0, 1);
  } else {
    const std::string t0 = b.op("Mul", {at(0, 0), minor2(1, 2, 1, 2)});
    const std::string t1 = b.op("Mul", {at(0, 1), minor2(1, 2, 0, 2)});
    const std::string t2 = b.op("Mul", {at(0, 2), minor2(1, 2, 0, 1)});
    det = b.op("Add", {b.op("Sub", {t0, t1}), t2});
  }
  b.reshape(det, batch, n.output(0));
  return true;
}

}  // namespace pfcomp::import

namespace pfcomp::import {

// DFT (opset 17, axis attribute) of real ([.., 1]) or complex ([.., 2]) signals as MatMuls with
// constant cos / sin matrices over the signal axis moved last: forward Y = (a C + b S) + i (b C -
// a S), inverse (a C - b S) / n + i (a S + b C) / n; onesided keeps the first n / 2 + 1 outputs.
bool rewriteDft(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() >= 1 ? floatValue(c, n.input(0)) : nullptr;
  if (!x || n.output_size() != 1 || x->dims.size() < 3 || c.opset < 17) return false;
  if (n.input_size() > 1 && !n.input(1).empty()) return false;  // dft_length
  const int64_t rank = x->dims.size(), parts = x->dims.back();
  int64_t axis = attrInt(n, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank - 1 || (parts != 1 && parts != 2)) return false;
  const bool inverse = attrInt(n, "inverse", 0) != 0, onesided = attrInt(n, "onesided", 0) != 0;
  if (inverse && onesided) return false;
  const int64_t len = x->dims[axis], outLen = onesided ? len / 2 + 1 : len;
  const int32_t t = x->elem_type;
  HostTensor cosM = HostTensor::make(t, {len, outLen}), sinM = HostTensor::make(t, {len, outLen});
  const double scale = inverse ? 1.0 / len : 1.0;
  for (int64_t j = 0; j < len; ++j)
    for (int64_t k = 0; k < outLen; ++k) {
      const double theta = 2 * M_PI * static_cast<double>((j * k) % len) / len;
      cosM.f[j * outLen + k] = std::cos(theta) * scale;
      sinM.f[j * outLen + k] = std::sin(theta) * scale;
    }
  NodeBuilder b(c, n, out);
  std::vector<int64_t> signal(x->dims.begin(), x->dims.end() - 1), perm, inversePerm(rank - 1);
  for (int64_t a = 0; a < rank - 1; ++a)
    if (a != axis) perm.push_back(a);
  perm.push_back(axis);
  for (int64_t a = 0; a < rank - 1; ++a) inversePerm[perm[a]] = a;
  auto part = [&](int64_t k) {
    return b.transpose(b.reshape(b.slice(n.input(0), rank - 1, k, k + 1), signal), perm);
  };
  const std::string C = b.tensor(cosM), S = b.tensor(sinM);
  const std::string re = part(0), im = parts == 2 ? part(1) : "";
  auto mm = [&](const std::string &v, const std::string &m) { return b.op("MatMul", {v, m}); };
  std::string yRe = mm(re, C), yIm = inverse ? mm(re, S) : b.op("Neg", {mm(re, S)});
  if (!im.empty()) {
    yRe = inverse ? b.op("Sub", {yRe, mm(im, S)}) : b.op("Add", {yRe, mm(im, S)});
    yIm = b.op("Add", {yIm, mm(im, C)});
  }
  std::vector<int64_t> outSignal = signal;
  outSignal[axis] = outLen;
  std::vector<int64_t> withPart = outSignal;
  withPart.push_back(1);
  auto back = [&](const std::string &v) { return b.reshape(b.transpose(v, inversePerm), withPart); };
  b.concat({back(yRe), back(yIm)}, rank - 1, n.output(0));
  return true;
}

}  // namespace pfcomp::import

namespace pfcomp::import {

// MelWeightMatrix of constant operands, computed as ONNX's reference does (triangular filters
// between mel-spaced bins, bins floored to DFT bin indices).
bool rewriteMelWeightMatrix(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  HostTensor v[5];
  if (n.input_size() != 5 || n.output_size() != 1) return false;
  for (int k = 0; k < 5; ++k)
    if (!c.constant(n.input(k), v[k]) || v[k].numElements() != 1) return false;
  const int64_t mels = v[0].getI(0), dft = v[1].getI(0), rate = v[2].getI(0);
  const double lo = v[3].getF(0), hi = v[4].getF(0);
  const int32_t type = static_cast<int32_t>(attrInt(n, "output_datatype", onnx::TensorProto::FLOAT));
  if (mels < 1 || dft < 1 || rate < 1 || !isOnnxFloatType(type)) return false;
  const int64_t specBins = dft / 2 + 1;
  const double loMel = 2595 * std::log10(1 + lo / 700), hiMel = 2595 * std::log10(1 + hi / 700);
  const double melStep = (hiMel - loMel) / (mels + 2);
  std::vector<int64_t> bin(mels + 2);
  for (int64_t k = 0; k < mels + 2; ++k) {
    const double hz = 700 * (std::pow(10.0, (k * melStep + loMel) / 2595) - 1);
    bin[k] = static_cast<int64_t>(std::floor((dft + 1) * hz / rate));
  }
  HostTensor w = HostTensor::make(type, {specBins, mels});
  auto set = [&](int64_t j, int64_t i, double value) {
    if (j >= 0 && j < specBins) w.f[j * mels + i] = value;
  };
  for (int64_t i = 0; i < mels; ++i) {
    const int64_t left = bin[i], centre = bin[i + 1], right = bin[i + 2];
    if (centre == left) set(centre, i, 1);
    else
      for (int64_t j = left; j <= centre; ++j) set(j, i, static_cast<double>(j - left) / (centre - left));
    if (right > centre)
      for (int64_t j = centre; j < right; ++j) set(j, i, static_cast<double>(right - j) / (right - centre));
  }
  NodeBuilder b(c, n, out);
  b.op("Identity", {b.tensor(w)}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
