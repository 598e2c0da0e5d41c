// Rewrites of ONNX nodes into the device op set that stay valid ONNX: inference
// BatchNormalization -> Mul + Add, Dropout -> Identity, same-type Cast -> Identity.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

// Returns the number of nodes rewritten. Dead nodes and unused initializers are removed after.
llvm::Expected<int> rewriteForDevice(onnx::ModelProto &model);

}  // namespace pfcomp::import
