// Element conversions between host and device types (H2D / D2H), with IEEE half rounding.
#pragma once

#include "runtime/device/program.pb.h"

#include <cstdint>

namespace pfcomp::device {

// Bytes of one element of `dtype`; 0 for DT_UNDEFINED.
int64_t dtypeBytes(DType dtype);

uint16_t floatToHalf(float f);  // round to nearest even
float halfToFloat(uint16_t h);
uint16_t floatToBfloat16(float f);  // round to nearest even
float bfloat16ToFloat(uint16_t b);

// Converts `n` elements; returns false when the pair of types has no conversion.
bool convertElements(DType from, const void *src, DType to, void *dst, int64_t n);
// Writes `value` as one element of `dtype` to `dst`.
void storeScalar(DType dtype, double value, void *dst);

}  // namespace pfcomp::device
