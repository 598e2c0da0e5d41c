// Image-shaped ops: MaxUnpool (MaxPool's inverse scatter), RoiAlign (bilinear region pooling,
// onnxruntime's sampling rules) and LRN (local response normalisation across channels).
#include "runtime/host/op_registry.h"

#include <cmath>

namespace pfcomp::host {

namespace {

// The shape MaxPool's input had: the space its indices address.
llvm::Expected<std::vector<int64_t>> unpooledShape(const Attrs &attrs, const InputView &x) {
  const int64_t spatial = x.rank() - 2;
  const std::vector<int64_t> kernel = attrInts(attrs, "kernel_shape");
  std::vector<int64_t> pads = attrInts(attrs, "pads"), strides = attrInts(attrs, "strides");
  if (pads.empty()) pads.assign(2 * spatial, 0);
  if (strides.empty()) strides.assign(spatial, 1);
  if (spatial < 1 || static_cast<int64_t>(kernel.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial || static_cast<int64_t>(strides.size()) != spatial)
    return specError("MaxUnpool", "kernel_shape, pads and strides must match the {0} spatial axes of {1}",
                     spatial, shapeText(*x.shape));
  std::vector<int64_t> shape = *x.shape;
  for (int64_t d = 0; d < spatial; ++d)
    shape[d + 2] = (shape[d + 2] - 1) * strides[d] + kernel[d] - pads[d] - pads[d + spatial];
  return shape;
}

llvm::Expected<std::vector<OutputSpec>> maxUnpoolSpecs(const Attrs &attrs, const Inputs &in) {
  auto shape = unpooledShape(attrs, in[0]);
  if (!shape) return shape.takeError();
  if (*in[1].shape != *in[0].shape)
    return specError("MaxUnpool", "indices {0} must have the shape of X {1}", shapeText(*in[1].shape),
                     shapeText(*in[0].shape));
  if (in[2].present()) {
    if (!in[2].value) return needsConstant("MaxUnpool", "output_shape");
    if (in[2].elements() != in[0].rank())
      return specError("MaxUnpool", "output_shape must hold {0} dimensions", in[0].rank());
    for (int64_t d = 0; d < in[0].rank(); ++d) {
      const int64_t want = loadI(*in[2].value, d);
      if (want < (*shape)[d])
        return specError("MaxUnpool", "output_shape[{0}] = {1} is below the unpooled shape {2}", d,
                         want, shapeText(*shape));
      (*shape)[d] = want;
    }
  }
  return std::vector<OutputSpec>{{in[0].dtype, *shape, false}};
}

llvm::Expected<std::vector<Tensor>> maxUnpoolRun(const Attrs &attrs, const Inputs &in,
                                                 const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value, &idx = *in[1].value;
  // MaxPool's indices are flat offsets into its whole (N, C, spatial...) input; a larger
  // output_shape keeps their coordinates and pads at the end of each axis.
  const std::vector<int64_t> space = *unpooledShape(attrs, in[0]);
  const std::vector<int64_t> spaceStrides = stridesOf(space), outStrides = stridesOf(specs[0].shape);
  const int64_t total = product(space), size = device::dtypeBytes(x.dtype);
  Tensor out = makeTensor(x.dtype, specs[0].shape);
  for (int64_t i = 0; i < x.elements(); ++i) {
    const int64_t flat = loadI(idx, i);
    if (flat < 0 || flat >= total)
      return runError("MaxUnpool", "index {0} is outside the unpooled shape {1}", flat, shapeText(space));
    int64_t at = 0;
    for (size_t d = 0; d < space.size(); ++d) at += flat / spaceStrides[d] % space[d] * outStrides[d];
    copyElements(x, i, out, at, 1, size);
  }
  return std::vector<Tensor>{std::move(out)};
}

llvm::Expected<std::vector<OutputSpec>> roiAlignSpecs(const Attrs &attrs, const Inputs &in) {
  if (in[0].rank() != 4 || in[1].rank() != 2 || in[1].dim(1) != 4 || in[2].rank() != 1 ||
      in[2].dim(0) != in[1].dim(0) || !isFloatType(in[0].dtype) || !isFloatType(in[1].dtype))
    return specError("RoiAlign", "needs float X [N, C, H, W], rois [R, 4] and batch_indices [R]; got {0}, {1}, {2}",
                     shapeText(*in[0].shape), shapeText(*in[1].shape), shapeText(*in[2].shape));
  const std::string mode = attrString(attrs, "mode", "avg"),
                    ctm = attrString(attrs, "coordinate_transformation_mode", "half_pixel");
  if ((mode != "avg" && mode != "max") || (ctm != "half_pixel" && ctm != "output_half_pixel"))
    return specError("RoiAlign", "unsupported mode '{0}' or coordinate_transformation_mode '{1}'", mode, ctm);
  return std::vector<OutputSpec>{{in[0].dtype,
                                  {in[1].dim(0), in[0].dim(1), attrInt(attrs, "output_height", 1),
                                   attrInt(attrs, "output_width", 1)},
                                  false}};
}

// X at (y, x) of one channel plane, bilinearly interpolated with onnxruntime's edge rules:
// samples beyond one pixel outside give nothing; `sample(v, weight)` gets each corner.
template <typename Fn>
void bilinear(const Tensor &x, int64_t plane, int64_t h, int64_t w, double y, double xx, Fn sample) {
  if (y < -1.0 || y > h || xx < -1.0 || xx > w) return;
  y = std::max(y, 0.0);
  xx = std::max(xx, 0.0);
  int64_t y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(xx), y1 = y0 + 1, x1 = x0 + 1;
  if (y0 >= h - 1) y = static_cast<double>(y0 = y1 = h - 1);
  if (x0 >= w - 1) xx = static_cast<double>(x0 = x1 = w - 1);
  const double ly = y - y0, lx = xx - x0, hy = 1 - ly, hx = 1 - lx;
  sample(loadF(x, plane + y0 * w + x0), hy * hx);
  sample(loadF(x, plane + y0 * w + x1), hy * lx);
  sample(loadF(x, plane + y1 * w + x0), ly * hx);
  sample(loadF(x, plane + y1 * w + x1), ly * lx);
}

llvm::Expected<std::vector<Tensor>> roiAlignRun(const Attrs &attrs, const Inputs &in,
                                                const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value, &rois = *in[1].value;
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t outH = specs[0].shape[2], outW = specs[0].shape[3];
  const bool halfPixel = attrString(attrs, "coordinate_transformation_mode", "half_pixel") == "half_pixel";
  const bool maxMode = attrString(attrs, "mode", "avg") == "max";
  const double scale = attrFloat(attrs, "spatial_scale", 1.0), offset = halfPixel ? 0.5 : 0.0;
  const int64_t ratio = attrInt(attrs, "sampling_ratio", 0);
  Tensor out = makeTensor(x.dtype, specs[0].shape);
  for (int64_t r = 0; r < rois.shape[0]; ++r) {
    const int64_t b = loadI(*in[2].value, r);
    if (b < 0 || b >= n) return runError("RoiAlign", "batch index {0} is outside [0, {1})", b, n);
    const double x0 = loadF(rois, 4 * r) * scale - offset, y0 = loadF(rois, 4 * r + 1) * scale - offset;
    double roiW = loadF(rois, 4 * r + 2) * scale - offset - x0;
    double roiH = loadF(rois, 4 * r + 3) * scale - offset - y0;
    if (!halfPixel) {  // the legacy mode makes every roi at least one pixel
      roiW = std::max(roiW, 1.0);
      roiH = std::max(roiH, 1.0);
    }
    const double binH = roiH / outH, binW = roiW / outW;
    const int64_t gridH = ratio > 0 ? ratio : static_cast<int64_t>(std::ceil(roiH / outH));
    const int64_t gridW = ratio > 0 ? ratio : static_cast<int64_t>(std::ceil(roiW / outW));
    const double count = std::max<int64_t>(gridH * gridW, 1);
    for (int64_t ch = 0; ch < c; ++ch) {
      const int64_t plane = (b * c + ch) * h * w;
      for (int64_t py = 0; py < outH; ++py)
        for (int64_t px = 0; px < outW; ++px) {
          double acc = 0;
          bool first = true;
          for (int64_t iy = 0; iy < gridH; ++iy)
            for (int64_t ix = 0; ix < gridW; ++ix) {
              const double y = y0 + py * binH + (iy + 0.5) * binH / gridH;
              const double xx = x0 + px * binW + (ix + 0.5) * binW / gridW;
              double sum = 0, best = 0;
              bool any = false;
              bilinear(x, plane, h, w, y, xx, [&](double v, double wt) {
                sum += v * wt;
                best = any ? std::max(best, v * wt) : v * wt;
                any = true;
              });
              if (!maxMode) acc += sum;
              else if (first || best > acc) acc = best;  // a skipped sample counts as 0
              first = false;
            }
          storeF(out, ((r * c + ch) * outH + py) * outW + px, maxMode ? acc : acc / count);
        }
    }
  }
  return std::vector<Tensor>{std::move(out)};
}

llvm::Expected<std::vector<OutputSpec>> lrnSpecs(const Attrs &attrs, const Inputs &in) {
  if (in[0].rank() < 3 || !isFloatType(in[0].dtype))
    return specError("LRN", "input must be float [N, C, ...], got {0} {1}", dtypeName(in[0].dtype),
                     shapeText(*in[0].shape));
  if (attrInt(attrs, "size", 0) < 1) return specError("LRN", "size must be positive");
  return std::vector<OutputSpec>{{in[0].dtype, *in[0].shape, false}};
}

llvm::Expected<std::vector<Tensor>> lrnRun(const Attrs &attrs, const Inputs &in,
                                           const std::vector<OutputSpec> &) {
  const Tensor &x = *in[0].value;
  const int64_t size = attrInt(attrs, "size", 1), c = x.shape[1], inner = product(x.shape, 2);
  const double alpha = attrFloat(attrs, "alpha", 1e-4), beta = attrFloat(attrs, "beta", 0.75),
               bias = attrFloat(attrs, "bias", 1.0);
  const int64_t before = (size - 1) / 2, after = size - 1 - before;  // floor and ceil of (size-1)/2
  Tensor out = makeTensor(x.dtype, x.shape);
  for (int64_t b = 0; b < x.shape[0]; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < inner; ++i) {
        double sq = 0;
        for (int64_t k = std::max<int64_t>(0, ch - before); k <= std::min(c - 1, ch + after); ++k) {
          const double v = loadF(x, (b * c + k) * inner + i);
          sq += v * v;
        }
        const int64_t at = (b * c + ch) * inner + i;
        storeF(out, at, loadF(x, at) / std::pow(bias + alpha / size * sq, beta));
      }
  return std::vector<Tensor>{std::move(out)};
}

}  // namespace

// MaxUnpool zero-fills then scatters; RoiAlign reads 4 corners per sample (a few samples per
// output); LRN sums `size` channels per element.
std::vector<HostOpDef> imageOps() {
  return {{"LRN", 1, 1, 1, lrnSpecs, lrnRun, 0, 10.0},
          {"MaxUnpool", 2, 3, 1, maxUnpoolSpecs, maxUnpoolRun, 1.0, 0.2},
          {"RoiAlign", 3, 3, 1, roiAlignSpecs, roiAlignRun, 0, 40.0}};
}

}  // namespace pfcomp::host
