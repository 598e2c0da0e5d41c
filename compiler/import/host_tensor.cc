#include "compiler/import/host_tensor.h"

#include "support/error.h"

#include <cmath>
#include <cstring>

namespace pfcomp::import {
namespace {

using TP = onnx::TensorProto;

template <typename T>
void appendRaw(std::string &out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // hosts are little-endian (x86-64, aarch64)
  out.append(bytes, sizeof(T));
}

template <typename T>
std::vector<T> readRaw(const std::string &raw) {
  std::vector<T> out(raw.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), raw.data(), out.size() * sizeof(T));
  return out;
}

}  // namespace

bool isOnnxFloatType(int32_t type) {
  return type == TP::FLOAT || type == TP::DOUBLE || type == TP::FLOAT16;
}

bool isHostSupportedType(int32_t type) {
  switch (type) {
    case TP::FLOAT: case TP::DOUBLE: case TP::FLOAT16: case TP::INT64: case TP::INT32:
    case TP::BOOL: case TP::INT8: case TP::UINT8: case TP::INT16: case TP::UINT16: case TP::UINT32:
    case TP::UINT64:
      return true;
    default:
      return false;
  }
}

bool HostTensor::isFloat() const { return isOnnxFloatType(type); }

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

HostTensor HostTensor::make(int32_t type, std::vector<int64_t> dims) {
  HostTensor t;
  t.type = type;
  t.dims = std::move(dims);
  if (t.isFloat()) t.f.assign(t.numElements(), 0.0);
  else t.i.assign(t.numElements(), 0);
  return t;
}

HostTensor HostTensor::ints(std::vector<int64_t> values, int32_t type) {
  HostTensor t;
  t.type = type;
  t.dims = {static_cast<int64_t>(values.size())};
  t.i = std::move(values);
  return t;
}

