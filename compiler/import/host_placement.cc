#include "compiler/import/host_placement.h"

#include "runtime/host/host_ops.h"
#include "support/error.h"

#include "llvm/ADT/STLExtras.h"

namespace pfcomp::import {
namespace {

host::Attrs hostAttrs(const ir::Node &n) {
  host::Attrs attrs;
  for (const ir::Attribute &a : n.attrs()) {
    host::Attr h;
    h.name = a.name();
    switch (a.type()) {
      case ir::Attribute::INT: h.kind = host::Attr::INT; h.i = a.i(); break;
      case ir::Attribute::FLOAT: h.kind = host::Attr::FLOAT; h.f = a.f(); break;
      case ir::Attribute::STRING: h.kind = host::Attr::STRING; h.s = a.s(); break;
      case ir::Attribute::INTS: h.kind = host::Attr::INTS; h.ints.assign(a.ints().begin(), a.ints().end()); break;
      case ir::Attribute::FLOATS: h.kind = host::Attr::FLOATS; h.floats.assign(a.floats().begin(), a.floats().end()); break;
      default: continue;
    }
    attrs.push_back(std::move(h));
  }
  return attrs;
}

// MNGraph and the device program number their element types alike.
device::DType deviceType(ir::DType t) { return static_cast<device::DType>(t); }

}  // namespace

llvm::Expected<llvm::StringSet<>> placeHostOps(ir::Graph &g,
                                              const std::map<std::string, int> &valueIndex,
                                              const std::function<bool(const ir::Node &)> &deviceRuns,
                                              llvm::StringRef modelPath) {
  llvm::StringSet<> hostValues;
  std::map<std::string, std::string> dynamicFrom;  // value -> "host op 'node' (Op)"
  std::vector<std::string> deviceReadsDynamic;
  auto deviceNode = [&](const ir::Node &n) {
    for (const auto &in : n.inputs())
      if (auto it = dynamicFrom.find(in); it != dynamicFrom.end())
        deviceReadsDynamic.push_back("'" + n.name() + "' (" + n.op_type() + ") reads '" + in +
                                     "', written by " + it->second);
  };
  for (ir::Node &n : *g.mutable_nodes()) {
    const bool host = !deviceRuns(n) && host::isHostOp(n.op_type());
    if (!host) {
      deviceNode(n);
      continue;
    }
    n.set_on_host(true);
    std::vector<host::InputSpec> inputs;
    bool dynamicIn = false;
    for (const auto &in : n.inputs()) {
      host::InputSpec spec;
      auto it = valueIndex.find(in);
      if (!in.empty() && it != valueIndex.end()) {
        const ir::Value &v = g.values(it->second);
        spec.dtype = deviceType(v.dtype());
        spec.shape.assign(v.shape().begin(), v.shape().end());
        dynamicIn |= v.dynamic_shape();
        if (v.kind() == ir::Value::PARAM) {
          host::Tensor t;
          t.dtype = spec.dtype;
          t.shape = spec.shape;
          t.bytes.assign(v.data().begin(), v.data().end());
          spec.constant = std::move(t);
        }
      }
      inputs.push_back(std::move(spec));
    }
    auto outputs = host::hostOutputSpecs(n.op_type(), hostAttrs(n), inputs, n.outputs_size());
    if (!outputs) {
      // The host cannot size its results either (e.g. OneHot's depth is a run-time value): the
      // node stays a device node, whose check names the operands to pass as --constant_input.
      llvm::consumeError(outputs.takeError());
      n.set_on_host(false);
      deviceNode(n);
      continue;
    }
    for (int k = 0; k < n.outputs_size() && k < static_cast<int>(outputs->size()); ++k) {
      auto it = valueIndex.find(n.outputs(k));
      if (n.outputs(k).empty() || it == valueIndex.end()) continue;
      ir::Value &v = *g.mutable_values(it->second);
      const host::OutputSpec &spec = (*outputs)[k];
      v.clear_shape();
      for (int64_t d : spec.shape) v.add_shape(d);
      // Float results keep the compile's float dtype (the host computes in it too).
      const bool floatValue = v.dtype() == ir::F32 || v.dtype() == ir::F16 || v.dtype() == ir::F64;
      if (!floatValue)
        v.set_dtype(static_cast<ir::DType>(spec.dtype));
      v.set_dynamic_shape(spec.dynamic || dynamicIn);
      if (v.dynamic_shape()) dynamicFrom[v.name()] = "host op '" + n.name() + "' (" + n.op_type() + ")";
      hostValues.insert(v.name());
    }
  }
  if (!deviceReadsDynamic.empty()) {
    std::string list;
    for (const auto &d : deviceReadsDynamic) list += (list.empty() ? "" : "; ") + d;
    return makeError(ErrorCode::DynamicShape,
                     "{0}: values whose size depends on the data can only go to host ops or graph "
                     "outputs, but device nodes read them: {1}",
                     modelPath, list);
  }
  return hostValues;
}

}  // namespace pfcomp::import
