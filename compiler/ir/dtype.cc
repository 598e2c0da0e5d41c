#include "compiler/ir/dtype.h"

namespace pfcomp::ir {

int64_t dtypeSize(DType dtype) {
  switch (dtype) {
    case F32: case I32: return 4;
    case F64: case I64: return 8;
    case F16: return 2;
    case BOOL: case I8: case U8: return 1;
    default: return 0;
  }
}

std::string dtypeName(DType dtype) {
  switch (dtype) {
    case F32: return "f32";
    case F16: return "f16";
    case F64: return "f64";
    case I64: return "i64";
    case I32: return "i32";
    case BOOL: return "bool";
    case I8: return "i8";
    case U8: return "u8";
    default: return "undefined";
  }
}

bool isFloat(DType dtype) { return dtype == F32 || dtype == F16 || dtype == F64; }

// ONNX: FLOAT=1 UINT8=2 INT8=3 INT32=6 INT64=7 BOOL=9 FLOAT16=10 DOUBLE=11
DType fromOnnxType(int onnxType) {
  switch (onnxType) {
    case 1: return F32;
    case 2: return U8;
    case 3: return I8;
    case 6: return I32;
    case 7: return I64;
    case 9: return BOOL;
    case 10: return F16;
    case 11: return F64;
    default: return DT_UNDEFINED;
  }
}

int toOnnxType(DType dtype) {
  switch (dtype) {
    case F32: return 1;
    case U8: return 2;
    case I8: return 3;
    case I32: return 6;
    case I64: return 7;
    case BOOL: return 9;
    case F16: return 10;
    case F64: return 11;
    default: return 0;
  }
}

int64_t numElements(const google::protobuf::RepeatedField<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace pfcomp::ir
