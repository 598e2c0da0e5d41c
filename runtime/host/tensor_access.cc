#include "runtime/host/tensor_access.h"

#include "runtime/device/element_convert.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>

namespace pfcomp::host {

using namespace device;

int64_t Tensor::elements() const { return product(shape); }


bool isFloatType(DType t) { return t == F16 || t == BF16 || t == F32 || t == F64; }
bool isIntType(DType t) { return device::dtypeBytes(t) > 0 && !isFloatType(t); }

std::string dtypeName(DType t) {
  static const char *names[] = {"undefined", "float32", "float16", "float64", "int64",
                                "int32",     "bool",    "int8",    "uint8",   "int16",
                                "uint16",    "uint32",  "uint64",  "bfloat16"};
  return t >= 0 && t < 14 ? names[t] : "unknown";
}

DType dtypeFromOnnx(int64_t o) {
  switch (o) {
    case 1: return F32;
    case 2: return U8;
    case 3: return I8;
    case 4: return U16;
    case 5: return I16;
    case 6: return I32;
    case 7: return I64;
    case 9: return BOOL;
    case 10: return F16;
    case 11: return F64;
    case 12: return U32;
    case 13: return U64;
    case 16: return BF16;
    default: return DT_UNDEFINED;
  }
}

int64_t product(const std::vector<int64_t> &dims, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < std::min(to, dims.size()); ++i) n *= dims[i];
  return n;
}

std::string shapeText(const std::vector<int64_t> &dims) {
  return "[" + llvm::join(llvm::map_range(dims, [](int64_t d) { return std::to_string(d); }), ",") +
         "]";
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int64_t i = static_cast<int64_t>(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

Tensor makeTensor(DType dtype, std::vector<int64_t> shape) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.assign(t.elements() * device::dtypeBytes(dtype), 0);
  return t;
}

template <typename T> static T at(const Tensor &t, int64_t i) {
  T v;
  std::memcpy(&v, t.bytes.data() + i * sizeof(T), sizeof(T));
  return v;
}

template <typename T> static void put(Tensor &t, int64_t i, T v) {
  std::memcpy(t.bytes.data() + i * sizeof(T), &v, sizeof(T));
}

double loadF(const Tensor &t, int64_t i) {
  switch (t.dtype) {
    case F32: return at<float>(t, i);
    case F64: return at<double>(t, i);
    case F16: return halfToFloat(at<uint16_t>(t, i));
    case BF16: return bfloat16ToFloat(at<uint16_t>(t, i));
    case U64: return static_cast<double>(at<uint64_t>(t, i));
    default: return static_cast<double>(loadI(t, i));
  }
}

int64_t loadI(const Tensor &t, int64_t i) {
  switch (t.dtype) {
    case I64: case U64: return at<int64_t>(t, i);
    case I32: return at<int32_t>(t, i);
    case U32: return at<uint32_t>(t, i);
    case I16: return at<int16_t>(t, i);
    case U16: return at<uint16_t>(t, i);
    case I8: return at<int8_t>(t, i);
    case U8: case BOOL: return at<uint8_t>(t, i);
    default: {
      double v = loadF(t, i);
      return std::isnan(v) ? 0 : static_cast<int64_t>(v);
    }
  }
}

void storeF(Tensor &t, int64_t i, double v) {
  storeScalar(t.dtype, v, t.bytes.data() + i * device::dtypeBytes(t.dtype));
}

void storeI(Tensor &t, int64_t i, int64_t v) {
  switch (t.dtype) {
    case I64: case U64: put<int64_t>(t, i, v); break;
    case I32: case U32: put<uint32_t>(t, i, static_cast<uint32_t>(v)); break;
    case I16: case U16: put<uint16_t>(t, i, static_cast<uint16_t>(v)); break;
    case I8: case U8: put<uint8_t>(t, i, static_cast<uint8_t>(v)); break;
    case BOOL: put<uint8_t>(t, i, v != 0); break;
    default: storeF(t, i, static_cast<double>(v)); break;
  }
}

int64_t orderKeyI(const Tensor &t, int64_t i) {
  int64_t v = loadI(t, i);
  // Flipping the sign bit maps uint64 order onto int64 order.
  return t.dtype == U64 ? static_cast<int64_t>(static_cast<uint64_t>(v) ^ (1ull << 63)) : v;
}

const Attr *findAttr(const Attrs &attrs, llvm::StringRef name) {
  for (const Attr &a : attrs)
    if (a.name == name) return &a;
  return nullptr;
}

int64_t attrInt(const Attrs &attrs, llvm::StringRef name, int64_t dflt) {
  const Attr *a = findAttr(attrs, name);
  return a ? (a->kind == Attr::FLOAT ? static_cast<int64_t>(a->f) : a->i) : dflt;
}

double attrFloat(const Attrs &attrs, llvm::StringRef name, double dflt) {
  const Attr *a = findAttr(attrs, name);
  return a ? (a->kind == Attr::INT ? static_cast<double>(a->i) : a->f) : dflt;
}

std::string attrString(const Attrs &attrs, llvm::StringRef name, llvm::StringRef dflt) {
  const Attr *a = findAttr(attrs, name);
  return a ? a->s : dflt.str();
}

std::vector<int64_t> attrInts(const Attrs &attrs, llvm::StringRef name) {
  const Attr *a = findAttr(attrs, name);
  return a ? a->ints : std::vector<int64_t>{};
}

std::vector<double> attrFloats(const Attrs &attrs, llvm::StringRef name) {
  const Attr *a = findAttr(attrs, name);
  return a ? a->floats : std::vector<double>{};
}

llvm::Expected<int64_t> normalizeAxis(llvm::StringRef op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return specError(op, "axis {0} is out of range for a rank-{1} input", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

llvm::Error needsConstant(llvm::StringRef op, llvm::StringRef what) {
  return makeError(ErrorCode::DynamicShape,
                   "{0}: the output shape depends on the value of {1}, which is computed at run "
                   "time; to compile the model for a fixed value, pass "
                   "--constant_input=NAME=FILE.pb for the graph input it comes from",
                   op, what);
}

}  // namespace pfcomp::host
