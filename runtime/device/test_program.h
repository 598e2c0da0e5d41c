// A tiny hand-written tile program for the device and runtime tests: y[5x3] = x[5x4] x w[4x3],
// one output row per PE, K in two reduction chunks (the second accumulates); w = 0.5 * index.
#pragma once

#include "runtime/device/program.pb.h"

#include <string>

namespace pfcomp::device::testing {

Program matmulProgram(const std::string &hardware = "");

}  // namespace pfcomp::device::testing
