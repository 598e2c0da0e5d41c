// If with a condition known at compile time (an initializer, often folded from Shape
// arithmetic in exported models) is replaced by the nodes of the branch it takes.
#pragma once

#include <onnx/onnx_pb.h>

namespace pfcomp::import {

// Inlines every such If of `graph` (not inside subgraphs; nested Ifs in an inlined branch are
// seen by the next call). Returns how many were inlined.
int inlineConstantIfs(onnx::GraphProto &graph);

}  // namespace pfcomp::import
