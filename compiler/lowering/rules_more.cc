// Rules for the coverage ops: selection (Where), arg-reductions, scans, instance normalisation,
// resampling (Resize, ConvTranspose) and padding / broadcasting copies (Pad, Expand).
#include "compiler/lowering/rules.h"

#include <cmath>
#include <cstring>

namespace pfcomp::lowering::rules {
namespace {

int normAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + rank : axis; }
int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Window axis moving at in/out speed (resampling), `margin` extra elements on each side.
device::AxisMap ratioWindow(int axis, int64_t num, int64_t den, int64_t offset, int64_t size) {
  device::AxisMap m = follow(axis, size, 1, offset);
  m.set_ratio_num(num);
  m.set_ratio_den(den);
  return m;
}

}  // namespace

Layers where(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(ctx.outShape());
  ctx.resolve(p);
  p.kernel_op = "where";
  for (int i = 0; i < 3; ++i) p.inputs.push_back(broadcastOperand(ctx, ctx.in(i), p.space));
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = product(p.space);
  return std::vector<LayerPlan>{p};
}

Layers argReduce(RuleContext &ctx) {
  Dims x = spaceOf(ctx.inShape(0));
  int axis = normAxis(ctx.attrInt("axis", 0), x.size());
  LayerPlan p = ctx.newLayer();
  p.space = x;
  p.space[axis] = 1;
  ctx.resolve(p);
  p.kernel_op = ctx.node.op_type() == "ArgMax" ? "argreduce:Max" : "argreduce:Min";
  p.kernel_ints = {axis, ctx.attrInt("select_last_index", 0)};
  OperandMap X = storeOperand(ctx, ctx.in(0), x);
  X.axes[axis] = fixed(0, x[axis]);
  X.kernel_shape[axis] = x[axis];
  p.inputs = {X};
  p.output = storeOperand(ctx, ctx.out(), p.space);  // keepdims view of the output
  p.flops = product(x);
  return std::vector<LayerPlan>{p};
}

Layers cumSum(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(ctx.outShape());
  int axis = normAxis(ctx.attrInt("axis", 0), p.space.size());
  p.splittable.assign(p.space.size(), true);
  p.splittable[axis] = false;
  ctx.resolve(p);
  p.kernel_op = "cumsum";
  p.kernel_ints = {axis, ctx.attrInt("exclusive", 0), ctx.attrInt("reverse", 0)};
  p.inputs = {storeOperand(ctx, ctx.in(0), p.space)};
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = product(p.space);
  return std::vector<LayerPlan>{p};
}

Layers hardmax(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(ctx.outShape());
  int axis = normAxis(ctx.attrInt("axis", -1), p.space.size());
  p.splittable.assign(p.space.size(), true);
  p.splittable[axis] = false;
  ctx.resolve(p);
  p.kernel_op = "hardmax";
  p.kernel_ints = {axis};
  p.inputs = {storeOperand(ctx, ctx.in(0), p.space)};
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = 2.0 * product(p.space);
  return std::vector<LayerPlan>{p};
}

// Trilu: k must be constant (a PARAM); the kernel keeps elements by their absolute row and
// column, which it learns from the tile's position.
Layers trilu(RuleContext &ctx) {
  int64_t k = 0;
  if (ctx.hasIn(1)) {
    const ir::Value &kv = ctx.graph.value(ctx.in(1));
    if (kv.kind() != ir::Value::PARAM || kv.data().size() < 8 || kv.dtype() != ir::I64)
      return ctx.unsupported("Trilu's k must be a constant int64");
    std::memcpy(&k, kv.data().data(), 8);
  }
  LayerPlan p = ctx.newLayer();
  p.space = ctx.outShape();
  if (p.space.size() < 2) return ctx.unsupported("Trilu needs a rank of at least 2");
  ctx.resolve(p);
  const int64_t r = p.space.size();
  p.kernel_op = "trilu";
  p.kernel_ints = {ctx.attrInt("upper", 1), k, r - 2, r - 1};
  p.inputs = {storeOperand(ctx, ctx.in(0), p.space)};
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = product(p.space);
  return std::vector<LayerPlan>{p};
}

