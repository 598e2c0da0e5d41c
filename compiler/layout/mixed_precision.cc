#include "compiler/layout/mixed_precision.h"

#include "compiler/ir/op_support.h"

#include "runtime/device/element_convert.h"

#include <map>
#include <set>

namespace pfcomp::layout {
namespace {

bool isMauOp(const std::string &op) {
  return op == "Conv" || op == "ConvTranspose" || op == "MatMul" || op == "Gemm";
}

}  // namespace

int applyMixedPrecision(ir::Graph &graph) {
  std::map<std::string, std::set<bool>> consumerIsMau;  // value -> kinds of consumers
  std::set<std::string> mauOutputs;
  for (const ir::Node &n : graph.nodes()) {
    for (const std::string &in : n.inputs())
      if (!in.empty()) consumerIsMau[in].insert(isMauOp(n.op_type()));
    if (isMauOp(n.op_type()))
      for (const std::string &out : n.outputs()) mauOutputs.insert(out);
  }
  int changed = 0;
  for (ir::Value &v : *graph.mutable_values()) {
    if (v.dtype() != ir::F32) continue;
    bool retype = mauOutputs.count(v.name()) != 0;
    if (v.kind() == ir::Value::PARAM) {
      auto it = consumerIsMau.find(v.name());
      retype = it != consumerIsMau.end() && it->second == std::set<bool>{true};
      if (retype) {
        size_t n = v.data().size() / 4;
        std::string half(n * 2, '\0');
        device::convertElements(device::F32, v.data().data(), device::F16, half.data(), n);
        v.set_data(half);
      }
    }
    if (retype) {
      v.set_dtype(ir::F16);
      ++changed;
    }
  }
  // An alias op (Reshape, Flatten, ...) moves no data: its output is the same bytes, so it
  // has its input's element type (read as fp32 it would be garbage).
  std::map<std::string, ir::Value *> byName;
  for (ir::Value &v : *graph.mutable_values()) byName[v.name()] = &v;
  for (bool again = true; again;) {
    again = false;
    for (const ir::Node &n : graph.nodes()) {
      if (!ir::isAliasOp(n.op_type()) || n.inputs_size() < 1 || n.outputs_size() < 1) continue;
      auto in = byName.find(n.inputs(0)), out = byName.find(n.outputs(0));
      if (in == byName.end() || out == byName.end()) continue;
      if (in->second->dtype() == ir::F16 && out->second->dtype() == ir::F32) {
        out->second->set_dtype(ir::F16);
        ++changed, again = true;
      }
    }
  }
  return changed;
}

}  // namespace pfcomp::layout
