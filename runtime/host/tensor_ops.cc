// Tensor constructions and rearrangements: ReverseSequence, OneHot, EyeLike, Range, Det.
#include "runtime/host/op_registry.h"

#include <cmath>

namespace pfcomp::host {

namespace {

llvm::Expected<std::vector<OutputSpec>> reverseSequenceSpecs(const Attrs &attrs, const Inputs &in) {
  const int64_t batchAxis = attrInt(attrs, "batch_axis", 1), timeAxis = attrInt(attrs, "time_axis", 0);
  if (in[0].rank() < 2 || (batchAxis != 0 && batchAxis != 1) || (timeAxis != 0 && timeAxis != 1) ||
      batchAxis == timeAxis)
    return specError("ReverseSequence", "batch_axis {0} and time_axis {1} must be 0 and 1 of a "
                     "rank >= 2 input, got {2}", batchAxis, timeAxis, shapeText(*in[0].shape));
  if (in[1].rank() != 1 || in[1].dim(0) != in[0].dim(batchAxis))
    return specError("ReverseSequence", "sequence_lens {0} must hold one length per batch ({1})",
                     shapeText(*in[1].shape), in[0].dim(batchAxis));
  return std::vector<OutputSpec>{{in[0].dtype, *in[0].shape, false}};
}

llvm::Expected<std::vector<Tensor>> reverseSequenceRun(const Attrs &attrs, const Inputs &in,
                                                       const std::vector<OutputSpec> &) {
  const Tensor &x = *in[0].value;
  const int64_t batchAxis = attrInt(attrs, "batch_axis", 1), timeAxis = 1 - batchAxis;
  const int64_t inner = product(x.shape, 2), size = device::dtypeBytes(x.dtype);
  const std::vector<int64_t> strides = stridesOf(x.shape);
  Tensor out = x;
  for (int64_t b = 0; b < x.shape[batchAxis]; ++b) {
    const int64_t len = loadI(*in[1].value, b);
    if (len < 0 || len > x.shape[timeAxis])
      return runError("ReverseSequence", "sequence_lens[{0}] = {1} is outside [0, {2}]", b, len,
                      x.shape[timeAxis]);
    for (int64_t t = 0; t < len; ++t)
      copyElements(x, b * strides[batchAxis] + t * strides[timeAxis], out,
                   b * strides[batchAxis] + (len - 1 - t) * strides[timeAxis], inner, size);
  }
  return std::vector<Tensor>{std::move(out)};
}

llvm::Expected<std::vector<OutputSpec>> oneHotSpecs(const Attrs &attrs, const Inputs &in) {
  const int64_t r = in[0].rank();
  int64_t axis = attrInt(attrs, "axis", -1);
  if (axis < -(r + 1) || axis > r)
    return specError("OneHot", "axis {0} is out of range for rank-{1} indices", axis, r);
  if (axis < 0) axis += r + 1;
  if (in[1].elements() != 1 || in[2].rank() != 1 || in[2].dim(0) != 2)
    return specError("OneHot", "depth must hold one element and values two (off, on); got {0} and {1}",
                     shapeText(*in[1].shape), shapeText(*in[2].shape));
  auto depth = constantScalarF(in[1]);
  if (!depth) return needsConstant("OneHot", "depth");
  if (*depth < 1) return specError("OneHot", "depth {0} must be positive", *depth);
  std::vector<int64_t> shape = *in[0].shape;
  shape.insert(shape.begin() + axis, static_cast<int64_t>(*depth));
  return std::vector<OutputSpec>{{in[2].dtype, shape, false}};
}

llvm::Expected<std::vector<Tensor>> oneHotRun(const Attrs &attrs, const Inputs &in,
                                              const std::vector<OutputSpec> &specs) {
  const Tensor &idx = *in[0].value, &values = *in[2].value;
  const int64_t r = idx.shape.size();
  int64_t axis = attrInt(attrs, "axis", -1);
  if (axis < 0) axis += r + 1;
  const int64_t depth = specs[0].shape[axis], size = device::dtypeBytes(values.dtype);
  const int64_t outer = product(idx.shape, 0, axis), inner = product(idx.shape, axis);
  Tensor out = makeTensor(values.dtype, specs[0].shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      // Non-integral float indices truncate; negative ones count from depth; others hit nothing.
      int64_t hot = static_cast<int64_t>(loadF(idx, o * inner + i));
      if (hot < 0) hot += depth;
      for (int64_t d = 0; d < depth; ++d)
        copyElements(values, d == hot ? 1 : 0, out, (o * depth + d) * inner + i, 1, size);
    }
  return std::vector<Tensor>{std::move(out)};
}

llvm::Expected<std::vector<OutputSpec>> eyeLikeSpecs(const Attrs &attrs, const Inputs &in) {
  if (in[0].rank() != 2)
    return specError("EyeLike", "input must be 2-D, got {0}", shapeText(*in[0].shape));
  device::DType dtype = in[0].dtype;
  if (findAttr(attrs, "dtype")) {
    dtype = dtypeFromOnnx(attrInt(attrs, "dtype", 0));
    if (dtype == device::DT_UNDEFINED)
      return specError("EyeLike", "unsupported dtype {0}", attrInt(attrs, "dtype", 0));
  }
  return std::vector<OutputSpec>{{dtype, *in[0].shape, false}};
}

llvm::Expected<std::vector<Tensor>> eyeLikeRun(const Attrs &attrs, const Inputs &,
                                               const std::vector<OutputSpec> &specs) {
  Tensor out = makeTensor(specs[0].dtype, specs[0].shape);
  const int64_t rows = out.shape[0], cols = out.shape[1], k = attrInt(attrs, "k", 0);
  for (int64_t i = 0; i < rows; ++i)
    if (i + k >= 0 && i + k < cols) storeI(out, i * cols + i + k, 1);
  return std::vector<Tensor>{std::move(out)};
}

llvm::Expected<std::vector<OutputSpec>> rangeSpecs(const Attrs &, const Inputs &in) {
  for (int i = 0; i < 3; ++i) {
    if (in[i].elements() != 1 || in[i].dtype != in[0].dtype)
      return specError("Range", "start, limit and delta must be scalars of one type; input {0} is "
                       "{1} {2}", i, dtypeName(in[i].dtype), shapeText(*in[i].shape));
  }
  auto start = constantScalarF(in[0]), limit = constantScalarF(in[1]), delta = constantScalarF(in[2]);
  if (!start || !limit || !delta) return needsConstant("Range", "start, limit and delta");
  if (*delta == 0) return specError("Range", "delta is 0");
  const double n = std::ceil((*limit - *start) / *delta);
  return std::vector<OutputSpec>{{in[0].dtype, {std::max<int64_t>(0, static_cast<int64_t>(n))}, false}};
}

llvm::Expected<std::vector<Tensor>> rangeRun(const Attrs &, const Inputs &in,
                                             const std::vector<OutputSpec> &specs) {
  Tensor out = makeTensor(specs[0].dtype, specs[0].shape);
  const bool isFloat = isFloatType(out.dtype);
  for (int64_t i = 0; i < out.shape[0]; ++i) {
    if (isFloat) storeF(out, i, loadF(*in[0].value, 0) + i * loadF(*in[2].value, 0));
    else storeI(out, i, loadI(*in[0].value, 0) + i * loadI(*in[2].value, 0));
  }
  return std::vector<Tensor>{std::move(out)};
}

llvm::Expected<std::vector<OutputSpec>> detSpecs(const Attrs &, const Inputs &in) {
  const int64_t r = in[0].rank();
  if (r < 2 || in[0].dim(r - 1) != in[0].dim(r - 2) || !isFloatType(in[0].dtype))
    return specError("Det", "input must be float [*, M, M], got {0} {1}", dtypeName(in[0].dtype),
                     shapeText(*in[0].shape));
  return std::vector<OutputSpec>{
      {in[0].dtype, std::vector<int64_t>(in[0].shape->begin(), in[0].shape->end() - 2), false}};
}

// LU decomposition with partial pivoting, in double.
llvm::Expected<std::vector<Tensor>> detRun(const Attrs &, const Inputs &in,
                                           const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value;
  const int64_t m = x.shape.back(), count = product(specs[0].shape);
  Tensor out = makeTensor(x.dtype, specs[0].shape);
  std::vector<double> a(m * m);
  for (int64_t b = 0; b < count; ++b) {
    for (int64_t e = 0; e < m * m; ++e) a[e] = loadF(x, b * m * m + e);
    double det = 1;
    for (int64_t c = 0; c < m && det != 0; ++c) {
      int64_t pivot = c;
      for (int64_t r = c + 1; r < m; ++r)
        if (std::fabs(a[r * m + c]) > std::fabs(a[pivot * m + c])) pivot = r;
      if (a[pivot * m + c] == 0) {
        det = 0;
        break;
      }
      if (pivot != c) {
        for (int64_t k = 0; k < m; ++k) std::swap(a[c * m + k], a[pivot * m + k]);
        det = -det;
      }
      det *= a[c * m + c];
      for (int64_t r = c + 1; r < m; ++r) {
        const double f = a[r * m + c] / a[c * m + c];
        for (int64_t k = c; k < m; ++k) a[r * m + k] -= f * a[c * m + k];
      }
    }
    storeF(out, b, det);
  }
  return std::vector<Tensor>{std::move(out)};
}

}  // namespace

// Copies and fills cost per output element; Det's elimination is cubic in M, quadratic per
// input element (charged as a larger per-input constant).
std::vector<HostOpDef> tensorOps() {
  return {{"Det", 1, 1, 1, detSpecs, detRun, 20.0, 1.0},
          {"EyeLike", 1, 1, 1, eyeLikeSpecs, eyeLikeRun, 0, 0.3},
          {"OneHot", 3, 3, 1, oneHotSpecs, oneHotRun, 0.5, 0.5},
          {"Range", 3, 3, 1, rangeSpecs, rangeRun, 0, 1.0},
          {"ReverseSequence", 2, 2, 1, reverseSequenceSpecs, reverseSequenceRun, 0.5, 0.3}};
}

}  // namespace pfcomp::host
