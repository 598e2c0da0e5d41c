// NonMaxSuppression: per batch and class, greedily keeps the best-scoring boxes that overlap no
// kept box by more than iou_threshold (the order and tie rules of onnxruntime's kernel).
#include "runtime/host/op_registry.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace pfcomp::host {

namespace {

using Box = std::array<double, 4>;  // y1, x1, y2, x2 with y1 <= y2, x1 <= x2

Box cornerBox(const Tensor &boxes, int64_t at, bool centerPoint) {
  double v[4];
  for (int k = 0; k < 4; ++k) v[k] = loadF(boxes, at + k);
  if (centerPoint)  // [x_center, y_center, width, height]
    return {v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2};
  return {std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]), std::max(v[1], v[3])};
}

bool overlapsMore(const Box &a, const Box &b, double iouThreshold) {
  double ih = std::min(a[2], b[2]) - std::max(a[0], b[0]);
  double iw = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (ih <= 0 || iw <= 0) return false;
  double areaA = (a[2] - a[0]) * (a[3] - a[1]), areaB = (b[2] - b[0]) * (b[3] - b[1]);
  if (areaA <= 0 || areaB <= 0) return false;
  double inter = ih * iw;
  return inter / (areaA + areaB - inter) > iouThreshold;
}

llvm::Expected<std::vector<OutputSpec>> nmsSpecs(const Attrs &, const Inputs &in) {
  const InputView &boxes = in[0], &scores = in[1];
  if (boxes.rank() != 3 || boxes.dim(2) != 4 || !isFloatType(boxes.dtype) || !isFloatType(scores.dtype))
    return specError("NonMaxSuppression", "boxes must be float [batches, boxes, 4] and scores "
                     "float, got {0} {1}", dtypeName(boxes.dtype), shapeText(*boxes.shape));
  if (scores.rank() != 3 || scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1))
    return specError("NonMaxSuppression", "scores {0} do not match boxes {1} ([batches, classes, boxes])",
                     shapeText(*scores.shape), shapeText(*boxes.shape));
  for (int i = 2; i < 5; ++i)
    if (in[i].present() && in[i].elements() != 1)
      return specError("NonMaxSuppression", "input {0} must hold one element, its shape is {1}", i,
                       shapeText(*in[i].shape));
  int64_t perClass = boxes.dim(1);
  if (!in[2].present()) perClass = 0;  // the default max_output_boxes_per_class is 0
  else if (auto m = constantScalarI(in[2])) perClass = std::clamp<int64_t>(*m, 0, perClass);
  return std::vector<OutputSpec>{{device::I64, {boxes.dim(0) * scores.dim(1) * perClass, 3}, true}};
}

llvm::Expected<std::vector<Tensor>> nmsRun(const Attrs &attrs, const Inputs &in,
                                           const std::vector<OutputSpec> &) {
  const Tensor &boxes = *in[0].value, &scores = *in[1].value;
  const bool centerPoint = attrInt(attrs, "center_point_box", 0) != 0;
  const int64_t batches = boxes.shape[0], n = boxes.shape[1], classes = scores.shape[1];
  const int64_t maxPerClass = in[2].present() ? loadI(*in[2].value, 0) : 0;
  const double iouThreshold = in[3].present() ? loadF(*in[3].value, 0) : 0;
  const std::optional<double> scoreThreshold =
      in[4].present() ? std::optional<double>(loadF(*in[4].value, 0)) : std::nullopt;

  std::vector<int64_t> selected;  // triples
  std::vector<Box> kept;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t c = 0; c < classes && maxPerClass > 0; ++c) {
      const int64_t scoreBase = (b * classes + c) * n;
      std::vector<int64_t> order;
      for (int64_t i = 0; i < n; ++i)
        if (!scoreThreshold || loadF(scores, scoreBase + i) > *scoreThreshold) order.push_back(i);
      // Highest score first; equal scores by lower box index.
      std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
        return loadF(scores, scoreBase + x) > loadF(scores, scoreBase + y);
      });
      kept.clear();
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) >= maxPerClass) break;
        Box box = cornerBox(boxes, (b * n + i) * 4, centerPoint);
        if (std::any_of(kept.begin(), kept.end(),
                        [&](const Box &k) { return overlapsMore(k, box, iouThreshold); }))
          continue;
        kept.push_back(box);
        selected.insert(selected.end(), {b, c, i});
      }
    }
  Tensor out = makeTensor(device::I64, {static_cast<int64_t>(selected.size() / 3), 3});
  std::memcpy(out.bytes.data(), selected.data(), selected.size() * 8);
  return std::vector<Tensor>{std::move(out)};
}

}  // namespace

// Sorting the scores dominates for few boxes kept; the IoU checks add per output row.
std::vector<HostOpDef> nmsOps() {
  return {{"NonMaxSuppression", 2, 5, 1, nmsSpecs, nmsRun, 3.0, 20.0, true}};
}

}  // namespace pfcomp::host
