// What onnx-import needs from the compile options, as plain data (the CLI maps onto it).
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pfcomp::import {

struct ImportOptions {
  // mixed | half | float | double: the dtype every float value of the MNGraph gets
  // (mixed stores F32 and leaves the per-op choice to emit).
  std::string float_dtype = "float";
  // --input_shape NAME=AxB fixes, applied before shape inference.
  std::vector<std::pair<std::string, std::vector<int64_t>>> input_shapes;
  // --constant_input NAME=FILE.pb: graph inputs compiled as constants (constant_inputs.h).
  std::vector<std::pair<std::string, std::string>> constant_inputs;
  // Where to write the optimized ONNX; empty = do not. Relative to the -o file's directory.
  std::string out_onnx;
};

// Parses "NAME=AxBxC" (also "NAME=A,B,C" and "NAME:AxB"). BadInputShapeOption on malformed text.
llvm::Expected<std::pair<std::string, std::vector<int64_t>>> parseInputShape(llvm::StringRef spec);

}  // namespace pfcomp::import
