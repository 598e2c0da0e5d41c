// Rules for the MAU ops (MatMul, Gemm, Conv) and the window / reduction ops (pooling, Reduce*).
#include "compiler/lowering/rules.h"

#include <cmath>
#include <limits>

namespace pfcomp::lowering::rules {
namespace {

// A matmul operand [batch..., rows, cols] of rank rv inside an output of rank r.
OperandMap matmulOperand(const RuleContext &ctx, const std::string &value, const Dims &space,
                         int rowsFollow, int colsFollow, int rowsRed, int colsRed) {
  OperandMap op;
  op.value = value;
  op.view = ctx.graph.shape(value);
  const int r = space.size(), rv = op.view.size();
  op.kernel_shape.assign(r, 1);
  for (int i = 0; i < rv - 2; ++i) {
    int a = i + (r - rv);
    bool bcast = op.view[i] == 1 && space[a] != 1;
    op.axes.push_back(bcast ? fixed(0, 1) : follow(a, ctx.t(a)));
    op.kernel_shape[a] = bcast ? 1 : ctx.t(a);
  }
  auto axisFor = [&](int followAxis, int redAxis) {
    return redAxis >= 0 ? reduction(redAxis, ctx.c(redAxis)) : follow(followAxis, ctx.t(followAxis));
  };
  op.axes.push_back(axisFor(rowsFollow, rowsRed));
  op.axes.push_back(axisFor(colsFollow, colsRed));
  op.kernel_shape[r - 2] = op.axes[rv - 2].size();
  op.kernel_shape[r - 1] = op.axes[rv - 1].size();
  return op;
}

struct ConvGeometry {
  Dims strides, dilations, kernel, padsBegin;
};

// Pads from `pads` or auto_pad (SAME_UPPER / SAME_LOWER / VALID), per spatial axis.
ConvGeometry geometry(const RuleContext &ctx, const Dims &inSpatial, const Dims &kernel) {
  ConvGeometry g;
  size_t n = inSpatial.size();
  g.kernel = kernel;
  g.strides = ctx.attrInts("strides", Dims(n, 1));
  g.dilations = ctx.attrInts("dilations", Dims(n, 1));
  Dims pads = ctx.attrInts("pads", Dims(2 * n, 0));
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  g.padsBegin.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (inSpatial[i] + g.strides[i] - 1) / g.strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * g.strides[i] + (kernel[i] - 1) * g.dilations[i] + 1 - inSpatial[i]);
      g.padsBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (autoPad != "VALID") {
      g.padsBegin[i] = pads[i];
    }
  }
  return g;
}

// Input window axis for spatial output axis `axis`: the tile's rows plus the kernel's reach.
device::AxisMap spatialWindow(int axis, int64_t tile, int64_t stride, int64_t k, int64_t dil,
                              int64_t padBegin) {
  return follow(axis, (tile - 1) * stride + (k - 1) * dil + 1, stride, -padBegin);
}

}  // namespace

Layers matmul(RuleContext &ctx) {
  Dims a = ctx.inShape(0), b = ctx.inShape(1);
  if (a.size() < 2 || b.size() < 2) return ctx.unsupported("MatMul with a 1-D operand");
  LayerPlan p = ctx.newLayer();
  p.space = ctx.outShape();
  p.red_extent = {a.back()};
  ctx.resolve(p);
  const int r = p.space.size();
  p.kernel_op = "matmul";
  p.inputs.push_back(matmulOperand(ctx, ctx.in(0), p.space, r - 2, -1, -1, 0));
  p.inputs.push_back(matmulOperand(ctx, ctx.in(1), p.space, -1, r - 1, 0, -1));
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = 2.0 * product(p.space) * a.back();
  return std::vector<LayerPlan>{p};
}

