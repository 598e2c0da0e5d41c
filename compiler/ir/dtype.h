// Element types of MNGraph values: sizes, names, and the mapping to ONNX's TensorProto types.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <cstdint>
#include <string>

namespace pfcomp::ir {

int64_t dtypeSize(DType dtype);
std::string dtypeName(DType dtype);  // "f32", "f16", ...
bool isFloat(DType dtype);    // the float types the device computes in (not bf16)
bool isInteger(DType dtype);  // signed and unsigned integers (not bool)
// ONNX TensorProto::DataType numbers; DT_UNDEFINED when MNGraph has no equivalent.
DType fromOnnxType(int onnxType);
int toOnnxType(DType dtype);

int64_t numElements(const google::protobuf::RepeatedField<int64_t> &shape);

}  // namespace pfcomp::ir
