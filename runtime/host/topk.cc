// TopK: the k largest (or smallest) elements along an axis and their indices.
#include "runtime/host/op_registry.h"
#include "runtime/host/sort_keys.h"

#include <algorithm>
#include <numeric>

namespace pfcomp::host {

namespace {

// k from the input (opset 10+) or the attribute (opset 1); nullopt when not known yet.
llvm::Expected<std::optional<int64_t>> kOf(const Attrs &attrs, const Inputs &in) {
  if (!in[1].present()) {
    if (!findAttr(attrs, "k")) return specError("TopK", "needs k (input 1 or attribute)");
    return std::optional<int64_t>(attrInt(attrs, "k", 0));
  }
  if (in[1].elements() != 1)
    return specError("TopK", "k must hold one element, its shape is {0}", shapeText(*in[1].shape));
  return constantScalarI(in[1]);
}

llvm::Expected<std::vector<OutputSpec>> topkSpecs(const Attrs &attrs, const Inputs &in) {
  auto axis = normalizeAxis("TopK", attrInt(attrs, "axis", -1), in[0].rank());
  if (!axis) return axis.takeError();
  auto k = kOf(attrs, in);
  if (!k) return k.takeError();
  std::vector<int64_t> shape = *in[0].shape;
  bool dynamic = !k->has_value();
  if (!dynamic) {
    if (**k < 0 || **k > shape[*axis])
      return specError("TopK", "k = {0} is outside [0, {1}] (axis {2} of {3})", **k, shape[*axis],
                       *axis, shapeText(shape));
    shape[*axis] = **k;
  }
  return std::vector<OutputSpec>{{in[0].dtype, shape, dynamic}, {device::I64, shape, dynamic}};
}

llvm::Expected<std::vector<Tensor>> topkRun(const Attrs &attrs, const Inputs &in,
                                            const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value;
  const int64_t axis = *normalizeAxis("TopK", attrInt(attrs, "axis", -1), in[0].rank());
  const bool largest = attrInt(attrs, "largest", 1) != 0;
  const int64_t k = specs[0].shape[axis];
  const int64_t n = x.shape[axis], outer = product(x.shape, 0, axis),
                inner = product(x.shape, axis + 1);
  Tensor values = makeTensor(x.dtype, specs[0].shape), indices = makeTensor(device::I64, specs[1].shape);
  const int64_t size = device::dtypeBytes(x.dtype);
  withSortKeys(x, [&](const auto &keys) {
    std::vector<int64_t> order(n);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        std::iota(order.begin(), order.end(), 0);
        // Equal elements keep their index order, as ONNX asks.
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
          auto ka = keys[base + a * inner], kb = keys[base + b * inner];
          if (largest ? keyLess(kb, ka) : keyLess(ka, kb)) return true;
          if (largest ? keyLess(ka, kb) : keyLess(kb, ka)) return false;
          return a < b;
        });
        for (int64_t j = 0; j < k; ++j) {
          const int64_t out = o * k * inner + j * inner + i;
          copyElements(x, base + order[j] * inner, values, out, 1, size);
          storeI(indices, out, order[j]);
        }
      }
  });
  return std::vector<Tensor>{std::move(values), std::move(indices)};
}

}  // namespace

// Partial sort: about log2(n) comparisons per element.
std::vector<HostOpDef> topkOps() { return {{"TopK", 1, 2, 2, topkSpecs, topkRun, 2.0, 1.0, true}}; }

}  // namespace pfcomp::host
