// Output shapes ONNX's own inference leaves open for ops of old opsets (Slice-1 takes its
// bounds as attributes and infers only the rank), filled in from static inputs.
#pragma once

#include <onnx/onnx_pb.h>

namespace pfcomp::import {

// Adds value_info for every output it can complete; true when it added any.
bool completeShapes(onnx::ModelProto &model);

}  // namespace pfcomp::import
