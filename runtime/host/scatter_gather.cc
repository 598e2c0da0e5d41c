// Index-driven gathers and scatters: GatherND, ScatterND, ScatterElements (and its opset-9
// name Scatter). Indices may be negative (counted from the end); out of range is an error.
#include "runtime/host/op_registry.h"

namespace pfcomp::host {

namespace {

// An index into an axis of length n, made non-negative, or nullopt when out of range.
std::optional<int64_t> wrapIndex(int64_t i, int64_t n) {
  if (i < -n || i >= n) return std::nullopt;
  return i < 0 ? i + n : i;
}

llvm::Expected<std::vector<OutputSpec>> gatherNDSpecs(const Attrs &attrs, const Inputs &in) {
  const int64_t r = in[0].rank(), q = in[1].rank(), b = attrInt(attrs, "batch_dims", 0);
  if (q < 1 || b < 0 || b >= std::min(r, q))
    return specError("GatherND", "batch_dims {0} needs data and indices of higher rank (ranks {1}, {2})",
                     b, r, q);
  const int64_t k = in[1].dim(q - 1);
  if (k < 1 || k > r - b)
    return specError("GatherND", "indices' last dimension {0} must be in [1, {1}]", k, r - b);
  for (int64_t d = 0; d < b; ++d)
    if (in[0].dim(d) != in[1].dim(d))
      return specError("GatherND", "batch dimension {0} differs: data {1}, indices {2}", d,
                       shapeText(*in[0].shape), shapeText(*in[1].shape));
  std::vector<int64_t> shape(in[1].shape->begin(), in[1].shape->end() - 1);
  shape.insert(shape.end(), in[0].shape->begin() + b + k, in[0].shape->end());
  return std::vector<OutputSpec>{{in[0].dtype, shape, false}};
}

llvm::Expected<std::vector<Tensor>> gatherNDRun(const Attrs &attrs, const Inputs &in,
                                                const std::vector<OutputSpec> &specs) {
  const Tensor &data = *in[0].value, &idx = *in[1].value;
  const int64_t b = attrInt(attrs, "batch_dims", 0), q = idx.shape.size(), k = idx.shape[q - 1];
  const int64_t batches = product(data.shape, 0, b), slice = product(data.shape, b + k),
                perBatch = product(idx.shape, b, q - 1), size = device::dtypeBytes(data.dtype);
  const std::vector<int64_t> strides = stridesOf(data.shape);
  Tensor out = makeTensor(data.dtype, specs[0].shape);
  for (int64_t bi = 0; bi < batches; ++bi)
    for (int64_t j = 0; j < perBatch; ++j) {
      const int64_t tuple = (bi * perBatch + j) * k;
      int64_t at = bi * product(data.shape, b);
      for (int64_t d = 0; d < k; ++d) {
        auto i = wrapIndex(loadI(idx, tuple + d), data.shape[b + d]);
        if (!i) return runError("GatherND", "index {0} is out of range for axis {1} of {2}",
                                loadI(idx, tuple + d), b + d, shapeText(data.shape));
        at += *i * strides[b + d];
      }
      copyElements(data, at, out, (bi * perBatch + j) * slice, slice, size);
    }
  return std::vector<Tensor>{std::move(out)};
}

enum class Reduction { None, Add, Mul, Max, Min };

llvm::Expected<Reduction> reductionOf(llvm::StringRef op, const Attrs &attrs) {
  std::string r = attrString(attrs, "reduction", "none");
  if (r == "none") return Reduction::None;
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (r == "max") return Reduction::Max;
  if (r == "min") return Reduction::Min;
  return specError(op, "unknown reduction '{0}' (none, add, mul, max, min)", r);
}

// out[to] = out[to] (reduction) updates[from].
void combine(Tensor &out, int64_t to, const Tensor &updates, int64_t from, Reduction red) {
  if (red == Reduction::None) {
    copyElements(updates, from, out, to, 1, device::dtypeBytes(out.dtype));
  } else if (isFloatType(out.dtype)) {
    double a = loadF(out, to), u = loadF(updates, from);
    storeF(out, to, red == Reduction::Add ? a + u : red == Reduction::Mul ? a * u
                    : red == Reduction::Max ? std::max(a, u) : std::min(a, u));
  } else {
    int64_t a = loadI(out, to), u = loadI(updates, from);
    // Wrapping arithmetic, as the integer types do.
    auto ua = static_cast<uint64_t>(a), uu = static_cast<uint64_t>(u);
    storeI(out, to, red == Reduction::Add ? static_cast<int64_t>(ua + uu)
                    : red == Reduction::Mul ? static_cast<int64_t>(ua * uu)
                    : red == Reduction::Max ? std::max(a, u) : std::min(a, u));
  }
}

llvm::Expected<std::vector<OutputSpec>> scatterNDSpecs(const Attrs &attrs, const Inputs &in) {
  auto red = reductionOf("ScatterND", attrs);
  if (!red) return red.takeError();
  const int64_t r = in[0].rank(), q = in[1].rank();
  const int64_t k = q ? in[1].dim(q - 1) : 0;
  if (q < 1 || k < 1 || k > r)
    return specError("ScatterND", "indices {0} must end in a dimension in [1, {1}]",
                     shapeText(*in[1].shape), r);
  std::vector<int64_t> want(in[1].shape->begin(), in[1].shape->end() - 1);
  want.insert(want.end(), in[0].shape->begin() + k, in[0].shape->end());
  if (*in[2].shape != want)
    return specError("ScatterND", "updates are {0}, indices {1} and data {2} need {3}",
                     shapeText(*in[2].shape), shapeText(*in[1].shape), shapeText(*in[0].shape),
                     shapeText(want));
  return std::vector<OutputSpec>{{in[0].dtype, *in[0].shape, false}};
}

llvm::Expected<std::vector<Tensor>> scatterNDRun(const Attrs &attrs, const Inputs &in,
                                                 const std::vector<OutputSpec> &) {
  const Tensor &data = *in[0].value, &idx = *in[1].value, &upd = *in[2].value;
  const Reduction red = *reductionOf("ScatterND", attrs);
  const int64_t q = idx.shape.size(), k = idx.shape[q - 1];
  const int64_t tuples = product(idx.shape, 0, q - 1), slice = product(data.shape, k);
  const std::vector<int64_t> strides = stridesOf(data.shape);
  Tensor out = data;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t at = 0;
    for (int64_t d = 0; d < k; ++d) {
      auto i = wrapIndex(loadI(idx, t * k + d), data.shape[d]);
      if (!i) return runError("ScatterND", "index {0} is out of range for axis {1} of {2}",
                              loadI(idx, t * k + d), d, shapeText(data.shape));
      at += *i * strides[d];
    }
    for (int64_t e = 0; e < slice; ++e) combine(out, at + e, upd, t * slice + e, red);
  }
  return std::vector<Tensor>{std::move(out)};
}

template <const char *Op>
llvm::Expected<std::vector<OutputSpec>> scatterElementsSpecs(const Attrs &attrs, const Inputs &in) {
  auto red = reductionOf(Op, attrs);
  if (!red) return red.takeError();
  auto axis = normalizeAxis(Op, attrInt(attrs, "axis", 0), in[0].rank());
  if (!axis) return axis.takeError();
  if (*in[1].shape != *in[2].shape || in[1].rank() != in[0].rank())
    return specError(Op, "indices {0} and updates {1} must have one shape of data's rank ({2})",
                     shapeText(*in[1].shape), shapeText(*in[2].shape), shapeText(*in[0].shape));
  for (int64_t d = 0; d < in[0].rank(); ++d)
    if (d != *axis && in[1].dim(d) > in[0].dim(d))
      return specError(Op, "indices {0} exceed data {1} on axis {2}", shapeText(*in[1].shape),
                       shapeText(*in[0].shape), d);
  return std::vector<OutputSpec>{{in[0].dtype, *in[0].shape, false}};
}

template <const char *Op>
llvm::Expected<std::vector<Tensor>> scatterElementsRun(const Attrs &attrs, const Inputs &in,
                                                       const std::vector<OutputSpec> &) {
  const Tensor &data = *in[0].value, &idx = *in[1].value, &upd = *in[2].value;
  const Reduction red = *reductionOf(Op, attrs);
  const int64_t axis = *normalizeAxis(Op, attrInt(attrs, "axis", 0), data.shape.size());
  const std::vector<int64_t> dstStrides = stridesOf(data.shape), srcStrides = stridesOf(idx.shape);
  Tensor out = data;
  for (int64_t e = 0; e < idx.elements(); ++e) {
    auto i = wrapIndex(loadI(idx, e), data.shape[axis]);
    if (!i) return runError(Op, "index {0} is out of range for axis {1} of {2}", loadI(idx, e),
                            axis, shapeText(data.shape));
    int64_t at = 0;
    for (size_t d = 0; d < idx.shape.size(); ++d) {
      int64_t coord = e / srcStrides[d] % idx.shape[d];
      at += (static_cast<int64_t>(d) == axis ? *i : coord) * dstStrides[d];
    }
    combine(out, at, upd, e, red);
  }
  return std::vector<Tensor>{std::move(out)};
}

constexpr char kScatterElements[] = "ScatterElements";
constexpr char kScatter[] = "Scatter";

}  // namespace

// Gathers copy each element once; scatters copy data, then combine each update.
std::vector<HostOpDef> scatterGatherOps() {
  return {{"GatherND", 2, 2, 1, gatherNDSpecs, gatherNDRun, 0.2, 1.0},
          {"Scatter", 3, 3, 1, scatterElementsSpecs<kScatter>, scatterElementsRun<kScatter>, 1.5, 0.3},
          {"ScatterElements", 3, 3, 1, scatterElementsSpecs<kScatterElements>,
           scatterElementsRun<kScatterElements>, 1.5, 0.3},
          {"ScatterND", 3, 3, 1, scatterNDSpecs, scatterNDRun, 1.0, 0.3}};
}

}  // namespace pfcomp::host
