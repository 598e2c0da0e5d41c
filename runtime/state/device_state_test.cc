#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/state/device_clear.h"
#include "runtime/state/device_state.h"

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace pfcomp;
using namespace pfcomp::state;

namespace {

device::Hardware smallHardware() {
  auto hw = device::loadHardware("runtime/device/hardware/test_small.json");
  REQUIRE(static_cast<bool>(hw));
  return *hw;
}

DeviceConfig tempConfig() {
  const char *base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/devstate.XXXXXX";
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  auto config = parseDeviceConfig(R"({"devices": ["dev0", "dev1"]})", "test");
  REQUIRE(static_cast<bool>(config));
  config->state_dir = tmpl;
  return *config;
}

std::unique_ptr<DeviceState> openDevice(const DeviceConfig &c, int index, const device::Hardware &hw) {
  auto s = DeviceState::open(c, c.devices[index], hw);
  REQUIRE(static_cast<bool>(s));
  return std::move(*s);
}

}  // namespace

TEST_CASE("default config has 8 devices and finds them by index or name") {
  unsetenv("PFCOMP_DEVICE_CONFIG");
  auto c = loadDeviceConfig();
  REQUIRE(static_cast<bool>(c));
  REQUIRE(c->devices.size() == 8);
  CHECK(c->devices[0].name == "mnc2p27s0");
  CHECK(c->devices[7].name == "mnc2p34s0");
  CHECK(findDevice(*c, "mnc2p28s0")->index == 1);
  CHECK(findDevice(*c, "7")->name == "mnc2p34s0");
  auto bad = findDevice(*c, "9");
  REQUIRE(!bad);
  CHECK(llvm::toString(bad.takeError()).find("[E508]") != std::string::npos);
}

TEST_CASE("state files are shared between openers and sparse") {
  auto hw = smallHardware();
  auto c = tempConfig();
  auto a = openDevice(c, 0, hw);
  REQUIRE(!a->map());
  a->dram()[12345] = 42;
  a->lm()[7] = 9;
  auto b = openDevice(c, 0, hw);
  REQUIRE(!b->map());
  CHECK(b->dram()[12345] == 42);
  CHECK(b->lm()[7] == 9);
  CHECK(b->region("masks").data[0] == 0xff);
  // A full-size device: 16 GiB DRAM and 128 MiB LM apparent, almost nothing on disk.
  auto full = device::resolveHardware("");
  REQUIRE(static_cast<bool>(full));
  auto big = openDevice(c, 1, *full);
  REQUIRE(!big->map());
  big->dram()[int64_t(15) << 30] = 1;  // one page near the end
  struct stat st;
  REQUIRE(stat((big->dir() + "/dram.bin").c_str(), &st) == 0);
  CHECK(st.st_size == (int64_t(16) << 30));
  CHECK(big->diskBytes() < (int64_t(4) << 20));
}

TEST_CASE("generation counter is seen by every opener") {
  auto hw = smallHardware();
  auto c = tempConfig();
  auto a = openDevice(c, 0, hw);
  auto b = openDevice(c, 0, hw);
  uint64_t g = a->generation();
  b->bumpGeneration();
  CHECK(a->generation() == g + 1);
}

TEST_CASE("lock: busy, released, stale lock of a dead pid taken over") {
  auto hw = smallHardware();
  auto c = tempConfig();
  auto a = openDevice(c, 0, hw);
  {
    auto l = a->lock(false);
    REQUIRE(static_cast<bool>(l));
    CHECK(a->lockStatus().locked);
    CHECK(a->lockStatus().pid == getpid());
    auto again = a->lock(false);  // another open file description: refused
    REQUIRE(!again);
    CHECK(llvm::toString(again.takeError()).find("[E506]") != std::string::npos);
  }
  CHECK(!a->lockStatus().locked);
  CHECK(a->lockStatus().pid == 0);
  pid_t child = fork();
  if (child == 0) {
    auto l = a->lock(false);
    l->release();  // keep the pid in the file: simulate dying while holding
    _exit(l ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  // The child's DeviceLock::release truncated the file; write its pid back as a crash would leave it.
  int fd = ::open((a->dir() + "/lock").c_str(), O_WRONLY);
  std::string pid = std::to_string(child) + "\n";
  REQUIRE(write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));
  ::close(fd);
  CHECK(!a->lockStatus().locked);
  auto l = a->lock(false);
  REQUIRE(static_cast<bool>(l));
  CHECK(l->tookOverPid() == child);
}

TEST_CASE("lock held by a killed process is free again") {
  auto hw = smallHardware();
  auto c = tempConfig();
  auto a = openDevice(c, 0, hw);
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  pid_t child = fork();
  if (child == 0) {
    auto l = a->lock(false);
    char ok = l ? 1 : 0;
    (void)!write(pipefd[1], &ok, 1);
    pause();
    _exit(0);
  }
  char ok = 0;
  REQUIRE(read(pipefd[0], &ok, 1) == 1);
  REQUIRE(ok == 1);
  CHECK(a->lockStatus().locked);
  CHECK(a->lockStatus().pid == child);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  auto l = a->lock(false);
  REQUIRE(static_cast<bool>(l));
  CHECK(l->tookOverPid() == child);
}

TEST_CASE("clear: zero, pattern, reproducible random; masks all ones") {
  auto hw = smallHardware();
  auto c = tempConfig();
  auto a = openDevice(c, 0, hw);
  REQUIRE(!a->map());
  REQUIRE(!clearDevice(*a, {FillSpec::Pattern, 0x0123456789abcdefull}, nullptr));
  uint64_t w;
  std::memcpy(&w, a->dram() + 8 * 1000, 8);
  CHECK(w == 0x0123456789abcdefull);
  std::memcpy(&w, a->region("grf").data + 64, 8);
  CHECK(w == 0x0123456789abcdefull);
  CHECK(a->region("masks").data[5] == 0xff);
  REQUIRE(!clearDevice(*a, {FillSpec::Random, 7}, nullptr));
  std::vector<uint8_t> first(a->dram(), a->dram() + 4096);
  REQUIRE(!clearDevice(*a, {FillSpec::Random, 8}, nullptr));
  CHECK(std::vector<uint8_t>(a->dram(), a->dram() + 4096) != first);
  REQUIRE(!clearDevice(*a, {FillSpec::Random, 7}, nullptr));
  CHECK(std::vector<uint8_t>(a->dram(), a->dram() + 4096) == first);
  CHECK(a->region("masks").data[0] == 0xff);
  REQUIRE(!clearDevice(*a, {FillSpec::Zero, 0}, nullptr));
  CHECK(a->dram()[100] == 0);
  CHECK(a->lm()[100] == 0);
  CHECK(a->region("masks").data[3] == 0xff);
  CHECK(a->diskBytes() < (int64_t(1) << 20));
}

TEST_CASE("parsePattern: hex and decimal, errors coded") {
  CHECK(*parsePattern("0xff") == 255);
  CHECK(*parsePattern("123") == 123);
  CHECK(*parsePattern("0xFFFFFFFFFFFFFFFF") == ~0ull);
  for (const char *bad : {"", "zz", "0x", "-1", "0x1FFFFFFFFFFFFFFFF", "12abc"}) {
    auto v = parsePattern(bad);
    REQUIRE(!v);
    CHECK(llvm::toString(v.takeError()).find("[E202]") != std::string::npos);
  }
}
