// A tiny hand-written tile program for the device and runtime tests: y[5x3] = x[5x4] x w[4x3],
// one output row per PE, K in two reduction chunks (the second accumulates); w = 0.5 * index.
#pragma once

#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::device::testing {

Program matmulProgram(const std::string &hardware = "");

// Runs `program` on a fresh emulator of `hw` with `input` as graph input 0 and returns graph
// output 0 (both f32): the functional check the compiler tests share.
llvm::Expected<std::vector<float>> runF32(const Hardware &hw, const Program &program,
                                          const std::vector<float> &input);

}  // namespace pfcomp::device::testing
