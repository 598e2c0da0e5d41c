#include "runtime/device/element_convert.h"

#include <cmath>
#include <immintrin.h>
#include <type_traits>
#include <cstdint>
#include <cstring>

namespace pfcomp::device {

int64_t dtypeBytes(DType dtype) {
  switch (dtype) {
    case F64: case I64: case U64: return 8;
    case F32: case I32: case U32: return 4;
    case F16: case BF16: case I16: case U16: return 2;
    case BOOL: case I8: case U8: return 1;
    default: return 0;
  }
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = ((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);  // inf / nan
  if (exp >= 31) return sign | 0x7c00;                                         // overflow
  if (exp <= 0) {                                                              // subnormal
    if (exp < -10) return sign;
    mant |= 0x800000;
    int shift = 14 - exp;
    uint32_t half = mant >> shift;
    uint32_t rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1))) ++half;
    return sign | half;
  }
  uint32_t half = sign | (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;  // may carry into the exponent
  return half;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {
      float f = std::ldexp(static_cast<float>(mant), -24);
      return sign ? -f : f;
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000 | (mant << 13);
  } else {
    x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t floatToBfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // quiet NaN
  x += 0x7fff + ((x >> 16) & 1);  // round to nearest even
  return static_cast<uint16_t>(x >> 16);
}

float bfloat16ToFloat(uint16_t b) {
  uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

namespace {

bool isInt(DType t) {
  switch (t) {
    case I64: case I32: case I16: case I8: case U64: case U32: case U16: case U8: case BOOL: return true;
    default: return false;
  }
}

// Integers move between integer types as int64 bit patterns and wrap on the store, as numpy's
// astype does (uint64 values above INT64_MAX travel as their two's-complement pattern).
int64_t loadInt(DType t, const void *p, int64_t i) {
  switch (t) {
    case I64: case U64: return static_cast<const int64_t *>(p)[i];
    case I32: return static_cast<const int32_t *>(p)[i];
    case U32: return static_cast<const uint32_t *>(p)[i];
    case I16: return static_cast<const int16_t *>(p)[i];
    case U16: return static_cast<const uint16_t *>(p)[i];
    case I8: return static_cast<const int8_t *>(p)[i];
    default: return static_cast<const uint8_t *>(p)[i];  // U8, BOOL
  }
}

void storeInt(DType t, int64_t v, void *p) {
  switch (t) {
    case I64: case U64: *static_cast<int64_t *>(p) = v; break;
    case I32: case U32: *static_cast<uint32_t *>(p) = static_cast<uint32_t>(v); break;
    case I16: case U16: *static_cast<uint16_t *>(p) = static_cast<uint16_t>(v); break;
    case BOOL: *static_cast<uint8_t *>(p) = v != 0; break;
    default: *static_cast<uint8_t *>(p) = static_cast<uint8_t>(v); break;  // I8, U8
  }
}

// A float truncated toward zero, as an int64 bit pattern (NaN gives 0).
int64_t truncToInt(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775808.0) return static_cast<int64_t>(static_cast<uint64_t>(v));
  if (v < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(v);
}

double load(DType t, const void *p, int64_t i) {
  switch (t) {
    case F32: return static_cast<const float *>(p)[i];
    case F64: return static_cast<const double *>(p)[i];
    case F16: return halfToFloat(static_cast<const uint16_t *>(p)[i]);
    case BF16: return bfloat16ToFloat(static_cast<const uint16_t *>(p)[i]);
    case U64: return static_cast<double>(static_cast<const uint64_t *>(p)[i]);
    default: return isInt(t) ? static_cast<double>(loadInt(t, p, i)) : 0;
  }
}

}  // namespace

void storeScalar(DType t, double v, void *p) {
  switch (t) {
    case F32: *static_cast<float *>(p) = static_cast<float>(v); break;
    case F64: *static_cast<double *>(p) = v; break;
    case F16: *static_cast<uint16_t *>(p) = floatToHalf(static_cast<float>(v)); break;
    case BF16: *static_cast<uint16_t *>(p) = floatToBfloat16(static_cast<float>(v)); break;
    case BOOL: *static_cast<uint8_t *>(p) = v != 0; break;
    default:
      if (isInt(t)) storeInt(t, truncToInt(v), p);
      break;
  }
}

namespace {

// The common float pairs as typed loops (F16 with the F16C instructions, 8 at a time).
bool convertFast(DType from, const void *src, DType to, void *dst, int64_t n) {
  if (from == F32 && to == F16) {
    const float *s = static_cast<const float *>(src);
    uint16_t *d = static_cast<uint16_t *>(dst);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i *>(d + i),
                       _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) d[i] = floatToHalf(s[i]);
    return true;
  }
  if (from == F16 && to == F32) {
    const uint16_t *s = static_cast<const uint16_t *>(src);
    float *d = static_cast<float *>(dst);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i))));
    for (; i < n; ++i) d[i] = halfToFloat(s[i]);
    return true;
  }
  auto loop = [&](auto *d, const auto *s) {
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<std::remove_pointer_t<decltype(d)>>(s[i]);
    return true;
  };
  if (from == F32 && to == F64) return loop(static_cast<double *>(dst), static_cast<const float *>(src));
  if (from == F64 && to == F32) return loop(static_cast<float *>(dst), static_cast<const double *>(src));
  if (from == I64 && to == F32) return loop(static_cast<float *>(dst), static_cast<const int64_t *>(src));
  if (from == F32 && to == I64) return loop(static_cast<int64_t *>(dst), static_cast<const float *>(src));
  return false;
}

}  // namespace

bool convertElements(DType from, const void *src, DType to, void *dst, int64_t n) {
  // bytes per element, by DType
  static const int sizes[] = {0, 4, 2, 8, 8, 4, 1, 1, 1, 2, 2, 4, 8, 2};
  constexpr int kTypes = sizeof(sizes) / sizeof(sizes[0]);
  if (from <= DT_UNDEFINED || to <= DT_UNDEFINED || from >= kTypes || to >= kTypes) return false;
  if (from == to) {
    std::memcpy(dst, src, n * sizes[from]);
    return true;
  }
  if (convertFast(from, src, to, dst, n)) return true;
  if (isInt(from) && isInt(to)) {  // exact, wrapping
    for (int64_t i = 0; i < n; ++i) storeInt(to, loadInt(from, src, i), static_cast<char *>(dst) + i * sizes[to]);
    return true;
  }
  for (int64_t i = 0; i < n; ++i)
    storeScalar(to, load(from, src, i), static_cast<char *>(dst) + i * sizes[to]);
  return true;
}

}  // namespace pfcomp::device
