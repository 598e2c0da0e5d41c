#include "runtime/state/device_clear.h"

#include "support/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>
#include <vector>

namespace pfcomp::state {
namespace {

constexpr int64_t kChunk = 8 << 20;

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

llvm::Error ioError(const char *what, const MemoryRegion &r) {
  return makeError(ErrorCode::Io, "{0} {1}: {2}", what, r.path, std::strerror(errno));
}

// All zero without writing: drop the file's blocks (or cut it to nothing and re-extend).
llvm::Error zeroRegion(MemoryRegion &r) {
  if (fallocate(r.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, r.bytes) == 0) return llvm::Error::success();
  if (ftruncate(r.fd, 0) != 0 || ftruncate(r.fd, r.bytes) != 0) return ioError("cannot zero", r);
  return llvm::Error::success();
}

llvm::Error writeRegion(MemoryRegion &r, const FillSpec &spec, uint64_t regionSalt, const FillProgress &progress) {
  std::vector<uint64_t> chunk(kChunk / 8);
  if (spec.kind == FillSpec::Pattern) std::fill(chunk.begin(), chunk.end(), spec.value);
  // The random stream depends only on (seed, region, offset): reproducible chunk by chunk.
  const uint64_t base = splitmix64(spec.value ^ (regionSalt * 0x632be59bd9b4e019ull));
  for (int64_t off = 0; off < r.bytes; off += kChunk) {
    int64_t n = std::min(kChunk, r.bytes - off);
    if (spec.kind == FillSpec::Random)
      for (int64_t i = 0, words = (n + 7) / 8; i < words; ++i) chunk[i] = splitmix64(base + (off / 8) + i);
    const char *p = reinterpret_cast<const char *>(chunk.data());
    for (int64_t done = 0; done < n;) {
      ssize_t w = pwrite(r.fd, p + done, n - done, off + done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return ioError("cannot write", r);
      done += w;
    }
    if (progress) progress(r, off + n, r.bytes);
  }
  return llvm::Error::success();
}

llvm::Error fillOnes(MemoryRegion &r) {
  std::vector<uint8_t> ones(r.bytes, 0xff);
  if (pwrite(r.fd, ones.data(), ones.size(), 0) != static_cast<ssize_t>(ones.size())) return ioError("cannot write", r);
  return llvm::Error::success();
}

}  // namespace

llvm::Expected<uint64_t> parsePattern(llvm::StringRef text) {
  llvm::StringRef t = text.trim();
  unsigned long long v = 0;
  bool bad = t.empty();
  if (t.startswith_insensitive("0x"))
    bad = bad || t.size() > 18 || t.drop_front(2).getAsInteger(16, v);
  else
    bad = bad || t.getAsInteger(10, v);
  if (bad)
    return makeError(ErrorCode::BadOptionValue,
                     "bad pattern '{0}': want an unsigned 64-bit number, hex (0x...) or decimal", text);
  return static_cast<uint64_t>(v);
}

llvm::Error clearDevice(DeviceState &device, const FillSpec &spec, const FillProgress &progress) {
  uint64_t salt = 0;
  for (MemoryRegion &r : device.regions()) {
    ++salt;
    if (r.name == "masks") {
      if (auto err = fillOnes(r)) return err;
      if (progress) progress(r, r.bytes, r.bytes);
      continue;
    }
    if (spec.kind == FillSpec::Zero) {
      if (auto err = zeroRegion(r)) return err;
      if (progress) progress(r, r.bytes, r.bytes);
      continue;
    }
    if (auto err = writeRegion(r, spec, salt, progress)) return err;
  }
  return llvm::Error::success();
}

llvm::Error resetRegisters(DeviceState &device) {
  if (auto err = zeroRegion(device.region("regs"))) return err;
  return fillOnes(device.region("masks"));
}

}  // namespace pfcomp::state
