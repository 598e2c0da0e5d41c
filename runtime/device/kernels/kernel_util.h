// Shared pieces of the kernel implementations: operand access, broadcasting, dtype dispatch.
#pragma once

#include "runtime/device/kernels/kernel.h"
#include "support/error.h"

#include <array>
#include <string>

namespace pfcomp::device::kernels {

using Dims = std::vector<int64_t>;

Dims dimsOf(const Kernel::Shape &shape);
// Row-major strides of `in` broadcast to `out` (same rank): 0 where `in` has extent 1.
Dims broadcastStrides(const Dims &in, const Dims &out);
// Checks operand count and that addresses and shapes line up; returns the shapes.
llvm::Expected<std::vector<Dims>> operandShapes(const Kernel &k, size_t minOperands,
                                                size_t maxOperands);
// Fills reads (all but the last operand, plus the last when accumulating) and writes.
void setFootprint(PreparedKernel &prepared, const Kernel &k, const std::vector<Dims> &shapes,
                  bool outputIsRead);
llvm::Error badKernel(const Kernel &k, const llvm::Twine &why);

// A tile seen as [outer, len, inner] around `axis`, or as [outer, len] with len = every axis from
// `axis` on (toEnd: normalisations over trailing axes).
struct AxisSplit {
  int64_t outer = 1, len = 1, inner = 1;
  AxisSplit(const Dims &s, int64_t axis, bool toEnd = false) {
    for (int64_t d = 0; d < axis; ++d) outer *= s[d];
    len = toEnd ? 1 : s[axis];
    for (size_t d = axis + (toEnd ? 0 : 1); d < s.size(); ++d) (toEnd ? len : inner) *= s[d];
  }
};

template <typename T>
T *at(uint8_t *lm, int64_t addr) {
  return reinterpret_cast<T *>(lm + addr);
}

// Instantiates Impl<float> or Impl<double> by the kernel's element type.
template <template <typename> class Impl, typename... Args>
llvm::Expected<std::unique_ptr<PreparedKernel>> byDType(const Kernel &k, Args &&...args) {
  std::unique_ptr<PreparedKernel> out;
  switch (k.dtype()) {
    case F32: out = std::make_unique<Impl<float>>(std::forward<Args>(args)...); break;
    case F64: out = std::make_unique<Impl<double>>(std::forward<Args>(args)...); break;
    default: return badKernel(k, "element type not supported by the PE kernels yet");
  }
  return std::move(out);
}

// The same for kernels that also run on integer tiles (elementwise, selection, reductions): every
// signed and unsigned width, computed exactly with the type's wrap-around.
template <template <typename> class Impl, typename... Args>
llvm::Expected<std::unique_ptr<PreparedKernel>> byDTypeWithInts(const Kernel &k, Args &&...args) {
  auto make = [&](auto zero) {
    using T = decltype(zero);
    return std::unique_ptr<PreparedKernel>(std::make_unique<Impl<T>>(std::forward<Args>(args)...));
  };
  switch (k.dtype()) {
    case I64: return make(int64_t{});
    case I32: return make(int32_t{});
    case I16: return make(int16_t{});
    case I8: return make(int8_t{});
    case U64: return make(uint64_t{});
    case U32: return make(uint32_t{});
    case U16: return make(uint16_t{});
    case U8: return make(uint8_t{});
    default: return byDType<Impl>(k, std::forward<Args>(args)...);
  }
}

// Kernel families, each in its own file.
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareUnary(const Kernel &k, llvm::StringRef fn);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareBinary(const Kernel &k, llvm::StringRef fn);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareMatmul(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareConv2d(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> preparePool2d(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareReduce(const Kernel &k, llvm::StringRef fn);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareSoftmax(const Kernel &k, bool log);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareLayerNorm(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareInstanceNorm(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareWhere(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareClamp(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareArgReduce(const Kernel &k, llvm::StringRef fn);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareCumSum(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareHardmax(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareTrilu(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareResize(const Kernel &k);
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareConvTranspose2d(const Kernel &k);

}  // namespace pfcomp::device::kernels
