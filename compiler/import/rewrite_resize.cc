// Resize forms the device's Resize lowering does not compute (mode cubic, coordinate mode
// tf_crop_and_resize, linear downsampling with ONNX's scale-based coordinates) as one constant
// interpolation matrix per resized axis: Resize is separable, so each axis is a MatMul of the
// tensor (that axis moved last) with a [in, out] weight matrix built here as ONNX's reference
// computes each output from its neighbours (edge-padded, exclude_outside renormalised).
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

#include <algorithm>
#include <cmath>

namespace pfcomp::import {
namespace {

struct AxisResize {
  std::string mode, ctm;
  double a = -0.75, extrapolation = 0, roiStart = 0, roiEnd = 1;
  bool excludeOutside = false;
};

std::vector<double> coefficients(const AxisResize &r, double ratio) {
  if (r.mode == "linear") return {1 - ratio, ratio};
  const double a = r.a, s = 1 - ratio;
  return {((a * (ratio + 1) - 5 * a) * (ratio + 1) + 8 * a) * (ratio + 1) - 4 * a,
          ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1,
          ((a + 2) * s - (a + 3)) * s * s + 1,
          ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
}

// weights[o * in + i]; outside[o]: the output is the extrapolation value (tf_crop_and_resize).
void axisWeights(const AxisResize &r, int64_t in, int64_t out, double scale,
                 std::vector<double> &weights, std::vector<bool> &outside) {
  weights.assign(in * out, 0);
  outside.assign(out, false);
  for (int64_t o = 0; o < out; ++o) {
    double x;
    const double outWidth = scale * in;
    if (r.ctm == "align_corners") x = outWidth == 1 ? 0 : o * (in - 1) / (outWidth - 1);
    else if (r.ctm == "asymmetric") x = o / scale;
    else if (r.ctm == "pytorch_half_pixel") x = out == 1 ? -0.5 : (o + 0.5) / scale - 0.5;
    else if (r.ctm == "tf_crop_and_resize") {
      x = out == 1 ? (r.roiEnd - r.roiStart) * (in - 1) / 2.0
                   : o * (r.roiEnd - r.roiStart) * (in - 1) / (out - 1);
      x += r.roiStart * (in - 1);
      if (x < 0 || x > in - 1) {
        outside[o] = true;
        continue;
      }
    } else x = (o + 0.5) / scale - 0.5;  // half_pixel
    const double base = std::floor(x);
    const double ratio = x == base ? 1 : x - base;
    std::vector<double> c = coefficients(r, ratio);
    const int64_t n = c.size();
    // The n input positions nearest x (ties to the lower index), in order.
    std::vector<int64_t> idx;
    const int64_t lo = static_cast<int64_t>(base) - n / 2 + (ratio == 1 ? 0 : 1);
    for (int64_t k = 0; k < n; ++k) idx.push_back(lo + k);
    if (r.excludeOutside) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        if (idx[k] < 0 || idx[k] >= in) c[k] = 0;
        sum += c[k];
      }
      for (auto &v : c) v /= sum;
    }
    for (int64_t k = 0; k < n; ++k)
      weights[o * in + std::clamp<int64_t>(idx[k], 0, in - 1)] += c[k];
  }
}

}  // namespace

