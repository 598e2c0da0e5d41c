// Data-dependent selections: NonZero (coordinates of non-zero elements) and Compress (slices
// where a condition holds). Their output sizes are bounded by the input sizes.
#include "runtime/host/op_registry.h"

namespace pfcomp::host {

namespace {

bool nonZero(const Tensor &t, int64_t i) {
  return isFloatType(t.dtype) ? loadF(t, i) != 0 : loadI(t, i) != 0;
}

llvm::Expected<std::vector<OutputSpec>> nonZeroSpecs(const Attrs &, const Inputs &in) {
  return std::vector<OutputSpec>{{device::I64, {in[0].rank(), in[0].elements()}, true}};
}

llvm::Expected<std::vector<Tensor>> nonZeroRun(const Attrs &, const Inputs &in,
                                               const std::vector<OutputSpec> &) {
  const Tensor &x = *in[0].value;
  const int64_t rank = x.shape.size(), n = x.elements();
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < n; ++i)
    if (nonZero(x, i)) hits.push_back(i);
  const int64_t count = hits.size();
  Tensor out = makeTensor(device::I64, {rank, count});
  const std::vector<int64_t> strides = stridesOf(x.shape);
  for (int64_t j = 0; j < count; ++j)
    for (int64_t d = 0; d < rank; ++d) storeI(out, d * count + j, hits[j] / strides[d] % x.shape[d]);
  return std::vector<Tensor>{std::move(out)};
}

// The selected slice indices along the compressed axis (of `length`).
llvm::Expected<std::vector<int64_t>> selectedOf(const Tensor &cond, int64_t length) {
  std::vector<int64_t> sel;
  for (int64_t i = 0; i < cond.elements(); ++i) {
    if (loadI(cond, i) == 0) continue;
    if (i >= length)
      return runError("Compress", "condition selects index {0} beyond the axis length {1}", i, length);
    sel.push_back(i);
  }
  return sel;
}

llvm::Expected<std::vector<OutputSpec>> compressSpecs(const Attrs &attrs, const Inputs &in) {
  if (in[1].rank() != 1)
    return specError("Compress", "condition must be 1-D, its shape is {0}", shapeText(*in[1].shape));
  std::vector<int64_t> shape = {in[0].elements()};
  int64_t axis = 0;
  if (findAttr(attrs, "axis")) {
    auto a = normalizeAxis("Compress", attrInt(attrs, "axis", 0), in[0].rank());
    if (!a) return a.takeError();
    axis = *a;
    shape = *in[0].shape;
  }
  if (!in[1].value) return std::vector<OutputSpec>{{in[0].dtype, shape, true}};
  auto sel = selectedOf(*in[1].value, shape[axis]);
  if (!sel) return sel.takeError();
  shape[axis] = sel->size();
  return std::vector<OutputSpec>{{in[0].dtype, shape, false}};
}

llvm::Expected<std::vector<Tensor>> compressRun(const Attrs &attrs, const Inputs &in,
                                                const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value;
  const bool hasAxis = findAttr(attrs, "axis") != nullptr;
  const int64_t axis = hasAxis ? *normalizeAxis("Compress", attrInt(attrs, "axis", 0), x.shape.size()) : 0;
  const std::vector<int64_t> dims = hasAxis ? x.shape : std::vector<int64_t>{x.elements()};
  auto sel = selectedOf(*in[1].value, dims[axis]);
  if (!sel) return sel.takeError();
  std::vector<int64_t> shape = dims;
  shape[axis] = sel->size();
  Tensor out = makeTensor(x.dtype, shape);
  const int64_t outer = product(dims, 0, axis), inner = product(dims, axis + 1),
                size = device::dtypeBytes(x.dtype), k = sel->size();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      copyElements(x, (o * dims[axis] + (*sel)[j]) * inner, out, (o * k + j) * inner, inner, size);
  return std::vector<Tensor>{std::move(out)};
}

}  // namespace

// One pass over the input, a write per selected element (NonZero writes rank coordinates).
std::vector<HostOpDef> selectionOps() {
  return {{"Compress", 2, 2, 1, compressSpecs, compressRun, 0.5, 0.5},
          {"NonZero", 1, 1, 1, nonZeroSpecs, nonZeroRun, 0.5, 1.0}};
}

}  // namespace pfcomp::host
