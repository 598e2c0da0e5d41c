// Attribute forms of the coverage ops (docs/CONTRACT.md): Pad, Expand, Resize and Upsample,
// ConvTranspose, CumSum, ArgMax / ArgMin. Constant operand inputs of every opset become
// attributes and defaults are made explicit.
#pragma once

#include "compiler/import/node_lowering.h"

namespace pfcomp::import {

// Rewrites `n` (a copy of `src` with its attributes) in place; false when `src` is none of these
// ops. Inputs that are not constant stay inputs (the device check then names the node).
bool lowerCoverageNode(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                       const llvm::StringMap<ValueType> &types, int64_t opset);

}  // namespace pfcomp::import
