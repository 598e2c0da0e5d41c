// Rules for elementwise ops, softmax and layer normalisation.
#include "compiler/lowering/rules.h"

#include "compiler/ir/dtype.h"

#include <cmath>

namespace pfcomp::lowering::rules {

int64_t product(const Dims &d) {
  int64_t n = 1;
  for (int64_t v : d) n *= v;
  return n;
}

Layers unary(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(ctx.outShape());
  ctx.resolve(p);
  const std::string &op = ctx.node.op_type();
  p.kernel_op = "unary:" + op;
  if (op == "LeakyRelu") p.kernel_floats = {ctx.attrFloat("alpha", 0.01)};
  if (op == "Elu") p.kernel_floats = {ctx.attrFloat("alpha", 1.0)};
  if (op == "Selu")
    p.kernel_floats = {ctx.attrFloat("alpha", 1.67326319217681884765625),
                       ctx.attrFloat("gamma", 1.05070102214813232421875)};
  if (op == "HardSigmoid") p.kernel_floats = {ctx.attrFloat("alpha", 0.2), ctx.attrFloat("beta", 0.5)};
  if (op == "Clip") p.kernel_floats = {ctx.attrFloat("min", -INFINITY), ctx.attrFloat("max", INFINITY)};
  if (op == "Gelu" && ctx.attrString("approximate", "none") == "tanh") p.kernel_op = "unary:GeluTanh";
  if (op == "ThresholdedRelu") p.kernel_floats = {ctx.attrFloat("alpha", 1.0)};
  if (op == "Shrink") p.kernel_floats = {ctx.attrFloat("bias", 0.0), ctx.attrFloat("lambd", 0.5)};
  if (op == "IsInf")
    p.kernel_floats = {double(ctx.attrInt("detect_positive", 1)), double(ctx.attrInt("detect_negative", 1))};
  p.inputs.push_back(broadcastOperand(ctx, ctx.in(0), p.space));
  if (op == "Clip" && (ctx.hasIn(1) || ctx.hasIn(2))) {
    // Bounds computed at run time: a clamp against broadcast operands.
    p.kernel_op = "clamp";
    p.kernel_ints = {ctx.hasIn(1), ctx.hasIn(2)};
    for (int i = 1; i <= 2; ++i)
      if (ctx.hasIn(i)) p.inputs.push_back(broadcastOperand(ctx, ctx.in(i), p.space));
  }
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = product(p.space);
  return std::vector<LayerPlan>{p};
}

Layers binary(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(ctx.outShape());
  ctx.resolve(p);
  const std::string &op = ctx.node.op_type();
  const bool intTile = ir::isInteger(ctx.graph.value(ctx.out()).dtype());
  if (op == "Mod" && !intTile && ctx.attrInt("fmod", 0) == 0)
    return ctx.unsupported("Mod on floats needs fmod=1 (fmod=0, the divisor's sign, is defined for integers)");
  if (op == "BitShift" && !intTile) return ctx.unsupported("BitShift needs integer tensors");
  p.kernel_op = "binary:" + op;
  if (op == "Mod") p.kernel_ints = {ctx.attrInt("fmod", 0)};
  if (op == "BitShift") p.kernel_ints = {ctx.attrString("direction", "") == "LEFT"};
  p.inputs.push_back(broadcastOperand(ctx, ctx.in(0), p.space));
  p.inputs.push_back(broadcastOperand(ctx, ctx.in(1), p.space));
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = product(p.space);
  return std::vector<LayerPlan>{p};
}

static int normAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + rank : axis; }

Layers softmax(RuleContext &ctx) {
  LayerPlan p = ctx.newLayer();
  Dims shape = spaceOf(ctx.outShape());
  int axis = normAxis(ctx.attrInt("axis", ctx.graph.opset() >= 13 ? -1 : 1), shape.size());
  // Before opset 13 the op normalises over every axis from `axis` on: view it as 2-D.
  if (ctx.graph.opset() < 13 && axis != static_cast<int>(shape.size()) - 1) {
    Dims outer(shape.begin(), shape.begin() + axis), inner(shape.begin() + axis, shape.end());
    shape = {product(outer), product(inner)};
    axis = 1;
  }
  p.space = shape;
  p.splittable.assign(shape.size(), true);
  p.splittable[axis] = false;
  ctx.resolve(p);
  p.kernel_op = ctx.node.op_type() == "LogSoftmax" ? "logsoftmax" : "softmax";
  p.kernel_ints = {axis};
  OperandMap in = storeOperand(ctx, ctx.in(0), shape);
  p.inputs.push_back(in);
  p.output = storeOperand(ctx, ctx.out(), shape);
  p.flops = 5.0 * product(shape);
  return std::vector<LayerPlan>{p};
}

Layers layerNorm(RuleContext &ctx) {
  if (ctx.node.outputs_size() > 1)
    for (int i = 1; i < ctx.node.outputs_size(); ++i)
      if (!ctx.node.outputs(i).empty())
        return ctx.unsupported("the Mean / InvStdDev outputs are not produced on the device");
  LayerPlan p = ctx.newLayer();
  p.space = spaceOf(ctx.outShape());
  int axis = normAxis(ctx.attrInt("axis", -1), p.space.size());
  p.splittable.assign(p.space.size(), true);
  for (size_t a = axis; a < p.space.size(); ++a) p.splittable[a] = false;
  ctx.resolve(p);
  p.kernel_op = "layernorm";
  p.kernel_ints = {axis};
  p.kernel_floats = {ctx.attrFloat("epsilon", 1e-5)};
  p.inputs.push_back(storeOperand(ctx, ctx.in(0), p.space));
  for (int i = 1; i <= 2; ++i) {
    if (!ctx.hasIn(i)) continue;
    OperandMap m;
    m.value = ctx.in(i);
    m.view = spaceOf(ctx.inShape(i));
    for (int64_t d : m.view) m.axes.push_back(fixed(0, d));
    m.kernel_shape = {product(m.view)};
    p.inputs.push_back(m);
  }
  p.output = storeOperand(ctx, ctx.out(), p.space);
  p.flops = 8.0 * product(p.space);
  return std::vector<LayerPlan>{p};
}

}  // namespace pfcomp::lowering::rules
