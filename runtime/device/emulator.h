// The emulated device: DRAM plus every PE's LM, executing a GPFNApp program instruction by
// instruction, checking every access against the descriptor, and timing it with the cost model.
#pragma once

#include "runtime/device/cost_model.h"
#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace pfcomp::device {

struct RunStats {
  int64_t cycles = 0;          // simulated device time in cycles
  Timeline timeline;           // per instruction, as executed
  int64_t instructions = 0;
  int64_t lm_bytes_moved = 0;  // bytes written into LM by loads
};

class Emulator {
 public:
  struct Options {
    bool checked = true;       // track LM validity: reading never-written LM fails
    unsigned threads = 0;      // 0 = all hardware threads
  };
  Emulator(Hardware hw, Options options);
  ~Emulator();

  // Validates the program against the descriptor, lays out DRAM and writes the parameters.
  llvm::Error load(const Program &program);
  // H2D of the graph input `ioIndex`, `n` elements of `hostType` (converted to the device type).
  llvm::Error writeInput(int ioIndex, DType hostType, const void *data, int64_t n);
  llvm::Expected<RunStats> run();
  // D2H of the graph output `ioIndex` into `hostType`.
  llvm::Expected<std::vector<uint8_t>> readOutput(int ioIndex, DType hostType) const;

  const Hardware &hardware() const { return hw_; }

 private:
  class Impl;
  Hardware hw_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pfcomp::device
