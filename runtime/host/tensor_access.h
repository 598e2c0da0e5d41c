// Element access, attribute lookup and shape helpers the host op kernels share.
#pragma once

#include "runtime/device/element_convert.h"  // dtypeBytes
#include "runtime/host/host_ops.h"
#include "support/error.h"

#include <cstring>

namespace pfcomp::host {

bool isFloatType(device::DType dtype);  // F16, BF16, F32, F64
bool isIntType(device::DType dtype);    // signed, unsigned and BOOL
std::string dtypeName(device::DType dtype);
// ONNX TensorProto data type number (EyeLike's `dtype` attribute) -> ours; DT_UNDEFINED if none.
device::DType dtypeFromOnnx(int64_t onnxType);

int64_t product(const std::vector<int64_t> &dims, size_t from = 0, size_t to = SIZE_MAX);
std::string shapeText(const std::vector<int64_t> &dims);
// Row-major strides in elements.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims);

// A zero-filled tensor.
Tensor makeTensor(device::DType dtype, std::vector<int64_t> shape);

// Element i as a double / int64 (floats truncate toward zero; U64 as its bit pattern).
double loadF(const Tensor &t, int64_t i);
int64_t loadI(const Tensor &t, int64_t i);
// Stores `v` (converted to the tensor's dtype, integers wrapping) as element i.
void storeF(Tensor &t, int64_t i, double v);
void storeI(Tensor &t, int64_t i, int64_t v);
// Copies element `from` of `src` to element `to` of `dst` (same dtype, `size` bytes each).
inline void copyElements(const Tensor &src, int64_t from, Tensor &dst, int64_t to, int64_t count,
                         int64_t size) {
  std::memcpy(dst.bytes.data() + to * size, src.bytes.data() + from * size, count * size);
}
// An order-preserving int64 key of an integer element (U64 above INT64_MAX sorts last).
int64_t orderKeyI(const Tensor &t, int64_t i);

// Attributes by name, with the ONNX defaults given.
const Attr *findAttr(const Attrs &attrs, llvm::StringRef name);
int64_t attrInt(const Attrs &attrs, llvm::StringRef name, int64_t dflt);
double attrFloat(const Attrs &attrs, llvm::StringRef name, double dflt);
std::string attrString(const Attrs &attrs, llvm::StringRef name, llvm::StringRef dflt);
std::vector<int64_t> attrInts(const Attrs &attrs, llvm::StringRef name);
std::vector<double> attrFloats(const Attrs &attrs, llvm::StringRef name);

// `axis` in [-rank, rank) made non-negative, else a ShapeInference error naming the op.
llvm::Expected<int64_t> normalizeAxis(llvm::StringRef op, int64_t axis, int64_t rank);

// A shape/attribute problem found while computing output specs (E107, naming the op).
template <typename... Ts>
llvm::Error specError(llvm::StringRef op, const char *fmt, Ts &&...vals) {
  return makeError(ErrorCode::ShapeInference, "{0}: {1}", op,
                   llvm::formatv(fmt, std::forward<Ts>(vals)...).str());
}
// A problem found in the data while running (E509, naming the op).
template <typename... Ts>
llvm::Error runError(llvm::StringRef op, const char *fmt, Ts &&...vals) {
  return makeError(ErrorCode::HostOpFailed, "host op {0}: {1}", op,
                   llvm::formatv(fmt, std::forward<Ts>(vals)...).str());
}

// An output shape that is the value of an input computed at run time (E105): asks for the graph
// input it comes from as a constant.
llvm::Error needsConstant(llvm::StringRef op, llvm::StringRef what);

}  // namespace pfcomp::host
