// Filling a device's memories (gpfn3-smi clear): zeros by punching holes (fast on any size),
// a repeated 64-bit pattern, or reproducible pseudo-random bytes from a seed. Mask registers
// always end all ones.
#pragma once

#include "runtime/state/device_state.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <optional>

namespace pfcomp::state {

struct FillSpec {
  enum Kind { Random, Pattern, Zero } kind = Random;
  uint64_t value = 0;  // the pattern, or the seed for Random
};

// "0x..." hex or decimal; E202 naming the text otherwise.
llvm::Expected<uint64_t> parsePattern(llvm::StringRef text);

// Called as bytes are written: region name, bytes done, bytes of the region.
using FillProgress = std::function<void(const MemoryRegion &, int64_t done, int64_t total)>;

// Fills every region through its file (the device need not be mapped).
llvm::Error clearDevice(DeviceState &device, const FillSpec &spec, const FillProgress &progress);

// Re-initialises the registers after a reset: scalar registers zero, masks all ones.
llvm::Error resetRegisters(DeviceState &device);

}  // namespace pfcomp::state
