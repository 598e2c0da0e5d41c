// Running a codegen_dir's program on the emulated device with ONNX backend-test inputs.
#pragma once

#include "runtime/device/emulator.h"
#include "runtime/pfvm/tensor_file.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::runtime {

struct RunRequest {
  std::string codegen_dir;
  std::string inputs_dir;
  std::string hardware;       // descriptor path, "" = built-in / $PFCOMP_HARDWARE
  bool checked = true;        // LM validity tracking
};

struct RunResult {
  std::vector<std::string> output_names;
  std::vector<HostTensor> outputs;
  device::RunStats stats;
  int64_t predicted_cycles = 0;
  double clock_hz = 0;
  device::Program program;
  device::Hardware hardware;
};

llvm::Expected<RunResult> runCodegenDir(const RunRequest &request);

}  // namespace pfcomp::runtime
