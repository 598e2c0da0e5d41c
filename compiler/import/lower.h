// The folded, rewritten ONNX model as an MNGraph: values with kinds, static shapes and the
// chosen float dtype; every node checked against what the device runs.
#pragma once

#include "compiler/import/import_options.h"
#include "compiler/ir/mngraph.pb.h"

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

// F32 for "float" and "mixed", F64 for "double", F16 for "half"; BadOptionValue otherwise.
llvm::Expected<ir::DType> floatDType(llvm::StringRef floatDtype);

// UnsupportedOp (one error listing every offending node, in graph order) when nodes remain
// that the device cannot run; ShapeInference when a value has no static shape.
llvm::Expected<ir::Graph> lowerModel(const onnx::ModelProto &model, const ImportOptions &options,
                                     llvm::StringRef modelPath);

}  // namespace pfcomp::import
