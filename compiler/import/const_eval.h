// The host evaluator for constant folding: the shape-computation ops torch.onnx.export emits,
// evaluated on HostTensors, one short function per op in a table.
#pragma once

#include "compiler/import/host_tensor.h"

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace pfcomp::import {

bool canEvaluate(llvm::StringRef opType);

// Evaluates `node` with its inputs given in order (nullptr for an omitted optional input).
// An op or type combination the evaluator does not handle yields an error; folding then keeps
// the node as it is.
llvm::Expected<std::vector<HostTensor>> evaluateNode(const onnx::NodeProto &node,
                                                      const std::vector<const HostTensor *> &inputs);

// Attribute access shared by folding and rewrites.
const onnx::AttributeProto *findAttr(const onnx::NodeProto &node, llvm::StringRef name);
int64_t attrInt(const onnx::NodeProto &node, llvm::StringRef name, int64_t dflt);
float attrFloat(const onnx::NodeProto &node, llvm::StringRef name, float dflt);
std::vector<int64_t> attrInts(const onnx::NodeProto &node, llvm::StringRef name);

// numpy broadcasting of two shapes.
llvm::Expected<std::vector<int64_t>> broadcastDims(const std::vector<int64_t> &a,
                                                   const std::vector<int64_t> &b);

}  // namespace pfcomp::import
