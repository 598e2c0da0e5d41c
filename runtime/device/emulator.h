// The emulated device: DRAM plus every PE's LM, executing a GPFNApp program instruction by
// instruction, checking every access against the descriptor, and timing it with the cost model.
#pragma once

#include "runtime/device/cost_model.h"
#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace pfcomp::device {

struct RunStats {
  int64_t cycles = 0;          // simulated device time in cycles
  Timeline timeline;           // per instruction, as executed
  int64_t instructions = 0;
  int64_t lm_bytes_moved = 0;  // bytes written into LM by loads
};

// Device memory owned by someone else (a device's shared state files); null = the emulator
// allocates its own. DRAM keeps its contents between runs. LM is the emulator's own working
// memory: PEs run on a scratch copy and only the bytes one instruction segment hands to a later
// one are kept (per emulator, between its runs); `lm` is not written. No program can tell:
// LM validity is tracked per run, so reading LM no instruction of the run wrote fails (E502).
struct DeviceMemory {
  uint8_t *dram = nullptr;  // hw.dramBytes() bytes
  uint8_t *lm = nullptr;    // hw.pes() * hw.lmBytes() bytes, PE after PE (unused, see above)
};

class Emulator {
 public:
  struct Options {
    bool checked = true;       // track LM validity: reading never-written LM fails
    unsigned threads = 0;      // 0 = all hardware threads
    DeviceMemory memory;
    // Polled between instructions; an error stops the run (a reset of the device: E507).
    std::function<llvm::Error()> interrupted;
    int64_t instr_delay_us = 0;  // sleep after each instruction (tests that need a slow run)
  };
  Emulator(Hardware hw, Options options);
  ~Emulator();

  // Validates the program against the descriptor, lays out DRAM and writes the parameters:
  // buffer i's from params[i] where that is not empty (bytes the caller keeps alive during
  // load, e.g. in the mapped program file), else from its Buffer.data.
  llvm::Error load(const Program &program, llvm::ArrayRef<llvm::StringRef> params = {});
  // H2D of the graph input `ioIndex`, `n` elements of `hostType` (converted to the device type).
  llvm::Error writeInput(int ioIndex, DType hostType, const void *data, int64_t n);
  llvm::Expected<RunStats> run();
  // D2H of the graph output `ioIndex` into `hostType`.
  llvm::Expected<std::vector<uint8_t>> readOutput(int ioIndex, DType hostType) const;
  // Any buffer of the loaded program (inputs, outputs, parameters), by its DRAM placement.
  llvm::Error writeBuffer(const Buffer &buffer, DType hostType, const void *data, int64_t n);
  llvm::Expected<std::vector<uint8_t>> readBuffer(const Buffer &buffer, DType hostType) const;
  // The shape `buffer` (one of the loaded program's) holds: for a dynamic-shaped one, what the
  // host op that wrote it in the last run recorded; else its static shape.
  std::vector<int64_t> shape(const Buffer &buffer) const;
  // Device-layout bytes of `buffer`, copied as they are (already converted to the device dtype).
  void writeBufferImage(const Buffer &buffer, const uint8_t *image);

  const Hardware &hardware() const { return hw_; }

 private:
  class Impl;
  Hardware hw_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pfcomp::device