Layers instanceNorm(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  p.space = ctx.outShape();
  p.splittable.assign(p.space.size(), false);
  p.splittable[0] = p.splittable[1] = true;
  ctx.resolve(p);
  p.kernel_op = "instancenorm";
  p.kernel_floats = {ctx.attrFloat("epsilon", 1e-5)};
  p.inputs = {storeOperand(ctx, ctx.in(0), p.space)};
  for (int i = 1; i <= 2; ++i) {
    OperandMap m;
    m.value = ctx.in(i);
    m.view = ctx.inShape(i);
    m.axes = {follow(1, ctx.t(1))};
    m.kernel_shape = {ctx.t(1)};
    p.inputs.push_back(m);
  }
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = 8.0 * product(p.space);
  return std::vector<LayerPlan>{p};
}

Layers resize(RuleContext &ctx) {
  Dims x = ctx.inShape(0), y = ctx.outShape();
  std::string mode = ctx.attrString("mode", "nearest");
  if (mode != "nearest" && mode != "linear")
    return ctx.unsupported("Resize mode '" + mode + "' is not supported (nearest, linear are)");
  static const char *coordModes[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                     "asymmetric", "tf_half_pixel_for_nn"};
  static const char *nearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  auto indexOf = [](const char *const *names, int n, const std::string &v) {
    for (int i = 0; i < n; ++i)
      if (v == names[i]) return i;
    return -1;
  };
  int coord = indexOf(coordModes, 5, ctx.attrString("coordinate_transformation_mode", "half_pixel"));
  int nearest = indexOf(nearestModes, 4, ctx.attrString("nearest_mode", "round_prefer_floor"));
  if (coord < 0 || nearest < 0) return ctx.unsupported("unsupported coordinate_transformation_mode or nearest_mode");
  const ir::Attribute *scales = ctx.attr("scales");
  LayerPlan p = ctx.newLayer();
  p.space = y;
  ctx.resolve(p);
  p.kernel_op = "resize";
  p.kernel_ints = {mode == "linear" ? 1 : 0, coord, nearest};
  OperandMap X;
  X.value = ctx.in(0);
  X.view = x;
  for (size_t a = 0; a < x.size(); ++a) {
    double scale = scales && scales->floats_size() == int(x.size()) ? scales->floats(a) : double(y[a]) / x[a];
    bool identity = x[a] == y[a] && scale == 1.0;
    int64_t margin = identity ? 0 : 2;
    int64_t size = identity ? ctx.t(a) : (ctx.t(a) * x[a] + y[a] - 1) / y[a] + 2 * margin + 1;
    X.axes.push_back(ratioWindow(a, x[a], y[a], -margin, size));
    X.kernel_shape.push_back(size);
    p.kernel_ints.insert(p.kernel_ints.end(), {x[a], y[a], -margin});
    p.kernel_floats.push_back(scale);
  }
  p.inputs = {X};
  p.output = storeOperand(ctx, ctx.out(), y);
  p.flops = product(y) * (mode == "linear" ? 4.0 : 1.0);
  return std::vector<LayerPlan>{p};
}

