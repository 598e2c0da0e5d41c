// Rules for pure data movement: each tile is loaded (permuted / offset) and stored as it is.
#include "compiler/lowering/rules.h"

namespace pfcomp::lowering::rules {
namespace {

int normAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + rank : axis; }

// A copy layer: `space` tiles of the output view at `outOffset`, read from `in`.
LayerPlan copyLayer(RuleContext &ctx, const std::string &suffix, const Dims &space,
                    const std::function<OperandMap()> &makeInput, const std::string &outValue,
                    const Dims &outView, const Dims &outOffset) {
  LayerPlan p = ctx.newLayer(suffix);
  p.space = space;
  ctx.resolve(p);
  p.inputs.push_back(makeInput());
  p.output = storeOperand(ctx, outValue, outView, outOffset);
  return p;
}

OperandMap identityWindow(RuleContext &ctx, const std::string &value, const Dims &view, int axis = -1,
                          int64_t offset = 0) {
  OperandMap m;
  m.value = value;
  m.view = view;
  for (size_t a = 0; a < view.size(); ++a)
    m.axes.push_back(follow(a, ctx.t(a), 1, static_cast<int>(a) == axis ? offset : 0));
  m.kernel_shape = ctx.tile();
  return m;
}

}  // namespace

// Cast: a copy whose load converts to the output's element type (the layer's LM type).
Layers cast(RuleContext &ctx) {
  Dims y = spaceOf(ctx.outShape());
  auto input = [&] { return identityWindow(ctx, ctx.in(0), spaceOf(ctx.inShape(0))); };
  return std::vector<LayerPlan>{copyLayer(ctx, "", y, input, ctx.out(), y, {})};
}

Layers transpose(RuleContext &ctx) {
  Dims x = ctx.inShape(0);
  Dims perm = ctx.attrInts("perm");
  if (perm.empty())
    for (int a = x.size() - 1; a >= 0; --a) perm.push_back(a);
  Dims y = spaceOf(ctx.outShape());
  auto input = [&] {
    OperandMap m;
    m.value = ctx.in(0);
    m.view = spaceOf(x);
    m.axes.resize(m.view.size());
    for (size_t j = 0; j < perm.size(); ++j) {
      m.axes[perm[j]] = follow(j, ctx.t(j));
      m.lm_perm.push_back(perm[j]);
    }
    m.kernel_shape = ctx.tile();
    return m;
  };
  return std::vector<LayerPlan>{copyLayer(ctx, "", y, input, ctx.out(), y, {})};
}

Layers slice(RuleContext &ctx) {
  Dims x = ctx.inShape(0), y = ctx.outShape();
  Dims starts = ctx.attrInts("starts"), ends = ctx.attrInts("ends"), axes = ctx.attrInts("axes"),
       steps = ctx.attrInts("steps");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(i);
  auto input = [&] {
    OperandMap m = identityWindow(ctx, ctx.in(0), x);
    for (size_t i = 0; i < axes.size(); ++i) {
      int a = normAxis(axes[i], x.size());
      int64_t step = i < steps.size() ? steps[i] : 1;
      int64_t start = starts[i];
      if (start < 0) start += x[a];
      // Clamp as ONNX does: [0, dim] for positive steps, [0, dim - 1] for negative ones.
      start = std::max<int64_t>(0, std::min<int64_t>(start, step > 0 ? x[a] : x[a] - 1));
      m.axes[a] = follow(a, ctx.t(a), step, start, step);
    }
    return m;
  };
  return std::vector<LayerPlan>{copyLayer(ctx, "", y, input, ctx.out(), y, {})};
}

Layers concat(RuleContext &ctx) {
  Dims y = ctx.outShape();
  int axis = normAxis(ctx.attrInt("axis", 0), y.size());
  std::vector<LayerPlan> layers;
  int64_t offset = 0;
  for (int i = 0; i < ctx.node.inputs_size(); ++i) {
    Dims x = ctx.inShape(i);
    if (x[axis] == 0) continue;
    Dims outOffset(y.size(), 0);
    outOffset[axis] = offset;
    auto input = [&] { return identityWindow(ctx, ctx.in(i), x); };
    layers.push_back(copyLayer(ctx, "#" + std::to_string(i), x, input, ctx.out(), y, outOffset));
    offset += x[axis];
  }
  return layers;
}

