#include "runtime/state/device_config.h"

#include "support/error.h"

#include "llvm/Support/MemoryBuffer.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <unistd.h>

namespace pfcomp::state {

std::string defaultStateDir() {
  if (const char *dir = std::getenv("PFCOMP_DEVICE_STATE_DIR"); dir && *dir) return dir;
  if (const char *run = std::getenv("XDG_RUNTIME_DIR"); run && *run)
    return std::string(run) + "/pfcomp-devices";
  return "/tmp/pfcomp-devices-" + std::to_string(getuid());
}

llvm::Expected<DeviceConfig> parseDeviceConfig(llvm::StringRef text, llvm::StringRef sourceName) {
  DeviceConfig config;
  auto json = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("devices") || !json["devices"].is_array())
    return makeError(ErrorCode::UnknownDevice, "{0}: not a device config (want {\"devices\": [\"name\", ...]})",
                     sourceName);
  for (const auto &d : json["devices"]) {
    std::string name = d.is_string() ? d.get<std::string>()
                       : d.is_object() && d.contains("name") && d["name"].is_string() ? d["name"].get<std::string>()
                                                                                      : "";
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
      return makeError(ErrorCode::UnknownDevice, "{0}: device {1} has no valid name", sourceName,
                       config.devices.size());
    config.devices.push_back({static_cast<int>(config.devices.size()), name});
  }
  if (json.contains("state_dir") && json["state_dir"].is_string())
    config.state_dir = json["state_dir"].get<std::string>();
  return config;
}

llvm::Expected<DeviceConfig> loadDeviceConfig() {
  DeviceConfig config;
  if (const char *path = std::getenv("PFCOMP_DEVICE_CONFIG"); path && *path) {
    auto buf = llvm::MemoryBuffer::getFile(path);
    if (!buf)
      return makeError(ErrorCode::UnknownDevice, "{0} (PFCOMP_DEVICE_CONFIG): {1}", path, buf.getError().message());
    auto parsed = parseDeviceConfig((*buf)->getBuffer(), path);
    if (!parsed) return parsed.takeError();
    config = std::move(*parsed);
  } else {
    for (int i = 0; i < 8; ++i) config.devices.push_back({i, "mnc2p" + std::to_string(27 + i) + "s0"});
  }
  // The environment wins over the config file's folder, so a test can move any config aside.
  if (config.state_dir.empty() || std::getenv("PFCOMP_DEVICE_STATE_DIR")) config.state_dir = defaultStateDir();
  return config;
}

llvm::Expected<DeviceEntry> findDevice(const DeviceConfig &config, llvm::StringRef spec) {
  for (const DeviceEntry &d : config.devices)
    if (d.name == spec) return d;
  unsigned index = 0;
  if (!spec.getAsInteger(10, index) && index < config.devices.size()) return config.devices[index];
  std::string names;
  for (const DeviceEntry &d : config.devices) names += (names.empty() ? "" : ", ") + d.name;
  return makeError(ErrorCode::UnknownDevice, "unknown device '{0}' (devices: {1}; or an index 0..{2})", spec,
                   names, static_cast<int>(config.devices.size()) - 1);
}

}  // namespace pfcomp::state
