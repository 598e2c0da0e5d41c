#include "compiler/lowering/rule_context.h"

#include <algorithm>

namespace pfcomp::lowering::rules {

void RuleContext::resolve(LayerPlan &plan) {
  t_.clear();
  c_.clear();
  for (size_t a = 0; a < plan.space.size(); ++a)
    t_.push_back(a < tile_.out.size() ? std::min(tile_.out[a], plan.space[a]) : plan.space[a]);
  for (size_t r = 0; r < plan.red_extent.size(); ++r)
    c_.push_back(r < tile_.chunk.size() ? std::min(tile_.chunk[r], plan.red_extent[r])
                                        : plan.red_extent[r]);
  if (plan.splittable.empty()) plan.splittable.assign(plan.space.size(), true);
  if (plan.divides.empty()) plan.divides.assign(plan.space.size(), 0);
}

const ir::Attribute *RuleContext::attr(const char *name) const {
  for (const auto &a : node.attrs())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t RuleContext::attrInt(const char *name, int64_t dflt) const {
  const ir::Attribute *a = attr(name);
  return a ? a->i() : dflt;
}

double RuleContext::attrFloat(const char *name, double dflt) const {
  const ir::Attribute *a = attr(name);
  return a ? a->f() : dflt;
}

std::string RuleContext::attrString(const char *name, const std::string &dflt) const {
  const ir::Attribute *a = attr(name);
  return a ? a->s() : dflt;
}

Dims RuleContext::attrInts(const char *name, Dims dflt) const {
  const ir::Attribute *a = attr(name);
  return a ? Dims(a->ints().begin(), a->ints().end()) : dflt;
}

LayerPlan RuleContext::newLayer(const std::string &suffix) const {
  LayerPlan p;
  p.name = node.name() + suffix;
  p.op_type = node.op_type();
  p.dtype = static_cast<device::DType>(graph.value(out()).dtype());
  return p;
}

llvm::Error RuleContext::unsupported(const llvm::Twine &why) const {
  return makeError(ErrorCode::UnsupportedOp, "node '{0}' ({1}): {2}", node.name(), node.op_type(),
                   why.str());
}

device::AxisMap follow(int axis, int64_t size, int64_t scale, int64_t offset, int64_t step) {
  device::AxisMap m;
  m.set_follows(axis);
  m.set_scale(scale);
  m.set_red_follows(-1);
  m.set_offset(offset);
  m.set_size(size);
  m.set_step(step);
  return m;
}

device::AxisMap fixed(int64_t offset, int64_t size) {
  device::AxisMap m;
  m.set_follows(-1);
  m.set_red_follows(-1);
  m.set_offset(offset);
  m.set_size(size);
  m.set_step(1);
  return m;
}

device::AxisMap reduction(int redAxis, int64_t size) {
  device::AxisMap m = fixed(0, size);
  m.set_red_follows(redAxis);
  m.set_red_scale(1);
  return m;
}

OperandMap broadcastOperand(const RuleContext &ctx, const std::string &value, const Dims &space) {
  OperandMap op;
  op.value = value;
  op.view = ctx.graph.shape(value);
  const int r = space.size(), rv = op.view.size();
  op.kernel_shape.assign(r, 1);
  for (int i = 0; i < rv; ++i) {
    int a = i + (r - rv);
    if (op.view[i] == 1 && space[a] != 1) {
      op.axes.push_back(fixed(0, 1));
    } else {
      op.axes.push_back(follow(a, ctx.t(a)));
      op.kernel_shape[a] = ctx.t(a);
    }
  }
  if (op.view.empty()) {  // a scalar is seen as one element
    op.view = {1};
    op.axes.push_back(fixed(0, 1));
  }
  return op;
}

OperandMap storeOperand(const RuleContext &ctx, const std::string &value, const Dims &view,
                        const Dims &offset) {
  OperandMap op;
  op.value = value;
  op.view = view;
  for (size_t a = 0; a < view.size(); ++a)
    op.axes.push_back(follow(a, ctx.t(a), 1, a < offset.size() ? offset[a] : 0));
  op.kernel_shape = ctx.tile();
  return op;
}

}  // namespace pfcomp::lowering::rules
