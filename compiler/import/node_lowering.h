// One ONNX node to one MNGraph node, in the single attribute form the later stages read:
// constant operand inputs of older/newer opsets (axes, split, starts/ends/axes/steps, shape,
// min/max) become attributes, defaults are made explicit and axes non-negative.
#pragma once

#include "compiler/import/host_tensor.h"
#include "compiler/import/value_types.h"
#include "compiler/ir/mngraph.pb.h"

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringMap.h"

#include <functional>

namespace pfcomp::import {

// The constant value of an initializer, or nullptr when `name` is not constant.
using ConstLookup = std::function<const HostTensor *(const std::string &name)>;

// `opset` is the model's default-domain opset (Resize's defaults depend on it).
ir::Node lowerNode(const onnx::NodeProto &src, const ConstLookup &constant,
                   const llvm::StringMap<ValueType> &types, int64_t opset);

}  // namespace pfcomp::import
