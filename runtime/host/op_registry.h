// The host op table: each op family file contributes its ops' shape rules, kernels and cost.
#pragma once

#include "runtime/host/tensor_access.h"

namespace pfcomp::host {

// One input as both phases see it: dtype and shape always, contents when known (a compile-time
// constant, or every input at run time).
struct InputView {
  device::DType dtype = device::DT_UNDEFINED;
  const std::vector<int64_t> *shape = nullptr;
  const Tensor *value = nullptr;
  bool present() const { return dtype != device::DT_UNDEFINED; }
  int64_t rank() const { return static_cast<int64_t>(shape->size()); }
  int64_t dim(int64_t i) const { return (*shape)[i]; }
  int64_t elements() const { return product(*shape); }
};
using Inputs = std::vector<InputView>;

// Output specs from the inputs (errors via specError). Runs before every kernel too, so a kernel
// may rely on what its spec function checked.
using SpecFn = llvm::Expected<std::vector<OutputSpec>> (*)(const Attrs &, const Inputs &);
// Computes every output (the dispatcher drops the ones not asked for). `specs` are the output
// specs for these very inputs.
using RunFn = llvm::Expected<std::vector<Tensor>> (*)(const Attrs &, const Inputs &,
                                                    const std::vector<OutputSpec> &specs);

struct HostOpDef {
  const char *name;
  int minInputs, maxInputs;  // inputs past minInputs are optional
  int maxOutputs;
  SpecFn specs;
  RunFn run;
  // Cost: nanoseconds per input and per output element on one host core, and whether the op
  // is n log n (sorts, FFTs): then the input term grows with log2 of the input size.
  double nsPerInput, nsPerOutput;
  bool nLogN = false;
};

std::vector<HostOpDef> topkOps();           // TopK
std::vector<HostOpDef> uniqueOps();         // Unique
std::vector<HostOpDef> nmsOps();            // NonMaxSuppression
std::vector<HostOpDef> selectionOps();      // NonZero, Compress
std::vector<HostOpDef> scatterGatherOps();  // GatherND, ScatterND, ScatterElements, Scatter
std::vector<HostOpDef> signalOps();         // DFT, STFT, Hann/Hamming/BlackmanWindow
std::vector<HostOpDef> tensorOps();         // ReverseSequence, OneHot, EyeLike, Range, Det
std::vector<HostOpDef> imageOps();          // MaxUnpool, RoiAlign, LRN
std::vector<HostOpDef> textOps();           // TfIdfVectorizer

// The scalar value of a constant input (its single element), or nullopt when not constant.
std::optional<double> constantScalarF(const InputView &in);
std::optional<int64_t> constantScalarI(const InputView &in);

}  // namespace pfcomp::host
