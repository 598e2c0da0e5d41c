// One emulated device's state as files under the state folder: DRAM, every PE's LM and GRF,
// scalar and mask registers (sparse files, mapped on demand), a control block holding the
// generation counter that `reset` bumps, and the lock file a running program holds.
#pragma once

#include "runtime/device/hardware.h"
#include "runtime/state/device_config.h"

#include "llvm/Support/Error.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pfcomp::state {

// Per PE: 64 scalar registers of 8 bytes, 4 mask registers of 8 bytes.
constexpr int64_t kRegBytesPerPe = 64 * 8;
constexpr int64_t kMaskBytesPerPe = 4 * 8;

// One memory of the device, backed by one sparse file.
struct MemoryRegion {
  std::string name;   // "dram", "lm", "grf", "regs", "masks"
  std::string path;
  int64_t bytes = 0;
  int fd = -1;
  uint8_t *data = nullptr;  // mapped by DeviceState::map (MAP_SHARED), else null
};

// Holding the device: an open-file-description lock on the lock file (released by the kernel
// when the holder exits or is killed) with the holder's pid written into the file.
class DeviceLock {
 public:
  DeviceLock() = default;
  explicit DeviceLock(int fd, int64_t tookOverPid) : fd_(fd), tookOverPid_(tookOverPid) {}
  DeviceLock(DeviceLock &&o) noexcept : fd_(o.fd_), tookOverPid_(o.tookOverPid_) { o.fd_ = -1; }
  DeviceLock &operator=(DeviceLock &&o) noexcept;
  ~DeviceLock();
  bool held() const { return fd_ >= 0; }
  // The pid of a dead holder whose stale lock was taken over, 0 if none.
  int64_t tookOverPid() const { return tookOverPid_; }
  void release();

 private:
  int fd_ = -1;
  int64_t tookOverPid_ = 0;
};

struct LockStatus {
  bool locked = false;
  int64_t pid = 0;  // the holder; when not locked, a dead holder's stale pid, else 0
};

class DeviceState {
 public:
  // Creates the device's folder and files on first use (sizes from `hw`; a larger descriptor
  // grows them, a smaller one uses their start). Nothing is mapped yet.
  static llvm::Expected<std::unique_ptr<DeviceState>> open(const DeviceConfig &config, const DeviceEntry &entry,
                                                           const device::Hardware &hw);
  ~DeviceState();

  const DeviceEntry &entry() const { return entry_; }
  const std::string &dir() const { return dir_; }
  const device::Hardware &hardware() const { return hw_; }
  std::vector<MemoryRegion> &regions() { return regions_; }
  MemoryRegion &region(llvm::StringRef name);

  // Maps every memory region shared (virtual address space only; pages cost disk when written).
  llvm::Error map();
  uint8_t *dram() { return region("dram").data; }
  uint8_t *lm() { return region("lm").data; }

  // The generation counter: bumped by every reset; a running program stops when it changes.
  uint64_t generation() const { return generation_->load(std::memory_order_acquire); }
  const std::atomic<uint64_t> *generationCounter() const { return generation_; }
  uint64_t bumpGeneration() { return generation_->fetch_add(1, std::memory_order_acq_rel) + 1; }

  // E506 when another process holds the device (unless `wait`: blocks until it is free).
  llvm::Expected<DeviceLock> lock(bool wait);
  LockStatus lockStatus() const;

  // Bytes the state files occupy on disk (st_blocks), not their apparent size.
  int64_t diskBytes() const;

 private:
  DeviceState() = default;
  DeviceEntry entry_;
  device::Hardware hw_;
  std::string dir_, lockPath_;
  std::vector<MemoryRegion> regions_;
  int controlFd_ = -1;
  void *control_ = nullptr;
  std::atomic<uint64_t> *generation_ = nullptr;
};

}  // namespace pfcomp::state
