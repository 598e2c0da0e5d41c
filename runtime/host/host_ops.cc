#include "runtime/host/host_ops.h"

#include "runtime/host/op_registry.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>

namespace pfcomp::host {

namespace {

const std::vector<HostOpDef> &table() {
  static const std::vector<HostOpDef> ops = [] {
    std::vector<HostOpDef> all;
    for (auto family : {topkOps, uniqueOps, nmsOps, selectionOps, scatterGatherOps, signalOps,
                        tensorOps, imageOps, textOps})
      for (HostOpDef &d : family()) all.push_back(d);
    std::sort(all.begin(), all.end(), [](const HostOpDef &a, const HostOpDef &b) {
      return llvm::StringRef(a.name) < b.name;
    });
    return all;
  }();
  return ops;
}

const HostOpDef *lookup(llvm::StringRef op) {
  for (const HostOpDef &d : table())
    if (op == d.name) return &d;
  return nullptr;
}

// Checks the input and output counts and pads omitted trailing optional inputs.
llvm::Error checkArity(const HostOpDef &def, Inputs &in, int numOutputs) {
  if (static_cast<int>(in.size()) > def.maxInputs)
    return specError(def.name, "takes at most {0} inputs, got {1}", def.maxInputs, in.size());
  static const std::vector<int64_t> noShape;
  while (static_cast<int>(in.size()) < def.maxInputs) in.push_back(InputView{device::DT_UNDEFINED, &noShape, nullptr});
  for (int i = 0; i < def.minInputs; ++i)
    if (!in[i].present()) return specError(def.name, "input {0} is required", i);
  if (numOutputs < 1 || numOutputs > def.maxOutputs)
    return specError(def.name, "has 1 to {0} outputs, {1} asked for", def.maxOutputs, numOutputs);
  return llvm::Error::success();
}

}  // namespace

std::optional<double> constantScalarF(const InputView &in) {
  if (!in.value || in.value->elements() != 1) return std::nullopt;
  return loadF(*in.value, 0);
}

std::optional<int64_t> constantScalarI(const InputView &in) {
  if (!in.value || in.value->elements() != 1) return std::nullopt;
  return loadI(*in.value, 0);
}

const std::vector<std::string> &hostOps() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const HostOpDef &d : table()) n.push_back(d.name);
    return n;
  }();
  return names;
}

bool isHostOp(llvm::StringRef op) { return lookup(op) != nullptr; }

llvm::Expected<std::vector<OutputSpec>> hostOutputSpecs(llvm::StringRef op, const Attrs &attrs,
                                                        const std::vector<InputSpec> &inputs,
                                                        int numOutputs) {
  const HostOpDef *def = lookup(op);
  if (!def) return makeError(ErrorCode::UnsupportedOp, "{0} is not a host op", op);
  Inputs in;
  for (const InputSpec &s : inputs)
    in.push_back(InputView{s.dtype, &s.shape, s.constant ? &*s.constant : nullptr});
  if (auto err = checkArity(*def, in, numOutputs)) return std::move(err);
  auto specs = def->specs(attrs, in);
  if (!specs) return specs.takeError();
  specs->resize(numOutputs);
  // Data-dependent shapes of all-constant inputs are known once the kernel ran on them.
  const bool dynamic = std::any_of(specs->begin(), specs->end(), [](auto &s) { return s.dynamic; });
  const bool constant = std::all_of(in.begin(), in.end(), [](auto &v) { return !v.present() || v.value; });
  if (dynamic && constant) {
    auto outs = def->run(attrs, in, *specs);
    if (!outs) return makeError(ErrorCode::ShapeInference, "{0} on constant inputs: {1}", op,
                                llvm::toString(outs.takeError()));
    for (int i = 0; i < numOutputs; ++i) (*specs)[i] = OutputSpec{(*outs)[i].dtype, (*outs)[i].shape, false};
  }
  return specs;
}

llvm::Expected<std::vector<Tensor>> runHostOp(llvm::StringRef op, const Attrs &attrs,
                                              const std::vector<Tensor> &inputs, int numOutputs) {
  const HostOpDef *def = lookup(op);
  if (!def) return makeError(ErrorCode::HostOpFailed, "{0} is not a host op", op);
  Inputs in;
  for (const Tensor &t : inputs) in.push_back(InputView{t.dtype, &t.shape, &t});
  // The compile-time checks, now on the actual values: their failures are run-time failures.
  auto specs = [&]() -> llvm::Expected<std::vector<OutputSpec>> {
    if (auto err = checkArity(*def, in, numOutputs)) return std::move(err);
    return def->specs(attrs, in);
  }();
  if (!specs) {
    std::string msg = llvm::toString(specs.takeError());
    // Drop the compile-time code: "[E107] TopK: k = 5 ..." becomes "[E509] host op TopK: k = 5 ...".
    return makeError(ErrorCode::HostOpFailed, "host op {0}", llvm::StringRef(msg).split("] ").second);
  }
  auto outs = def->run(attrs, in, *specs);
  if (!outs) return outs.takeError();
  outs->resize(numOutputs);
  // The buffers were sized from the specs: an output outgrowing them is our bug, not the user's.
  for (int i = 0; i < numOutputs; ++i) {
    const OutputSpec &s = (*specs)[i];
    const Tensor &t = (*outs)[i];
    bool fits = t.dtype == s.dtype && t.shape.size() == s.shape.size();
    for (size_t d = 0; fits && d < t.shape.size(); ++d)
      fits = s.dynamic ? t.shape[d] <= s.shape[d] : t.shape[d] == s.shape[d];
    if (!fits)
      return makeError(ErrorCode::Internal, "host op {0}: output {1} is {2} {3}, spec {4} {5}{6}",
                       op, i, dtypeName(t.dtype), shapeText(t.shape), dtypeName(s.dtype),
                       shapeText(s.shape), s.dynamic ? " (bound)" : "");
  }
  return outs;
}

int64_t hostComputeCycles(llvm::StringRef op, int64_t inputElements, int64_t outputElements,
                          double cyclesPerNs) {
  const HostOpDef *def = lookup(op);
  if (!def) return 0;
  // A fixed ~1 us per call: the host thread wakes up, reads the op's descriptors and its
  // DRAM buffers' addresses before touching data.
  constexpr double kCallNs = 1000;
  double in = static_cast<double>(inputElements);
  double perIn = def->nsPerInput * (def->nLogN ? std::max(1.0, std::log2(std::max(in, 2.0))) : 1.0);
  double ns = kCallNs + perIn * in + def->nsPerOutput * static_cast<double>(outputElements);
  return static_cast<int64_t>(std::ceil(ns * cyclesPerNs));
}

}  // namespace pfcomp::host
