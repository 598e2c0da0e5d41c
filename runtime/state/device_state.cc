#include "runtime/state/device_state.h"

#include "support/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pfcomp::state {
namespace {

constexpr int64_t kControlBytes = 4096;

llvm::Error ioError(const std::string &what, const std::string &path) {
  return makeError(ErrorCode::Io, "{0} {1}: {2}", what, path, std::strerror(errno));
}

llvm::Error makeDirs(const std::string &dir) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = dir.find('/', pos + 1);
    std::string part = dir.substr(0, pos);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return ioError("cannot create", part);
  }
  return llvm::Error::success();
}

// Opens (creating) a file of at least `bytes` apparent size; new space is a hole. Files only
// grow: another process may have the device mapped with a larger descriptor, and cutting a
// mapped file under it would crash it (SIGBUS).
llvm::Expected<int> openSized(const std::string &path, int64_t bytes) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ioError("cannot open", path);
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_size < bytes && ftruncate(fd, bytes) != 0)) {
    llvm::Error err = ioError("cannot size", path);
    ::close(fd);
    return std::move(err);
  }
  return fd;
}

struct flock wholeFile(short type) {
  struct flock fl;
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  return fl;
}

int64_t readPid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? std::atoll(buf) : 0;
}

}  // namespace

DeviceLock &DeviceLock::operator=(DeviceLock &&o) noexcept {
  if (this != &o) {
    release();
    fd_ = o.fd_;
    tookOverPid_ = o.tookOverPid_;
    o.fd_ = -1;
  }
  return *this;
}

DeviceLock::~DeviceLock() { release(); }

void DeviceLock::release() {
  if (fd_ < 0) return;
  // An empty file means "released cleanly"; a pid left behind marks a holder that died.
  if (ftruncate(fd_, 0) != 0) {
  }
  ::close(fd_);
  fd_ = -1;
}

llvm::Expected<std::unique_ptr<DeviceState>> DeviceState::open(const DeviceConfig &config, const DeviceEntry &entry,
                                                               const device::Hardware &hw) {
  std::unique_ptr<DeviceState> s(new DeviceState());
  s->entry_ = entry;
  s->hw_ = hw;
  s->dir_ = config.state_dir + "/" + entry.name;
  if (auto err = makeDirs(s->dir_)) return std::move(err);
  s->lockPath_ = s->dir_ + "/lock";
  const int64_t pes = hw.pes();
  struct Spec { const char *name; int64_t bytes; };
  for (Spec spec : {Spec{"dram", hw.dramBytes()}, Spec{"lm", pes * hw.lmBytes()},
                    Spec{"grf", pes * (hw.grf0 + hw.grf1)}, Spec{"regs", pes * kRegBytesPerPe},
                    Spec{"masks", pes * kMaskBytesPerPe}}) {
    MemoryRegion r;
    r.name = spec.name;
    r.path = s->dir_ + "/" + spec.name + ".bin";
    r.bytes = spec.bytes;
    bool fresh = access(r.path.c_str(), F_OK) != 0;
    auto fd = openSized(r.path, r.bytes);
    if (!fd) return fd.takeError();
    r.fd = *fd;
    if (fresh && r.name == "masks") {  // mask registers power up all ones
      std::vector<uint8_t> ones(r.bytes, 0xff);
      if (pwrite(r.fd, ones.data(), ones.size(), 0) != static_cast<ssize_t>(ones.size()))
        return ioError("cannot write", r.path);
    }
    s->regions_.push_back(std::move(r));
  }
  std::string controlPath = s->dir_ + "/control.bin";
  auto cfd = openSized(controlPath, kControlBytes);
  if (!cfd) return cfd.takeError();
  s->controlFd_ = *cfd;
  s->control_ = mmap(nullptr, kControlBytes, PROT_READ | PROT_WRITE, MAP_SHARED, s->controlFd_, 0);
  if (s->control_ == MAP_FAILED) {
    s->control_ = nullptr;
    return ioError("cannot map", controlPath);
  }
  static_assert(std::atomic<uint64_t>::is_always_lock_free, "the counter is shared between processes");
  s->generation_ = reinterpret_cast<std::atomic<uint64_t> *>(s->control_);
  return std::move(s);
}

DeviceState::~DeviceState() {
  for (MemoryRegion &r : regions_) {
    if (r.data) munmap(r.data, r.bytes);
    if (r.fd >= 0) ::close(r.fd);
  }
  if (control_) munmap(control_, kControlBytes);
  if (controlFd_ >= 0) ::close(controlFd_);
}

MemoryRegion &DeviceState::region(llvm::StringRef name) {
  for (MemoryRegion &r : regions_)
    if (r.name == name) return r;
  std::abort();  // our own bug: the region names are fixed above
}

llvm::Error DeviceState::map() {
  for (MemoryRegion &r : regions_) {
    if (r.data) continue;
    void *p = mmap(nullptr, r.bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, r.fd, 0);
    if (p == MAP_FAILED) return ioError("cannot map", r.path);
    r.data = static_cast<uint8_t *>(p);
  }
  return llvm::Error::success();
}

llvm::Expected<DeviceLock> DeviceState::lock(bool wait) {
  int fd = ::open(lockPath_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ioError("cannot open", lockPath_);
  struct flock fl = wholeFile(F_WRLCK);
  while (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) != 0) {
    if (errno == EINTR) continue;
    int64_t holder = readPid(fd);
    ::close(fd);
    if (errno == EAGAIN || errno == EACCES)
      return makeError(ErrorCode::DeviceBusy, "device {0} ({1}) is in use by pid {2}", entry_.index, entry_.name,
                       holder);
    return ioError("cannot lock", lockPath_);
  }
  // We hold it: a pid left in the file belongs to a holder that died without unlocking.
  int64_t previous = readPid(fd);
  int64_t tookOver = previous > 0 && previous != getpid() ? previous : 0;
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    ::close(fd);
    return ioError("cannot write", lockPath_);
  }
  return DeviceLock(fd, tookOver);
}

LockStatus DeviceState::lockStatus() const {
  LockStatus status;
  int fd = ::open(lockPath_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return status;
  status.pid = readPid(fd);
  struct flock fl = wholeFile(F_WRLCK);
  // F_OFD_GETLK asks without taking, so listing never disturbs a program choosing a device.
  if (fcntl(fd, F_OFD_GETLK, &fl) == 0) status.locked = fl.l_type != F_UNLCK;
  ::close(fd);
  return status;
}

int64_t DeviceState::diskBytes() const {
  int64_t total = 0;
  for (const char *name : {"dram.bin", "lm.bin", "grf.bin", "regs.bin", "masks.bin", "control.bin", "lock"}) {
    struct stat st;
    if (stat((dir_ + "/" + name).c_str(), &st) == 0) total += static_cast<int64_t>(st.st_blocks) * 512;
  }
  return total;
}

}  // namespace pfcomp::state
