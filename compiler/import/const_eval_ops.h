// Internals of the host evaluator shared by its op files (not for use outside const_eval*.cc).
#pragma once

#include "compiler/import/const_eval.h"

#include <vector>

namespace pfcomp::import::const_eval_detail {

using Inputs = std::vector<const HostTensor *>;
using Outputs = llvm::Expected<std::vector<HostTensor>>;

llvm::Error fail(const onnx::NodeProto &node, const llvm::Twine &why);
std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims);
// For every element of `out` (row-major), the flat index of the element of `in` broadcast to it.
std::vector<int64_t> broadcastIndex(const std::vector<int64_t> &in, const std::vector<int64_t> &out);
inline int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }
// Copies element `from` of `src` into element `to` of `dst` (same storage kind).
void copyElem(const HostTensor &src, int64_t from, HostTensor &dst, int64_t to);
HostTensor gatherElems(const HostTensor &src, std::vector<int64_t> dims, const std::vector<int64_t> &idx);
// Reads the 1-D int list of input `k`, or the attribute `name` when the op is older.
bool intsFrom(const onnx::NodeProto &n, const Inputs &in, size_t k, llvm::StringRef name,
              std::vector<int64_t> &out);
inline Outputs one(HostTensor t) { return std::vector<HostTensor>{std::move(t)}; }

// Data-movement ops (const_eval_layout.cc).
Outputs gather(const onnx::NodeProto &n, const Inputs &in);
Outputs unsqueeze(const onnx::NodeProto &n, const Inputs &in);
Outputs squeeze(const onnx::NodeProto &n, const Inputs &in);
Outputs concat(const onnx::NodeProto &n, const Inputs &in);
Outputs slice(const onnx::NodeProto &n, const Inputs &in);
Outputs reshape(const onnx::NodeProto &n, const Inputs &in);
Outputs expand(const onnx::NodeProto &n, const Inputs &in);
Outputs transpose(const onnx::NodeProto &n, const Inputs &in);
Outputs scatterNd(const onnx::NodeProto &n, const Inputs &in);

}  // namespace pfcomp::import::const_eval_detail