Layers gemm(RuleContext &ctx) {
  Dims a = ctx.inShape(0);
  bool transA = ctx.attrInt("transA", 0), transB = ctx.attrInt("transB", 0);
  LayerPlan p = ctx.newLayer();
  p.space = ctx.outShape();
  p.red_extent = {transA ? a[0] : a[1]};
  ctx.resolve(p);
  p.kernel_op = "matmul";
  p.kernel_floats = {ctx.attrFloat("alpha", 1.0)};
  OperandMap A;
  A.value = ctx.in(0);
  A.view = a;
  A.axes = {follow(0, ctx.t(0)), reduction(0, ctx.c(0))};
  if (transA) std::swap(A.axes[0], A.axes[1]), A.lm_perm = {1, 0};
  A.kernel_shape = {ctx.t(0), ctx.c(0)};
  OperandMap B;
  B.value = ctx.in(1);
  B.view = ctx.inShape(1);
  B.axes = {reduction(0, ctx.c(0)), follow(1, ctx.t(1))};
  if (transB) std::swap(B.axes[0], B.axes[1]), B.lm_perm = {1, 0};
  B.kernel_shape = {ctx.c(0), ctx.t(1)};
  p.inputs = {A, B};
  p.output = storeOperand(ctx, ctx.out(), p.space);
  if (ctx.hasIn(2)) {
    double beta = ctx.attrFloat("beta", 1.0);
    if (beta != 0) p.epilogue.push_back({"binary:Add", broadcastOperand(ctx, ctx.in(2), p.space), beta});
  }
  p.flops = 2.0 * product(p.space) * p.red_extent[0];
  return std::vector<LayerPlan>{p};
}

Layers conv(RuleContext &ctx) {
  Dims x = ctx.inShape(0), w = ctx.inShape(1), y = ctx.outShape();
  if (x.size() != 4 && x.size() != 3) return ctx.unsupported("only 1-D and 2-D convolutions run on the device");
  const bool is1d = x.size() == 3;
  const int64_t groups = ctx.attrInt("group", 1);
  const int64_t CO = w[0], Cg = w[1], COg = CO / groups;
  Dims inSpatial(x.begin() + 2, x.end()), kernel(w.begin() + 2, w.end());
  ConvGeometry g = geometry(ctx, inSpatial, kernel);
  LayerPlan p = ctx.newLayer();
  p.space = y;
  p.red_extent = {Cg};
  p.divides.assign(y.size(), 0);
  p.divides[1] = COg;  // a tile of output channels stays inside one group
  ctx.resolve(p);
  p.kernel_op = "conv2d";
  const int64_t sh = is1d ? 1 : g.strides[0], sw = g.strides.back();
  const int64_t dh = is1d ? 1 : g.dilations[0], dw = g.dilations.back();
  p.kernel_ints = {sh, sw, dh, dw};

  OperandMap X;
  X.value = ctx.in(0);
  X.view = x;
  device::AxisMap channels = reduction(0, ctx.c(0));
  channels.set_follows(1);
  channels.set_scale(Cg);
  channels.set_div(COg);
  X.axes = {follow(0, ctx.t(0)), channels};
  for (size_t i = 0; i < inSpatial.size(); ++i)
    X.axes.push_back(spatialWindow(2 + i, ctx.t(2 + i), g.strides[i], kernel[i], g.dilations[i],
                                   g.padsBegin[i]));
  X.kernel_shape = {ctx.t(0), ctx.c(0), is1d ? 1 : X.axes[2].size(), X.axes.back().size()};

  OperandMap W;
  W.value = ctx.in(1);
  W.view = w;
  W.axes = {follow(1, ctx.t(1)), reduction(0, ctx.c(0))};
  for (int64_t k : kernel) W.axes.push_back(fixed(0, k));
  W.kernel_shape = {ctx.t(1), ctx.c(0), is1d ? 1 : kernel[0], kernel.back()};

  p.inputs = {X, W};
  p.output = storeOperand(ctx, ctx.out(), y);
  p.output.kernel_shape = {ctx.t(0), ctx.t(1), is1d ? 1 : ctx.t(2), ctx.t(y.size() - 1)};
  if (ctx.hasIn(2)) {
    OperandMap B;
    B.value = ctx.in(2);
    B.view = {CO};
    B.axes = {follow(1, ctx.t(1))};
    B.kernel_shape = {1, ctx.t(1), 1, 1};
    p.epilogue.push_back({"binary:Add", B, 1.0});
  }
  p.flops = 2.0 * product(y) * Cg * product(kernel);
  return std::vector<LayerPlan>{p};
}

