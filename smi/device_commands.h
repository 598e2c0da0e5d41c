// What gpfn3-smi's subcommands do, over runtime/state: list the devices, reset one (stopping
// the program that holds it), clear one's memories.
#pragma once

#include "runtime/state/device_clear.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace pfcomp::smi {

struct ListOptions {
  bool json = false;
  std::string hardware;  // descriptor path ("" = $PFCOMP_HARDWARE or built-in)
};
llvm::Error listDevices(const ListOptions &options, llvm::raw_ostream &out);

struct ResetOptions {
  std::string device;
  std::string hardware;
  double timeout_s = 5;  // how long to wait for the holder to stop
};
llvm::Error resetDevice(const ResetOptions &options, llvm::raw_ostream &out);

struct ClearOptions {
  std::string device;
  std::string hardware;
  std::optional<uint64_t> seed;
  std::optional<std::string> pattern;
  bool zero = false;
  bool force = false;
};
llvm::Error clearDevice(const ClearOptions &options, llvm::raw_ostream &out);

}  // namespace pfcomp::smi
