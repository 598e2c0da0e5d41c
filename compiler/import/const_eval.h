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
// attrInts, or `dflt` when the attribute is absent or empty.
std::vector<int64_t> attrIntsOr(const onnx::NodeProto &node, llvm::StringRef name,
                                std::vector<int64_t> dflt);

// Slice on a tensor of shape `in`: output dims, and per axis the first index and step taken.
// Empty `axes` means 0..n-1, empty `steps` all ones; negative and out-of-range bounds are
// resolved as ONNX specifies.
struct SliceBounds {
  std::vector<int64_t> dims, start, step;
};
llvm::Expected<SliceBounds> sliceBounds(const std::vector<int64_t> &in,
                                        const std::vector<int64_t> &starts,
                                        const std::vector<int64_t> &ends,
                                        std::vector<int64_t> axes, std::vector<int64_t> steps);

// numpy broadcasting of two shapes.
llvm::Expected<std::vector<int64_t>> broadcastDims(const std::vector<int64_t> &a,
                                                   const std::vector<int64_t> &b);

}  // namespace pfcomp::import