Layers convTranspose(RuleContext &ctx) {
  Dims x = ctx.inShape(0), w = ctx.inShape(1), y = ctx.outShape();
  if (x.size() != 4 && x.size() != 3) return ctx.unsupported("only 1-D and 2-D transposed convolutions run on the device");
  if (ctx.attrInt("group", 1) != 1) return ctx.unsupported("grouped ConvTranspose is not supported yet");
  const size_t ns = x.size() - 2;
  Dims strides = ctx.attrInts("strides", Dims(ns, 1)), dil = ctx.attrInts("dilations", Dims(ns, 1)),
       pads = ctx.attrInts("pads", Dims(2 * ns, 0));
  LayerPlan p = ctx.newLayer();
  p.space = y;
  p.red_extent = {x[1]};
  ctx.resolve(p);
  p.kernel_op = "convtranspose2d";
  OperandMap X;
  X.value = ctx.in(0);
  X.view = x;
  X.axes = {follow(0, ctx.t(0)), reduction(0, ctx.c(0))};
  Dims spatialSizes;
  std::vector<int64_t> params;
  if (ns == 1) params = {1, 1, 0, 1, 0, -1};  // no H axis
  for (size_t i = 0; i < ns; ++i) {
    int64_t K = w[2 + i], s = strides[i], d = dil[i], pb = pads[i];
    int64_t off = floorDiv(pb - (K - 1) * d, s);
    int64_t size = (ctx.t(2 + i) - 1 + (K - 1) * d) / s + 4;
    X.axes.push_back(ratioWindow(2 + i, 1, s, off, size));
    spatialSizes.push_back(size);
    params.insert(params.end(), {s, d, pb, x[2 + i], off, int64_t(2 + i)});
  }
  X.kernel_shape = {ctx.t(0), ctx.c(0), ns == 1 ? 1 : spatialSizes[0], spatialSizes.back()};
  p.kernel_ints = params;
  OperandMap W;
  W.value = ctx.in(1);
  W.view = w;
  W.axes = {reduction(0, ctx.c(0)), follow(1, ctx.t(1))};
  for (size_t i = 0; i < ns; ++i) W.axes.push_back(fixed(0, w[2 + i]));
  W.kernel_shape = {ctx.c(0), ctx.t(1), ns == 1 ? 1 : w[2], w.back()};
  p.inputs = {X, W};
  p.output = storeOperand(ctx, ctx.out(), y);
  p.output.kernel_shape = {ctx.t(0), ctx.t(1), ns == 1 ? 1 : ctx.t(2), ctx.t(y.size() - 1)};
  if (ctx.hasIn(2)) {
    OperandMap B;
    B.value = ctx.in(2);
    B.view = {y[1]};
    B.axes = {follow(1, ctx.t(1))};
    B.kernel_shape = {1, ctx.t(1), 1, 1};
    p.epilogue.push_back({"binary:Add", B, 1.0});
  }
  int64_t k = 1;
  for (size_t i = 2; i < w.size(); ++i) k *= w[i];
  p.flops = 2.0 * product(x) * w[1] * k;
  return std::vector<LayerPlan>{p};
}

Layers pad(RuleContext &ctx) {
  std::string mode = ctx.attrString("mode", "constant");
  if (mode != "constant") return ctx.unsupported("Pad mode '" + mode + "' is not supported (constant is)");
  Dims x = ctx.inShape(0), y = ctx.outShape(), pads = ctx.attrInts("pads", Dims(2 * x.size(), 0));
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(y);
  ctx.resolve(p);
  OperandMap in;
  in.value = ctx.in(0);
  in.view = spaceOf(x);
  for (size_t a = 0; a < in.view.size(); ++a)
    in.axes.push_back(follow(a, ctx.t(a), 1, a < x.size() ? -pads[a] : 0));
  in.kernel_shape = ctx.tile();
  in.pad = ctx.attrFloat("value", 0.0);
  p.inputs = {in};
  p.output = storeOperand(ctx, ctx.out(), p.space);
  return std::vector<LayerPlan>{p};
}

Layers expand(RuleContext &ctx) {
  Dims y = spaceOf(ctx.outShape()), x = ctx.inShape(0);
  LayerPlan p = ctx.newLayer();
  p.space = y;
  ctx.resolve(p);
  OperandMap in;
  in.value = ctx.in(0);
  in.view = Dims(y.size() - x.size(), 1);  // the input seen at the output's rank
  in.view.insert(in.view.end(), x.begin(), x.end());
  for (size_t a = 0; a < y.size(); ++a)
    in.axes.push_back(in.view[a] == 1 && y[a] != 1 ? follow(a, ctx.t(a), 0, 0, 0) : follow(a, ctx.t(a)));
  in.kernel_shape = ctx.tile();
  p.inputs = {in};
  p.output = storeOperand(ctx, ctx.out(), y);
  return std::vector<LayerPlan>{p};
}

}  // namespace pfcomp::lowering::rules
