// Host tensors and ONNX TensorProto files (input_N.pb / output_N.pb, the ONNX backend-test layout).
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pfcomp::runtime {

struct HostTensor {
  device::DType dtype = device::DT_UNDEFINED;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;  // row-major, little-endian
  int64_t elements() const;
  std::string shapeText() const;  // "2x3" ("scalar" for rank 0)
};

llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path);
llvm::Error writeTensorFile(const HostTensor &tensor, llvm::StringRef path);
std::string dtypeText(device::DType dtype);
// ONNX 1.12's backend test data stores bfloat16 tensors as UINT16 bit patterns: a uint16 tensor
// given where bfloat16 is wanted is taken as bfloat16 (the bytes stay as they are).
void takeUint16AsBfloat16(HostTensor &tensor, device::DType wanted);

}  // namespace pfcomp::runtime
