#include "compiler/lowering/lm_residency.h"

#include "compiler/lowering/rules.h"
#include "runtime/device/kernels/kernel.h"

#include "llvm/ADT/STLExtras.h"

namespace pfcomp::lowering {

bool readsOutputTile(const LayerPlan &prev, const LayerPlan &next, int input) {
  if (input < 0 || input >= static_cast<int>(next.inputs.size())) return false;
  if (prev.kernel_op.empty() || next.kernel_op.empty()) return false;  // movement: LM addresses are the input's
  const OperandMap &in = next.inputs[input];
  if (in.value != prev.output.value || prev.space != next.space || prev.dtype != next.dtype) return false;
  if (in.lm_dtype != device::DT_UNDEFINED && in.lm_dtype != next.dtype) return false;
  if (in.indirect_input >= 0 || in.view != prev.space || !in.lm_perm.empty() ||
      in.axes.size() != prev.space.size() || in.kernel_shape != prev.output.kernel_shape)
    return false;
  for (size_t ax = 0; ax < in.axes.size(); ++ax) {
    const auto &m = in.axes[ax];
    if (m.follows() != static_cast<int>(ax) || m.scale() != 1 || m.offset() != 0 || m.step() != 1 ||
        m.red_follows() >= 0 || m.ratio_den() > 0 || m.indirect())
      return false;
  }
  // The producer's output window must be its tile too (the same bytes it would store).
  const OperandMap &out = prev.output;
  if (out.view != prev.space || !out.lm_perm.empty() || out.axes.size() != prev.space.size()) return false;
  for (size_t ax = 0; ax < out.axes.size(); ++ax) {
    const auto &m = out.axes[ax];
    if (m.follows() != static_cast<int>(ax) || m.scale() != 1 || m.offset() != 0 || m.step() != 1)
      return false;
  }
  return true;
}

int64_t outputTileBytes(const LayerPlan &plan) {
  return (rules::product(plan.output.kernel_shape) * device::dtypeBytes(plan.dtype) + 63) / 64 * 64;
}

LmResidency::LmResidency(const ir::Graph &graph) {
  const ir::Schedule &s = graph.schedule();
  for (int i = 0; i < s.order_size(); ++i) position_[s.order(i)] = i;
  std::map<std::string, int> producerPos;
  for (const ir::Node &n : graph.nodes())
    for (const std::string &o : n.outputs()) producerPos[o] = position_.count(n.name()) ? position_[n.name()] : 0;
  for (const auto &r : s.residents()) {
    Live live{&r, producerPos[r.value()], producerPos[r.value()]};
    for (const std::string &reader : r.readers())
      if (auto it = position_.find(reader); it != position_.end()) live.last = std::max(live.last, it->second);
    byValue_[r.value()] = live;
  }
}

bool LmResidency::involves(const std::vector<const ir::Node *> &nodes) const {
  for (const ir::Node *n : nodes) {
    for (const std::string &o : n->outputs())
      if (byValue_.count(o)) return true;
    for (const std::string &in : n->inputs())
      if (auto it = byValue_.find(in);
          it != byValue_.end() && llvm::is_contained(it->second.resident->readers(), n->name()))
        return true;
  }
  return false;
}

int64_t LmResidency::scratchLimit(const std::vector<const ir::Node *> &nodes) const {
  int first = INT32_MAX, last = -1;
  for (const ir::Node *n : nodes)
    if (auto it = position_.find(n->name()); it != position_.end())
      first = std::min(first, it->second), last = std::max(last, it->second);
  int64_t limit = -1;
  for (const auto &[value, live] : byValue_)
    if (live.first <= last && live.last >= first)
      limit = limit < 0 ? live.resident->lm_addr() : std::min(limit, live.resident->lm_addr());
  return limit;
}

int64_t LmResidency::decorate(const std::vector<const ir::Node *> &nodes, std::vector<ChainLink> &links) const {
  for (size_t k = 0; k < nodes.size(); ++k) {
    const ir::Node &n = *nodes[k];
    ChainLink &link = links[k];
    for (int i = 0; i < n.inputs_size(); ++i) {
      auto it = byValue_.find(n.inputs(i));
      if (it == byValue_.end() || !llvm::is_contained(it->second.resident->readers(), n.name())) continue;
      link.lm_inputs.resize(n.inputs_size());
      link.lm_inputs[i] = {it->second.resident->lm_addr(), it->second.resident->step_bytes()};
    }
  }
  if (auto it = byValue_.find(nodes.back()->outputs(0)); it != byValue_.end()) {
    links.back().lm_output = {it->second.resident->lm_addr(), it->second.resident->step_bytes()};
    links.back().store = it->second.resident->store();
  }
  return scratchLimit(nodes);
}

}  // namespace pfcomp::lowering
