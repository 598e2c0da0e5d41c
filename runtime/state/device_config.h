// The device config: which emulated devices exist (names, order) and where their state files
// live, so that every process (pfvm, gpfn3-smi, programs on the runtime API) sees the same ones.
#pragma once

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::state {

struct DeviceEntry {
  int index = 0;
  std::string name;  // e.g. "mnc2p27s0"
};

struct DeviceConfig {
  std::vector<DeviceEntry> devices;
  std::string state_dir;  // one sub-folder per device name
};

// The config: $PFCOMP_DEVICE_CONFIG (JSON `{"devices": ["name", ...]}`) or the default 8 devices
// mnc2p27s0 .. mnc2p34s0; the state folder: $PFCOMP_DEVICE_STATE_DIR, else
// $XDG_RUNTIME_DIR/pfcomp-devices, else /tmp/pfcomp-devices-$UID.
llvm::Expected<DeviceConfig> loadDeviceConfig();
llvm::Expected<DeviceConfig> parseDeviceConfig(llvm::StringRef json, llvm::StringRef sourceName);
std::string defaultStateDir();

// `spec` is an index ("0") or a name ("mnc2p27s0"); E508 when no device matches.
llvm::Expected<DeviceEntry> findDevice(const DeviceConfig &config, llvm::StringRef spec);

}  // namespace pfcomp::state
