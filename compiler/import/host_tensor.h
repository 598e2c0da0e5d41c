// Constant tensors on the host during import: decoding ONNX TensorProtos, encoding MNGraph bytes.
#pragma once

#include <onnx/onnx_pb.h>

#include "compiler/ir/mngraph.pb.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pfcomp::import {

// A dense row-major tensor. Floating types (FLOAT, DOUBLE, FLOAT16) keep their elements in `f`;
// integer and BOOL types in `i`. `type` is the ONNX TensorProto::DataType number.
struct HostTensor {
  int32_t type = onnx::TensorProto::FLOAT;
  std::vector<int64_t> dims;
  std::vector<double> f;
  std::vector<int64_t> i;

  bool isFloat() const;
  int64_t numElements() const;
  // Element k as a double / int64, whichever storage holds it.
  double getF(int64_t k) const { return isFloat() ? f[k] : static_cast<double>(i[k]); }
  int64_t getI(int64_t k) const { return isFloat() ? static_cast<int64_t>(f[k]) : i[k]; }
  // Empty tensor of `type` with `dims`, storage sized to fit.
  static HostTensor make(int32_t type, std::vector<int64_t> dims);
  static HostTensor ints(std::vector<int64_t> values, int32_t type = onnx::TensorProto::INT64);
};

bool isOnnxFloatType(int32_t type);
// Types the host evaluator computes on.
bool isHostSupportedType(int32_t type);

llvm::Expected<HostTensor> decodeTensor(const onnx::TensorProto &proto);
onnx::TensorProto encodeTensor(const HostTensor &tensor, const std::string &name);

// IEEE binary16 <-> float, round-to-nearest-even.
uint16_t floatToHalf(float value);
float halfToFloat(uint16_t bits);

// A model's float constant narrowed to fp16 by float_dtype: finite values beyond fp16's range
// saturate to +-65504 (as ONNX fp16 converters do), so a mask constant like
// finfo(float32).min stays a large finite number; as -inf, 0 * it is NaN. inf and NaN stay.
float saturateToHalfRange(double value);

// MNGraph PARAM bytes (little-endian, row-major) of `tensor` stored as `dtype` (F16: saturated).
std::string encodeParamBytes(const HostTensor &tensor, ir::DType dtype);

}  // namespace pfcomp::import
