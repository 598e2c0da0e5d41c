// --constant_input NAME=FILE.pb: specialising a model to one value of some of its graph inputs.
// Operands such as Reshape's shape or Slice's starts may be graph inputs; a compiler cannot know
// them, so the user (or the conformance harness, as onnx-mlir's backend runner does with its
// CONSTANT_INPUT list) gives their values and they become initializers before shape inference
// and folding.
#pragma once

#include "compiler/import/import_options.h"

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

#include <map>
#include <string>

namespace pfcomp::import {

// Turns every options.constant_inputs entry into an initializer and removes it from the graph
// inputs (a sequence or optional input takes a SequenceProto / OptionalProto file and is rebuilt
// by nodes: constant_sequences.h). BadConstantInput when a file is missing or not a TensorProto,
// the name is not a graph input, or the tensor's dtype or shape differs from the input's. Returns NAME -> sha256 of the
// file's bytes (recorded in the MNGraph's meta, since the compile depends on them).
llvm::Expected<std::map<std::string, std::string>> applyConstantInputs(onnx::ModelProto &model,
                                                                       const ImportOptions &options,
                                                                       llvm::StringRef modelPath);

}  // namespace pfcomp::import
