// If with a condition computed at run time, converted to data flow: both branches run on the
// device and each output is selected with Where(cond, then, else), as compilers for SIMD
// machines if-convert branches. Exact for side-effect-free branches (ONNX's are), at the cost
// of computing both.
#pragma once

#include <onnx/onnx_pb.h>

namespace pfcomp::import {

// Converts every If of `graph` (not inside subgraphs) whose condition is not a constant and
// whose outputs have static tensor types (equal in both branches, as shape inference found
// them). Returns how many were converted; the rest stay (their refusal names the inputs to
// freeze).
int convertRuntimeIfs(onnx::GraphProto &graph);

}  // namespace pfcomp::import