Layers split(RuleContext &ctx) {
  Dims x = ctx.inShape(0);
  int axis = normAxis(ctx.attrInt("axis", 0), x.size());
  std::vector<LayerPlan> layers;
  int64_t offset = 0;
  for (int j = 0; j < ctx.node.outputs_size(); ++j) {
    Dims y = ctx.outShape(j);
    if (!ctx.node.outputs(j).empty() && y[axis] > 0) {
      auto input = [&] { return identityWindow(ctx, ctx.in(0), x, axis, offset); };
      layers.push_back(copyLayer(ctx, "#" + std::to_string(j), y, input, ctx.out(j), y, {}));
    }
    offset += y[axis];
  }
  return layers;
}

// Gather with run-time indices: the output seen as [before, indices, after]; each PE loads its
// tile of indices, then the rows they name through an indirect window.
static Layers gatherRuntime(RuleContext &ctx) {
  Dims x = ctx.inShape(0);
  int axis = normAxis(ctx.attrInt("axis", 0), x.size());
  int64_t before = 1, after = 1, n = std::max<int64_t>(1, product(ctx.inShape(1)));
  for (int a = 0; a < axis; ++a) before *= x[a];
  for (size_t a = axis + 1; a < x.size(); ++a) after *= x[a];
  LayerPlan p = ctx.newLayer();
  p.space = {before, n, after};
  ctx.resolve(p);
  OperandMap idx;
  idx.value = ctx.in(1);
  idx.view = {n};
  idx.axes = {follow(1, ctx.t(1))};
  idx.kernel_shape = {ctx.t(1)};
  idx.lm_dtype = static_cast<device::DType>(ctx.graph.value(ctx.in(1)).dtype());
  OperandMap data;
  data.value = ctx.in(0);
  data.view = {before, x[axis], after};
  device::AxisMap rows = fixed(0, ctx.t(1));
  rows.set_indirect(true);
  rows.set_indirect_dtype(idx.lm_dtype);
  data.axes = {follow(0, ctx.t(0)), rows, follow(2, ctx.t(2))};
  data.kernel_shape = ctx.tile();
  data.indirect_input = 0;
  p.inputs = {idx, data};
  p.stored_input = 1;
  p.output = storeOperand(ctx, ctx.out(), p.space);
  return std::vector<LayerPlan>{p};
}

// Gather with constant indices: one copy layer per run of consecutive index values.
Layers gather(RuleContext &ctx) {
  const ir::Value &indices = ctx.graph.value(ctx.in(1));
  if (indices.kind() != ir::Value::PARAM) return gatherRuntime(ctx);
  Dims x = ctx.inShape(0);
  int axis = normAxis(ctx.attrInt("axis", 0), x.size());
  std::vector<int64_t> idx;
  const std::string &raw = indices.data();
  if (indices.dtype() == ir::I64) {
    idx.resize(raw.size() / 8);
    std::memcpy(idx.data(), raw.data(), raw.size());
  } else if (indices.dtype() == ir::I32) {
    std::vector<int32_t> i32(raw.size() / 4);
    std::memcpy(i32.data(), raw.data(), raw.size());
    idx.assign(i32.begin(), i32.end());
  } else {
    return ctx.unsupported("Gather indices must be int32 or int64");
  }
  for (int64_t &v : idx) {
    if (v < 0) v += x[axis];
    if (v < 0 || v >= x[axis]) return ctx.unsupported("Gather index out of range");
  }
  // The output seen as x with the gathered axis replaced by the flat index list.
  Dims view = x;
  view[axis] = idx.size();
  std::vector<LayerPlan> layers;
  for (size_t begin = 0; begin < idx.size();) {
    size_t end = begin + 1;
    while (end < idx.size() && idx[end] == idx[end - 1] + 1) ++end;
    Dims space = x;
    space[axis] = end - begin;
    Dims outOffset(x.size(), 0);
    outOffset[axis] = begin;
    int64_t first = idx[begin];
    auto input = [&] { return identityWindow(ctx, ctx.in(0), x, axis, first); };
    layers.push_back(copyLayer(ctx, "#" + std::to_string(layers.size()), space, input, ctx.out(),
                               view, outOffset));
    begin = end;
  }
  return layers;
}

}  // namespace pfcomp::lowering::rules