llvm::Expected<HostTensor> decodeTensor(const TP &p) {
  if (p.data_location() == TP::EXTERNAL)
    return makeError(ErrorCode::ModelMalformed,
                     "tensor '{0}' uses external data, which onnx-import does not read yet",
                     p.name());
  if (!isHostSupportedType(p.data_type()))
    return makeError(ErrorCode::ModelMalformed, "tensor '{0}' has unsupported data type {1}",
                     p.name(), p.data_type());
  HostTensor t;
  t.type = p.data_type();
  t.dims.assign(p.dims().begin(), p.dims().end());
  const int64_t n = t.numElements();
  const bool raw = p.has_raw_data();
  const std::string &r = p.raw_data();
  switch (t.type) {
    case TP::FLOAT: {
      std::vector<float> v = raw ? readRaw<float>(r) : std::vector<float>(p.float_data().begin(), p.float_data().end());
      t.f.assign(v.begin(), v.end());
      break;
    }
    case TP::DOUBLE: {
      t.f = raw ? readRaw<double>(r) : std::vector<double>(p.double_data().begin(), p.double_data().end());
      break;
    }
    case TP::FLOAT16: {
      std::vector<uint16_t> v = raw ? readRaw<uint16_t>(r) : std::vector<uint16_t>(p.int32_data().begin(), p.int32_data().end());
      for (uint16_t h : v) t.f.push_back(halfToFloat(h));
      break;
    }
    case TP::INT64:
      t.i = raw ? readRaw<int64_t>(r) : std::vector<int64_t>(p.int64_data().begin(), p.int64_data().end());
      break;
    case TP::INT32: {
      std::vector<int32_t> v = raw ? readRaw<int32_t>(r) : std::vector<int32_t>(p.int32_data().begin(), p.int32_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
    case TP::INT8: {
      std::vector<int8_t> v = raw ? readRaw<int8_t>(r) : std::vector<int8_t>(p.int32_data().begin(), p.int32_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
    case TP::INT16: {
      std::vector<int16_t> v = raw ? readRaw<int16_t>(r) : std::vector<int16_t>(p.int32_data().begin(), p.int32_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
    case TP::UINT16: {
      std::vector<uint16_t> v = raw ? readRaw<uint16_t>(r) : std::vector<uint16_t>(p.int32_data().begin(), p.int32_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
    case TP::UINT32: {
      std::vector<uint32_t> v = raw ? readRaw<uint32_t>(r) : std::vector<uint32_t>(p.uint64_data().begin(), p.uint64_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
    case TP::UINT64: {  // kept as int64 bit patterns
      std::vector<uint64_t> v = raw ? readRaw<uint64_t>(r) : std::vector<uint64_t>(p.uint64_data().begin(), p.uint64_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
    default: {  // BOOL, UINT8
      std::vector<uint8_t> v = raw ? readRaw<uint8_t>(r) : std::vector<uint8_t>(p.int32_data().begin(), p.int32_data().end());
      t.i.assign(v.begin(), v.end());
      break;
    }
  }
  const int64_t have = t.isFloat() ? t.f.size() : t.i.size();
  if (have != n)
    return makeError(ErrorCode::ModelMalformed, "tensor '{0}' holds {1} elements, its shape needs {2}",
                     p.name(), have, n);
  return t;
}

TP encodeTensor(const HostTensor &t, const std::string &name) {
  TP p;
  p.set_name(name);
  p.set_data_type(t.type);
  for (int64_t d : t.dims) p.add_dims(d);
  std::string raw;
  const int64_t n = t.numElements();
  for (int64_t k = 0; k < n; ++k) {
    switch (t.type) {
      case TP::FLOAT: appendRaw(raw, static_cast<float>(t.f[k])); break;
      case TP::DOUBLE: appendRaw(raw, t.f[k]); break;
      case TP::FLOAT16: appendRaw(raw, floatToHalf(static_cast<float>(t.f[k]))); break;
      case TP::INT64: appendRaw(raw, t.i[k]); break;
      case TP::INT32: appendRaw(raw, static_cast<int32_t>(t.i[k])); break;
      case TP::INT8: appendRaw(raw, static_cast<int8_t>(t.i[k])); break;
      case TP::INT16: case TP::UINT16: appendRaw(raw, static_cast<uint16_t>(t.i[k])); break;
      case TP::UINT32: appendRaw(raw, static_cast<uint32_t>(t.i[k])); break;
      case TP::UINT64: appendRaw(raw, t.i[k]); break;
      default: appendRaw(raw, static_cast<uint8_t>(t.i[k])); break;
    }
  }
  p.set_raw_data(raw);
  return p;
}

uint16_t floatToHalf(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u)  // inf or NaN (keep NaN quiet and non-zero)
    return sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u | ((absx >> 13) & 0x3ffu) : 0u);
  if (absx >= 0x477ff000u) return sign | 0x7c00u;  // rounds to >= 65520: overflow to inf
  if (absx < 0x38800000u) {                        // below the smallest normal half: subnormal
    if (absx < 0x33000000u) return sign;           // < 2^-25 rounds to zero (ties too)
    const uint32_t exp = absx >> 23;
    const uint32_t mant = (absx & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // 14 + (113 - exp): value = mant * 2^(exp-150)
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half & 1u))) ++half;
    return sign | half;
  }
  uint32_t half = ((absx - 0x38000000u) >> 13);  // rebias exponent 127 -> 15
  const uint32_t rem = absx & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // carry may bump the exponent
  return sign | half;
}

float halfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t x;
  if (exp == 0x1f) {
    x = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalise
      exp = 113;
      while (!(mant & 0x400u)) { mant <<= 1; --exp; }
      x = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
  } else {
    x = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float out;
  std::memcpy(&out, &x, 4);
  return out;
}

float saturateToHalfRange(double value) {
  constexpr double kMaxHalf = 65504.0;
  if (std::isfinite(value) && std::fabs(value) > kMaxHalf) return value > 0 ? kMaxHalf : -kMaxHalf;
  return static_cast<float>(value);
}

std::string encodeParamBytes(const HostTensor &t, ir::DType dtype) {
  std::string raw;
  const int64_t n = t.numElements();
  raw.reserve(n * 8);
  for (int64_t k = 0; k < n; ++k) {
    switch (dtype) {
      case ir::F32: appendRaw(raw, static_cast<float>(t.getF(k))); break;
      case ir::F64: appendRaw(raw, t.getF(k)); break;
      case ir::F16: appendRaw(raw, floatToHalf(saturateToHalfRange(t.getF(k)))); break;
      case ir::I64: appendRaw(raw, t.getI(k)); break;
      case ir::I32: appendRaw(raw, static_cast<int32_t>(t.getI(k))); break;
      case ir::I8: appendRaw(raw, static_cast<int8_t>(t.getI(k))); break;
      case ir::I16: case ir::U16: appendRaw(raw, static_cast<uint16_t>(t.getI(k))); break;
      case ir::U32: appendRaw(raw, static_cast<uint32_t>(t.getI(k))); break;
      case ir::U64: appendRaw(raw, t.getI(k)); break;
      case ir::BOOL: appendRaw(raw, static_cast<uint8_t>(t.getF(k) != 0)); break;
      default: appendRaw(raw, static_cast<uint8_t>(t.getI(k))); break;
    }
  }
  return raw;
}

}  // namespace pfcomp::import
