#include "compiler/ir/dtype.h"

namespace pfcomp::ir {

int64_t dtypeSize(DType dtype) {
  switch (dtype) {
    case F32: case I32: case U32: return 4;
    case F64: case I64: case U64: return 8;
    case F16: case BF16: case I16: case U16: return 2;
    case BOOL: case I8: case U8: return 1;
    default: return 0;
  }
}

std::string dtypeName(DType dtype) {
  switch (dtype) {
    case F32: return "f32";
    case F16: return "f16";
    case F64: return "f64";
    case BF16: return "bf16";
    case I64: return "i64";
    case I32: return "i32";
    case I16: return "i16";
    case I8: return "i8";
    case U64: return "u64";
    case U32: return "u32";
    case U16: return "u16";
    case U8: return "u8";
    case BOOL: return "bool";
    default: return "undefined";
  }
}

bool isFloat(DType dtype) { return dtype == F32 || dtype == F16 || dtype == F64; }

bool isInteger(DType dtype) {
  switch (dtype) {
    case I64: case I32: case I16: case I8: case U64: case U32: case U16: case U8: return true;
    default: return false;
  }
}

namespace {
// ONNX TensorProto::DataType numbers of the MNGraph types, indexed by DType.
constexpr int kOnnx[] = {0, /*F32*/ 1, /*F16*/ 10, /*F64*/ 11, /*I64*/ 7, /*I32*/ 6, /*BOOL*/ 9,
                         /*I8*/ 3, /*U8*/ 2, /*I16*/ 5, /*U16*/ 4, /*U32*/ 12, /*U64*/ 13,
                         /*BF16*/ 16};
constexpr int kTypes = sizeof(kOnnx) / sizeof(kOnnx[0]);
}  // namespace

DType fromOnnxType(int onnxType) {
  for (int t = 1; t < kTypes; ++t)
    if (kOnnx[t] == onnxType) return static_cast<DType>(t);
  return DT_UNDEFINED;  // strings, complex numbers, 8-bit floats, ...
}

int toOnnxType(DType dtype) {
  return dtype > 0 && dtype < kTypes ? kOnnx[dtype] : 0;
}

int64_t numElements(const google::protobuf::RepeatedField<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace pfcomp::ir
