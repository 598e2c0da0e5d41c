// Running a codegen_dir's program on a shared emulated device with ONNX backend-test inputs,
// through the runtime API (runtime/api), the same path user programs take.
#pragma once

#include "runtime/api/context.h"
#include "runtime/api/tensor_file.h"
#include "runtime/device/emulator.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::runtime {

struct RunRequest {
  std::string codegen_dir;
  std::string inputs_dir;
  std::string hardware;       // descriptor path, "" = built-in / $PFCOMP_HARDWARE
  bool checked = true;        // LM validity tracking
  std::string device;         // index or name; "" = the first idle device
  bool wait = false;          // wait for a busy device (default: fail with E506)
  int64_t repeat = 1;         // runs of the same inputs (steady-state timing; tests of reset)
  int64_t instr_delay_us = 0; // slows every instruction down (tests of reset)
  bool keep_program = false;  // fill RunResult::program (a copy, parameters included: --profile)
};

struct RunResult {
  std::vector<std::string> output_names;
  std::vector<HostTensor> outputs;
  device::RunStats stats;
  double fastest_run_s = 0;   // the fastest of the runs: inputs staged (H2D) and run, program loaded
  int64_t predicted_cycles = 0;
  double clock_hz = 0;
  device::Program program;    // only with RunRequest::keep_program
  device::Hardware hardware;
  std::string device_name;    // the device it ran on
  int64_t took_over_pid = 0;  // a dead holder whose stale lock was taken over, 0 if none
  // The device, still held: dropping it unmaps the device's memory and releases its lock. A
  // process about to exit may leave both to the kernel (faster than unmapping page by page).
  std::unique_ptr<Context> context;
};

llvm::Expected<RunResult> runCodegenDir(const RunRequest &request);

}  // namespace pfcomp::runtime
