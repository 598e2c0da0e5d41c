// Host ops: ONNX ops the device cannot express (data-dependent output shapes such as NonZero,
// Unique, NonMaxSuppression or Compress; sorting; signal transforms; ...). The compiler places
// them on the host between device segments (MNGraph Node.on_host); the emulator runs them with
// these CPU kernels on the DRAM buffers, at the point of the program the schedule puts them.
// Shared by the compiler (which ops exist, output bounds, cost) and the runtime (execution).
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pfcomp::host {

// A dense tensor in host memory: row-major, little-endian, `bytes` holds exactly
// product(shape) * element size bytes. dtype DT_UNDEFINED marks an omitted optional input.
struct Tensor {
  device::DType dtype = device::DT_UNDEFINED;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  bool present() const { return dtype != device::DT_UNDEFINED; }
  int64_t elements() const;
};

// An ONNX attribute (the types host ops use).
struct Attr {
  enum Kind { INT, FLOAT, STRING, INTS, FLOATS, STRINGS };
  std::string name;
  Kind kind = INT;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
};
using Attrs = std::vector<Attr>;

// What the compiler knows of an input: element type, static shape, and its contents when it is a
// constant (e.g. TopK's k, DFT's dft_length), else nullopt.
struct InputSpec {
  device::DType dtype = device::DT_UNDEFINED;  // DT_UNDEFINED: omitted optional input
  std::vector<int64_t> shape;
  std::optional<Tensor> constant;
};

// An output's element type and shape. When `dynamic` the real shape is known only after the op
// ran (data-dependent) and `shape` is an upper bound of every dimension: the DRAM buffer is
// sized for it and the runtime records the actual shape.
struct OutputSpec {
  device::DType dtype = device::DT_UNDEFINED;
  std::vector<int64_t> shape;
  bool dynamic = false;
};

// The ops the host can run, sorted.
const std::vector<std::string> &hostOps();
bool isHostOp(llvm::StringRef op);

// Compile time: element type and shape (or upper bound) of each of the `numOutputs` outputs.
// When every present input is a constant, data-dependent outputs are computed and exact.
// Errors (E1xx, see support/error.h) name the op and say what is wrong with the inputs/attrs;
// an output size that is the value of a run-time input (Range, the windows, DFT's dft_length,
// OneHot's depth, STFT's frame_step, MaxUnpool's output_shape) is E105, naming --constant_input.
llvm::Expected<std::vector<OutputSpec>> hostOutputSpecs(llvm::StringRef op, const Attrs &attrs,
                                                        const std::vector<InputSpec> &inputs,
                                                        int numOutputs);

// Run time: computes the `numOutputs` outputs with their actual shapes.
llvm::Expected<std::vector<Tensor>> runHostOp(llvm::StringRef op, const Attrs &attrs,
                                              const std::vector<Tensor> &inputs, int numOutputs);

// Cost model: host compute cycles at the device clock (cycles_per_ns) for an op whose inputs
// and outputs have these element counts. A simple per-element model: the host is not what
// the device timeline measures, but its share is shown honestly.
int64_t hostComputeCycles(llvm::StringRef op, int64_t inputElements, int64_t outputElements,
                          double cyclesPerNs);

}  // namespace pfcomp::host
