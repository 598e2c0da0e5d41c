#include "runtime/api/tensor_file.h"

#include "runtime/device/kernels/kernel.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/ADT/StringExtras.h"

#include <onnx/onnx_pb.h>

#include <cstring>

namespace pfcomp::runtime {

int64_t HostTensor::elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::string HostTensor::shapeText() const {
  if (dims.empty()) return "scalar";
  return llvm::join(llvm::map_range(dims, [](int64_t d) { return std::to_string(d); }), "x");
}

std::string dtypeText(device::DType dtype) {
  static const char *names[] = {"undefined", "float32", "float16", "float64", "int64",
                                "int32", "bool", "int8", "uint8", "int16", "uint16", "uint32",
                                "uint64", "bfloat16"};
  return dtype >= 0 && dtype < 14 ? names[dtype] : "unknown";
}

void takeUint16AsBfloat16(HostTensor &tensor, device::DType wanted) {
  if (tensor.dtype == device::U16 && wanted == device::BF16) tensor.dtype = device::BF16;
}

namespace {

// ONNX TensorProto data types <-> ours.
device::DType fromOnnx(int t) {
  switch (t) {
    case 1: return device::F32;
    case 2: return device::U8;
    case 3: return device::I8;
    case 4: return device::U16;
    case 5: return device::I16;
    case 6: return device::I32;
    case 7: return device::I64;
    case 9: return device::BOOL;
    case 10: return device::F16;
    case 11: return device::F64;
    case 12: return device::U32;
    case 13: return device::U64;
    case 16: return device::BF16;
    default: return device::DT_UNDEFINED;
  }
}

int toOnnx(device::DType t) {
  for (int o : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16})
    if (fromOnnx(o) == t) return o;
  return 0;
}

template <typename Field, typename T>
void copyField(const Field &field, std::vector<uint8_t> &bytes) {
  bytes.resize(field.size() * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    T v = static_cast<T>(field.Get(i));
    std::memcpy(bytes.data() + i * sizeof(T), &v, sizeof(T));
  }
}

}  // namespace

llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path) {
  auto data = readWholeFile(path);
  if (!data) return makeError(ErrorCode::InputFile, "cannot read tensor file {0}", path);
  onnx::TensorProto proto;
  if (!proto.ParseFromString(*data))
    return makeError(ErrorCode::InputFile, "{0}: not an ONNX TensorProto", path);
  HostTensor t;
  t.dtype = fromOnnx(proto.data_type());
  if (t.dtype == device::DT_UNDEFINED)
    return makeError(ErrorCode::InputDType, "{0}: unsupported tensor type {1}", path, proto.data_type());
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  const int64_t esize = device::dtypeBytes(t.dtype);
  if (proto.has_raw_data()) {
    t.bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    switch (t.dtype) {
      case device::F32: copyField<decltype(proto.float_data()), float>(proto.float_data(), t.bytes); break;
      case device::F64: copyField<decltype(proto.double_data()), double>(proto.double_data(), t.bytes); break;
      case device::I64: copyField<decltype(proto.int64_data()), int64_t>(proto.int64_data(), t.bytes); break;
      case device::I32: copyField<decltype(proto.int32_data()), int32_t>(proto.int32_data(), t.bytes); break;
      case device::U64: copyField<decltype(proto.uint64_data()), uint64_t>(proto.uint64_data(), t.bytes); break;
      case device::U32: copyField<decltype(proto.uint64_data()), uint32_t>(proto.uint64_data(), t.bytes); break;
      case device::F16: case device::BF16: case device::I16: case device::U16:
        copyField<decltype(proto.int32_data()), uint16_t>(proto.int32_data(), t.bytes);
        break;
      default: copyField<decltype(proto.int32_data()), uint8_t>(proto.int32_data(), t.bytes); break;
    }
  }
  if (static_cast<int64_t>(t.bytes.size()) != t.elements() * esize)
    return makeError(ErrorCode::InputFile, "{0}: {1} bytes of data for shape {2} of {3}", path,
                     t.bytes.size(), t.shapeText(), dtypeText(t.dtype));
  return t;
}

llvm::Error writeTensorFile(const HostTensor &t, llvm::StringRef path) {
  onnx::TensorProto proto;
  proto.set_data_type(toOnnx(t.dtype));
  for (int64_t d : t.dims) proto.add_dims(d);
  proto.set_raw_data(t.bytes.data(), t.bytes.size());
  return writeFileAtomically(path, proto.SerializeAsString());
}

}  // namespace pfcomp::runtime
