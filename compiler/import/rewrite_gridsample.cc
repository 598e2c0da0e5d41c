// GridSample (4-D) with a run-time grid, as a batched MatMul: each output position's weight on
// each input pixel is a kernel of the distance between the pixel and the sampled coordinate
// (bilinear: the tent max(0, 1 - |d|) per axis; nearest: Round(x) == pixel; bicubic: the cubic
// convolution kernel, A = -0.75), so weights [N, H*W, Ho*Wo] are built with elementwise device
// ops and X [N, C, H*W] times them gives the output. Pixels outside the image do not exist, which
// is padding_mode zeros; border clamps the coordinate, reflection reflects it first (as PyTorch's
// grid_sample, the reference of ONNX's tests). Cost: N*H*W*Ho*Wo weights, fine for the small
// images GridSample samples in practice; bicubic with border / reflection is refused (their
// taps clamp one at a time, which no per-pixel kernel expresses).
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {
namespace {

std::string attrString(const onnx::NodeProto &n, llvm::StringRef name, const std::string &dflt) {
  const onnx::AttributeProto *a = findAttr(n, name);
  return a ? a->s() : dflt;
}

// The grid coordinate `g` ([N, 1, P], in [-1, 1]) as a pixel coordinate on an axis of `len`.
std::string pixelCoordinate(NodeBuilder &b, const std::string &g, int64_t len, bool alignCorners,
                            const std::string &padding, int32_t type) {
  auto s = [&](double v) { return b.scalar(v, type); };
  std::string x = b.op("Add", {g, s(1)});
  x = alignCorners ? b.op("Mul", {x, s((len - 1) / 2.0)})
                   : b.op("Div", {b.op("Sub", {b.op("Mul", {x, s(len)}), s(1)}), s(2)});
  if (padding == "reflection") {
    // Reflect into [lo, lo + range]: m = t mod 2 range, x = lo + range - |m - range|.
    const double lo = alignCorners ? 0 : -0.5, range = alignCorners ? len - 1 : len;
    if (range > 0) {
      const std::string t = b.op("Sub", {x, s(lo)});
      const std::string wraps = b.op("Floor", {b.op("Div", {t, s(2 * range)})});
      const std::string m = b.op("Sub", {t, b.op("Mul", {wraps, s(2 * range)})});
      x = b.op("Sub", {s(lo + range), b.op("Abs", {b.op("Sub", {m, s(range)})})});
    }
  }
  if (padding == "border" || padding == "reflection")
    x = b.op("Min", {b.op("Max", {x, s(0)}), s(len - 1)});
  return x;
}

// Weights [N, len, P] of the pixels 0..len-1 for coordinates `x` [N, 1, P].
std::string axisWeights(NodeBuilder &b, const std::string &x, int64_t len, const std::string &mode,
                        int32_t type) {
  auto s = [&](double v) { return b.scalar(v, type); };
  HostTensor pixels = HostTensor::make(type, {1, len, 1});
  for (int64_t k = 0; k < len; ++k) pixels.f[k] = k;
  const std::string p = b.tensor(pixels);
  if (mode == "nearest") {
    onnx::NodeProto &cast = b.node("Cast", {b.op("Equal", {b.op("Round", {x}), p})});
    setAttr(cast, "to", static_cast<int64_t>(type));
    return cast.output(0);
  }
  const std::string d = b.op("Abs", {b.op("Sub", {x, p})});
  if (mode == "bilinear") return b.op("Relu", {b.op("Sub", {s(1), d})});
  const double a = -0.75;
  const std::string d2 = b.op("Mul", {d, d});
  // |d| <= 1: ((a + 2) |d| - (a + 3)) d^2 + 1; 1 < |d| < 2: ((a |d| - 5a) |d| + 8a) |d| - 4a.
  const std::string near = b.op("Add", {b.op("Mul", {b.op("Sub", {b.op("Mul", {d, s(a + 2)}), s(a + 3)}), d2}), s(1)});
  const std::string far = b.op("Sub", {b.op("Mul", {b.op("Add", {b.op("Mul", {b.op("Sub", {b.op("Mul", {d, s(a)}), s(5 * a)}), d}), s(8 * a)}), d}), s(4 * a)});
  const std::string outer = b.op("Where", {b.op("Less", {d, s(2)}), far, s(0)});
  return b.op("Where", {b.op("Less", {d, s(1)}), near, outer});
}

}  // namespace

bool rewriteGridSample(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 2 ? c.staticType(n.input(0)) : nullptr;
  const ValueType *grid = x ? c.staticType(n.input(1)) : nullptr;
  if (!x || !grid || n.output_size() != 1 || x->dims.size() != 4 || grid->dims.size() != 4 ||
      grid->dims[3] != 2 || grid->dims[0] != x->dims[0] || !isOnnxFloatType(x->elem_type))
    return false;
  const std::string mode = attrString(n, "mode", "bilinear");
  const std::string padding = attrString(n, "padding_mode", "zeros");
  const bool alignCorners = attrInt(n, "align_corners", 0) != 0;
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic") return false;
  if (padding != "zeros" && padding != "border" && padding != "reflection") return false;
  if (mode == "bicubic" && padding != "zeros") return false;
  const int32_t type = x->elem_type;
  const int64_t batch = x->dims[0], ch = x->dims[1], h = x->dims[2], w = x->dims[3];
  const int64_t ho = grid->dims[1], wo = grid->dims[2], points = ho * wo;
  NodeBuilder b(c, n, out);
  // grid [N, Ho, Wo, 2] -> [N, 2, P]; channel 0 is x (width), 1 is y (height).
  const std::string g = b.transpose(b.reshape(n.input(1), {batch, points, 2}), {0, 2, 1});
  const std::string gx = b.slice(g, 1, 0, 1), gy = b.slice(g, 1, 1, 2);
  const std::string wx = axisWeights(b, pixelCoordinate(b, gx, w, alignCorners, padding, type), w, mode, type);
  const std::string wy = axisWeights(b, pixelCoordinate(b, gy, h, alignCorners, padding, type), h, mode, type);
  // [N, H, 1, P] * [N, 1, W, P] -> [N, H*W, P]
  const std::string weights = b.reshape(
      b.op("Mul", {b.reshape(wy, {batch, h, 1, points}), b.reshape(wx, {batch, 1, w, points})}),
      {batch, h * w, points});
  const std::string sampled = b.op("MatMul", {b.reshape(n.input(0), {batch, ch, h * w}), weights});
  b.reshape(sampled, {batch, ch, ho, wo}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
