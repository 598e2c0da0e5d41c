// Unique: the distinct elements (or slices along an axis) of a tensor, with first-occurrence
// indices, inverse indices and counts.
#include "runtime/host/op_registry.h"
#include "runtime/host/sort_keys.h"

#include <algorithm>
#include <numeric>

namespace pfcomp::host {

namespace {

llvm::Expected<std::optional<int64_t>> axisOf(const Attrs &attrs, const InputView &x) {
  if (!findAttr(attrs, "axis")) return std::optional<int64_t>();
  auto axis = normalizeAxis("Unique", attrInt(attrs, "axis", 0), x.rank());
  if (!axis) return axis.takeError();
  return std::optional<int64_t>(*axis);
}

llvm::Expected<std::vector<OutputSpec>> uniqueSpecs(const Attrs &attrs, const Inputs &in) {
  auto axis = axisOf(attrs, in[0]);
  if (!axis) return axis.takeError();
  // Slices compared: the elements (no axis) or the sub-tensors along the axis.
  const int64_t slices = *axis ? in[0].dim(**axis) : in[0].elements();
  std::vector<int64_t> yShape = *axis ? *in[0].shape : std::vector<int64_t>{slices};
  return std::vector<OutputSpec>{{in[0].dtype, yShape, true},
                                 {device::I64, {slices}, true},
                                 {device::I64, {slices}, false},
                                 {device::I64, {slices}, true}};
}

llvm::Expected<std::vector<Tensor>> uniqueRun(const Attrs &attrs, const Inputs &in,
                                              const std::vector<OutputSpec> &) {
  const Tensor &x = *in[0].value;
  const std::optional<int64_t> axis = *axisOf(attrs, in[0]);
  const bool sorted = attrInt(attrs, "sorted", 1) != 0;
  const int64_t m = axis ? x.shape[*axis] : x.elements();
  const int64_t outer = axis ? product(x.shape, 0, *axis) : 1;
  const int64_t inner = axis ? product(x.shape, *axis + 1) : 1;
  const int64_t sliceLen = outer * inner;
  // Element j of slice s (j runs over outer x inner, row-major).
  auto elem = [&](int64_t s, int64_t j) { return (j / inner) * m * inner + s * inner + j % inner; };

  std::vector<int64_t> firstOf, inverse(m), counts;  // per unique slice / per input slice
  withSortKeys(x, [&](const auto &keys) {
    auto cmp = [&](int64_t a, int64_t b) {  // -1, 0, 1: lexicographic over the slice
      for (int64_t j = 0; j < sliceLen; ++j) {
        auto ka = keys[elem(a, j)], kb = keys[elem(b, j)];
        if (keyLess(ka, kb)) return -1;
        if (keyLess(kb, ka)) return 1;
      }
      return 0;
    };
    std::vector<int64_t> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
    // Groups of equal slices in sorted order; each group's first member is its first occurrence.
    std::vector<int64_t> groupOf(m);
    for (int64_t r = 0; r < m; ++r) {
      if (r == 0 || cmp(order[r - 1], order[r]) != 0) {
        firstOf.push_back(order[r]);
        counts.push_back(0);
      }
      groupOf[order[r]] = static_cast<int64_t>(firstOf.size()) - 1;
      ++counts.back();
    }
    // Output order: sorted groups, or groups by first occurrence.
    std::vector<int64_t> rank(firstOf.size());
    std::iota(rank.begin(), rank.end(), 0);
    if (!sorted) {
      std::vector<int64_t> byFirst(firstOf.size());
      std::iota(byFirst.begin(), byFirst.end(), 0);
      std::sort(byFirst.begin(), byFirst.end(),
                [&](int64_t a, int64_t b) { return firstOf[a] < firstOf[b]; });
      std::vector<int64_t> f2(firstOf.size()), c2(firstOf.size());
      for (size_t r = 0; r < byFirst.size(); ++r) {
        rank[byFirst[r]] = r;
        f2[r] = firstOf[byFirst[r]];
        c2[r] = counts[byFirst[r]];
      }
      firstOf = f2;
      counts = c2;
    }
    for (int64_t s = 0; s < m; ++s) inverse[s] = rank[groupOf[s]];
  });

  const int64_t u = static_cast<int64_t>(firstOf.size()), size = device::dtypeBytes(x.dtype);
  std::vector<int64_t> yShape = axis ? x.shape : std::vector<int64_t>{u};
  if (axis) yShape[*axis] = u;
  Tensor y = makeTensor(x.dtype, yShape);
  for (int64_t g = 0; g < u; ++g)
    for (int64_t j = 0; j < sliceLen; ++j)
      copyElements(x, elem(firstOf[g], j), y, (j / inner) * u * inner + g * inner + j % inner, 1, size);
  auto ints = [](const std::vector<int64_t> &v) {
    Tensor t = makeTensor(device::I64, {static_cast<int64_t>(v.size())});
    std::memcpy(t.bytes.data(), v.data(), v.size() * 8);
    return t;
  };
  return std::vector<Tensor>{std::move(y), ints(firstOf), ints(inverse), ints(counts)};
}

}  // namespace

// A stable sort of slices: log2(n) comparisons per element.
std::vector<HostOpDef> uniqueOps() { return {{"Unique", 1, 1, 4, uniqueSpecs, uniqueRun, 3.0, 1.0, true}}; }

}  // namespace pfcomp::host
