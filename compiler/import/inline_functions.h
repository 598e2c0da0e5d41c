// Model-local functions (ModelProto.functions, ONNX IR 8): exporters such as torch's dynamo
// exporter wrap each module in a FunctionProto and call it as a node of the function's domain.
// The stages work on plain graphs, so every call is replaced by the function's body.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

// Inlines every call of a model-local function in the main graph and its subgraphs, calls
// inside bodies included. Body values are renamed "<call node name>/<value>" so calls never
// collide; attribute references (ref_attr_name) take the call's attribute or are dropped
// (the op's default). A function calling itself, directly or not, is refused (ModelMalformed,
// naming `modelPath` and the function). Returns how many calls were inlined.
llvm::Expected<int> inlineLocalFunctions(onnx::ModelProto &model, llvm::StringRef modelPath);

}  // namespace pfcomp::import
