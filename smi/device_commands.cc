#include "smi/device_commands.h"

#include "support/error.h"

#include "llvm/Support/FormatVariadic.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <random>
#include <thread>

namespace pfcomp::smi {
namespace {

struct Opened {
  device::Hardware hw;
  std::unique_ptr<state::DeviceState> device;
};

llvm::Expected<Opened> openNamed(const std::string &spec, const std::string &hardware) {
  auto config = state::loadDeviceConfig();
  if (!config) return config.takeError();
  auto entry = state::findDevice(*config, spec);
  if (!entry) return entry.takeError();
  auto hw = device::resolveHardware(hardware);
  if (!hw) return hw.takeError();
  auto device = state::DeviceState::open(*config, *entry, *hw);
  if (!device) return device.takeError();
  return Opened{*hw, std::move(*device)};
}

std::string gib(int64_t bytes) { return llvm::formatv("{0:f2} GiB", bytes / double(int64_t(1) << 30)).str(); }

std::string label(const state::DeviceState &d) {
  return llvm::formatv("device {0} ({1})", d.entry().index, d.entry().name).str();
}

}  // namespace

llvm::Error listDevices(const ListOptions &options, llvm::raw_ostream &out) {
  auto config = state::loadDeviceConfig();
  if (!config) return config.takeError();
  auto hw = device::resolveHardware(options.hardware);
  if (!hw) return hw.takeError();
  nlohmann::json devices = nlohmann::json::array();
  for (const state::DeviceEntry &entry : config->devices) {
    if (!options.json) {
      out << entry.index << ": " << entry.name << "\n";
      continue;
    }
    auto d = state::DeviceState::open(*config, entry, *hw);
    if (!d) return d.takeError();
    state::LockStatus lock = (*d)->lockStatus();
    nlohmann::json memory;
    for (const state::MemoryRegion &r : (*d)->regions()) memory[r.name + "_bytes"] = r.bytes;
    devices.push_back({{"index", entry.index},
                       {"name", entry.name},
                       {"state", lock.locked ? "locked" : "idle"},
                       {"holder_pid", lock.locked ? nlohmann::json(lock.pid) : nlohmann::json(nullptr)},
                       {"generation", (*d)->generation()},
                       {"hardware", hw->name},
                       {"memory", memory},
                       {"disk_bytes", (*d)->diskBytes()},
                       {"state_dir", (*d)->dir()}});
  }
  if (options.json) out << nlohmann::json{{"devices", devices}}.dump(1) << "\n";
  return llvm::Error::success();
}

llvm::Error resetDevice(const ResetOptions &options, llvm::raw_ostream &out) {
  auto opened = openNamed(options.device, options.hardware);
  if (!opened) return opened.takeError();
  state::DeviceState &d = *opened->device;
  state::LockStatus before = d.lockStatus();
  auto t0 = std::chrono::steady_clock::now();
  // The holder polls the counter between instructions and stops with E507.
  uint64_t generation = d.bumpGeneration();
  auto deadline = t0 + std::chrono::duration<double>(options.timeout_s);
  llvm::Expected<state::DeviceLock> lock = d.lock(false);
  while (!lock && std::chrono::steady_clock::now() < deadline) {
    llvm::consumeError(lock.takeError());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    lock = d.lock(false);
  }
  if (!lock)
    return llvm::joinErrors(makeError(ErrorCode::DeviceBusy, "{0}: the holder did not stop within {1} s after the reset",
                                      label(d), options.timeout_s),
                            lock.takeError());
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (auto err = state::resetRegisters(d)) return err;
  out << "reset " << label(d) << ": generation " << generation;
  if (before.locked)
    out << llvm::formatv(", stopped pid {0} in {1:f1} ms", before.pid, ms);
  else if (lock->tookOverPid())
    out << ", dropped the stale lock of dead pid " << lock->tookOverPid();
  out << "\n";
  return llvm::Error::success();
}

llvm::Error clearDevice(const ClearOptions &options, llvm::raw_ostream &out) {
  int fills = (options.seed ? 1 : 0) + (options.pattern ? 1 : 0) + (options.zero ? 1 : 0);
  if (fills > 1)
    return makeError(ErrorCode::BadOptionValue, "clear takes one of -seed, -pattern and -zero, got {0}", fills);
  state::FillSpec spec;
  if (options.pattern) {
    auto v = state::parsePattern(*options.pattern);
    if (!v) return v.takeError();
    spec = {state::FillSpec::Pattern, *v};
  } else if (options.zero) {
    spec = {state::FillSpec::Zero, 0};
  } else {
    spec = {state::FillSpec::Random, options.seed ? *options.seed : std::random_device{}()};
  }
  auto opened = openNamed(options.device, options.hardware);
  if (!opened) return opened.takeError();
  state::DeviceState &d = *opened->device;
  // Holding the lock while filling keeps programs off the device until it is done.
  state::DeviceLock held;
  if (auto lock = d.lock(false)) {
    held = std::move(*lock);
  } else if (!options.force) {
    return llvm::joinErrors(std::move(lock.takeError()),
                            makeError(ErrorCode::DeviceBusy, "refusing to clear a device in use (--force clears it anyway)"));
  } else {
    llvm::consumeError(lock.takeError());
    out << "warning: " << label(d) << " is in use by pid " << d.lockStatus().pid << "; clearing anyway (--force)\n";
  }
  const char *what = spec.kind == state::FillSpec::Zero ? "zeros" : spec.kind == state::FillSpec::Pattern ? "pattern" : "random";
  out << "clear " << label(d) << " with " << what;
  if (spec.kind == state::FillSpec::Pattern) out << llvm::formatv(" 0x{0:x-16}", spec.value);
  if (spec.kind == state::FillSpec::Random) out << " (seed " << spec.value << ")";
  out << "\n";
  out.flush();
  auto t0 = std::chrono::steady_clock::now();
  int lastDecile = -1;
  std::string lastRegion;
  auto progress = [&](const state::MemoryRegion &r, int64_t done, int64_t total) {
    if (r.name != lastRegion) lastRegion = r.name, lastDecile = -1;
    int decile = static_cast<int>(done * 10 / std::max<int64_t>(total, 1));
    if (decile == lastDecile) return;
    lastDecile = decile;
    out << llvm::formatv("  {0,-5} {1,10}  {2,3}%\n", r.name, gib(total), decile * 10);
    out.flush();
  };
  if (auto err = state::clearDevice(d, spec, progress)) return err;
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << llvm::formatv("cleared {0} in {1:f3} s; masks all ones; {2} on disk\n", label(d), s, gib(d.diskBytes()));
  return llvm::Error::success();
}

}  // namespace pfcomp::smi