Layers pool(RuleContext &ctx) {
  Dims x = ctx.inShape(0), y = ctx.outShape();
  if (x.size() != 4 && x.size() != 3) return ctx.unsupported("only 1-D and 2-D pooling runs on the device");
  if (ctx.node.outputs_size() > 1 && !ctx.node.outputs(1).empty())
    return ctx.unsupported("MaxPool's Indices output is not produced on the device");
  const bool isMax = ctx.node.op_type() == "MaxPool";
  Dims kernel = ctx.attrInts("kernel_shape");
  ConvGeometry g = geometry(ctx, Dims(x.begin() + 2, x.end()), kernel);
  if (x.size() == 3) {  // 1-D: seen as 2-D with a height of one (same bytes)
    x.insert(x.begin() + 2, 1), y.insert(y.begin() + 2, 1);
    kernel.insert(kernel.begin(), 1);
    g.strides.insert(g.strides.begin(), 1), g.dilations.insert(g.dilations.begin(), 1);
    g.padsBegin.insert(g.padsBegin.begin(), 0);
  }
  LayerPlan p = ctx.newLayer();
  p.space = y;
  ctx.resolve(p);
  p.kernel_op = "pool2d";
  p.kernel_ints = {isMax ? 0 : 1, kernel[0], kernel[1], g.strides[0], g.strides[1],
                   g.dilations[0], g.dilations[1], g.padsBegin[0], g.padsBegin[1],
                   ctx.attrInt("count_include_pad", 0), x[2], x[3]};
  OperandMap X;
  X.value = ctx.in(0);
  X.view = x;
  X.axes = {follow(0, ctx.t(0)), follow(1, ctx.t(1))};
  for (int i = 0; i < 2; ++i)
    X.axes.push_back(spatialWindow(2 + i, ctx.t(2 + i), g.strides[i], kernel[i], g.dilations[i],
                                   g.padsBegin[i]));
  X.kernel_shape = {ctx.t(0), ctx.t(1), X.axes[2].size(), X.axes[3].size()};
  X.pad = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
  p.inputs = {X};
  p.output = storeOperand(ctx, ctx.out(), y);
  p.flops = 1.0 * product(y) * kernel[0] * kernel[1];
  return std::vector<LayerPlan>{p};
}

// Reductions: the reduced axes are reduction axes of the layer (chunked like MatMul's K); the
// output is seen with keepdims so that every input axis has a partner.
static Layers reduceOver(RuleContext &ctx, const Dims &axesIn, const std::string &fn) {
  Dims x = spaceOf(ctx.inShape(0));
  const int r = x.size();
  std::vector<bool> reduced(r, axesIn.empty());
  for (int64_t a : axesIn) reduced[a < 0 ? a + r : a] = true;
  LayerPlan p = ctx.newLayer();
  p.space = x;
  for (int a = 0; a < r; ++a)
    if (reduced[a]) p.space[a] = 1, p.red_extent.push_back(x[a]);
  ctx.resolve(p);
  p.kernel_op = "reduce:" + fn;
  OperandMap X;
  X.value = ctx.in(0);
  X.view = x;
  int red = 0;
  for (int a = 0; a < r; ++a) {
    X.axes.push_back(reduced[a] ? reduction(red, ctx.c(red)) : follow(a, ctx.t(a)));
    X.kernel_shape.push_back(reduced[a] ? ctx.c(red++) : ctx.t(a));
  }
  X.pad = fn == "Max" ? -std::numeric_limits<double>::infinity()
          : fn == "Min" ? std::numeric_limits<double>::infinity() : fn == "Prod" ? 1.0 : 0.0;
  p.inputs = {X};
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.kernel_floats = {static_cast<double>(product(p.red_extent))};
  p.flops = product(x);
  return std::vector<LayerPlan>{p};
}

Layers globalPool(RuleContext &ctx) {
  Dims axes;
  for (size_t a = 2; a < ctx.inShape(0).size(); ++a) axes.push_back(a);
  return reduceOver(ctx, axes, ctx.node.op_type() == "GlobalMaxPool" ? "Max" : "Mean");
}

Layers reduce(RuleContext &ctx) {
  Dims axes = ctx.attrInts("axes");
  if (axes.empty() && ctx.attrInt("noop_with_empty_axes", 0))
    return ctx.unsupported("noop_with_empty_axes is not supported");
  llvm::StringRef op = ctx.node.op_type();
  return reduceOver(ctx, axes, op.drop_front(strlen("Reduce")).str());
}

}  // namespace pfcomp::lowering::rules