bool rewriteResizeByMatMul(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() >= 2 ? c.staticType(n.input(0)) : nullptr;
  const ValueType *y = n.output_size() == 1 ? c.staticType(n.output(0)) : nullptr;
  if (!x || !y || !isOnnxFloatType(x->elem_type) || x->dims.size() != y->dims.size()) return false;
  AxisResize r;
  const onnx::AttributeProto *mode = findAttr(n, "mode");
  const onnx::AttributeProto *ctm = findAttr(n, "coordinate_transformation_mode");
  r.mode = mode ? mode->s() : "nearest";
  r.ctm = ctm ? ctm->s() : (c.opset >= 11 ? "half_pixel" : "asymmetric");
  r.a = attrFloat(n, "cubic_coeff_a", -0.75f);
  r.excludeOutside = attrInt(n, "exclude_outside", 0) != 0;
  r.extrapolation = attrFloat(n, "extrapolation_value", 0.f);
  const int64_t rank = x->dims.size();
  // Scales (given, or output / input for sizes) and roi.
  HostTensor scales, roi;
  const int scalesInput = c.opset >= 11 ? 2 : 1;
  const bool hasScales = n.input_size() > scalesInput && !n.input(scalesInput).empty() &&
                         c.constant(n.input(scalesInput), scales) && scales.numElements() == rank;
  // Scales computed at run time: no weights (the import refuses them, naming the inputs).
  if (!hasScales && n.input_size() > scalesInput && !n.input(scalesInput).empty() &&
      !c.constant(n.input(scalesInput), scales))
    return false;
  const bool hasRoi = c.opset >= 11 && n.input_size() > 1 && !n.input(1).empty() &&
                      c.constant(n.input(1), roi) && roi.numElements() == 2 * rank;
  bool downsamples = false;
  std::vector<double> scale(rank);
  for (int64_t a = 0; a < rank; ++a) {
    scale[a] = hasScales ? scales.getF(a) : static_cast<double>(y->dims[a]) / x->dims[a];
    downsamples |= scale[a] < 1;
  }
  const bool wanted = r.mode == "cubic" || r.ctm == "tf_crop_and_resize" ||
                      (r.mode == "linear" && downsamples);
  if (!wanted || (r.mode != "cubic" && r.mode != "linear") || attrInt(n, "antialias", 0) != 0) return false;
  if (r.ctm == "tf_crop_and_resize" && !hasRoi) return false;

  NodeBuilder b(c, n, out);
  const int32_t type = x->elem_type;
  std::string cur = n.input(0);
  std::vector<int64_t> dims = x->dims;
  std::vector<std::vector<bool>> outsideAt(rank);
  for (int64_t a = 0; a < rank; ++a) {
    const int64_t in = x->dims[a], outLen = y->dims[a];
    if (in == outLen && scale[a] == 1 && r.ctm != "tf_crop_and_resize") continue;
    if (hasRoi) r.roiStart = roi.getF(a), r.roiEnd = roi.getF(rank + a);
    std::vector<double> w;
    axisWeights(r, in, outLen, scale[a], w, outsideAt[a]);
    HostTensor wt = HostTensor::make(type, {in, outLen});  // [in, out]: x @ wt
    for (int64_t o = 0; o < outLen; ++o)
      for (int64_t i = 0; i < in; ++i) wt.f[i * outLen + o] = w[o * in + i];
    std::vector<int64_t> perm(rank);
    for (int64_t k = 0; k < rank; ++k) perm[k] = k;
    std::swap(perm[a], perm[rank - 1]);
    if (a != rank - 1) cur = b.transpose(cur, perm);
    cur = b.op("MatMul", {cur, b.tensor(wt)});
    if (a != rank - 1) cur = b.transpose(cur, perm);
    dims[a] = outLen;
  }
  bool anyOutside = false;
  for (const auto &o : outsideAt)
    for (bool v : o) anyOutside |= v;
  if (!anyOutside) {
    b.op("Identity", {cur}, n.output(0));
    return true;
  }
  // tf_crop_and_resize: outputs sampled outside the input hold the extrapolation value (their
  // weights are zero, so adding it there is exact).
  HostTensor extra = HostTensor::make(type, dims);
  for (int64_t k = 0; k < extra.numElements(); ++k) {
    int64_t rest = k;
    bool out = false;
    for (int64_t a = rank - 1; a >= 0; --a) {
      const int64_t i = rest % dims[a];
      rest /= dims[a];
      out |= !outsideAt[a].empty() && outsideAt[a][i];
    }
    extra.f[k] = out ? r.extrapolation : 0;
  }
  b.op("Add", {cur, b.tensor(extra)}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
