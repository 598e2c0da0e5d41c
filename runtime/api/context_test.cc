#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/api/context.h"
#include "runtime/device/program_io.h"
#include "runtime/device/test_program.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

using namespace pfcomp;
using namespace pfcomp::runtime;
using namespace pfcomp::device;
using pfcomp::device::testing::matmulProgram;

namespace {

const char *kHardware = "runtime/device/hardware/test_small.json";

HostTensor tensor(std::vector<int64_t> dims, std::vector<float> values) {
  HostTensor t;
  t.dtype = F32;
  t.dims = std::move(dims);
  t.bytes.resize(values.size() * 4);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

std::vector<float> floats(const HostTensor &t) {
  std::vector<float> v(t.bytes.size() / 4);
  std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
  return v;
}

std::vector<float> reference(const std::vector<float> &x, const std::vector<float> &w) {
  std::vector<float> y(15, 0);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) y[i * 3 + j] += x[i * 4 + k] * w[k * 3 + j];
  return y;
}

std::vector<float> defaultW() {
  std::vector<float> w(12);
  for (int i = 0; i < 12; ++i) w[i] = i * 0.5f;
  return w;
}

// A private device config, state folder and codegen_dir for each test.
struct Fixture {
  std::string root, codegenDir;
  Fixture() {
    const char *base = std::getenv("TEST_TMPDIR");
    root = std::string(base ? base : "/tmp") + "/api.XXXXXX";
    REQUIRE(mkdtemp(root.data()) != nullptr);
    std::ofstream(root + "/devices.json") << R"({"devices": ["d0", "d1"]})";
    setenv("PFCOMP_DEVICE_CONFIG", (root + "/devices.json").c_str(), 1);
    setenv("PFCOMP_DEVICE_STATE_DIR", (root + "/state").c_str(), 1);
    auto hw = loadHardware(kHardware);
    REQUIRE(static_cast<bool>(hw));
    codegenDir = root + "/codegen";
    REQUIRE(mkdir(codegenDir.c_str(), 0700) == 0);
    REQUIRE(!writeProgram(matmulProgram(hw->name), codegenDir + "/program.gpfnapp"));
  }
  std::unique_ptr<Context> open(const std::string &device = "", int64_t delay = 0) {
    ContextOptions o;
    o.device = device;
    o.hardware = kHardware;
    o.instr_delay_us = delay;
    auto ctx = Context::open(o);
    REQUIRE(static_cast<bool>(ctx));
    return std::move(*ctx);
  }
};

std::string errorText(llvm::Error err) { return llvm::toString(std::move(err)); }

}  // namespace

TEST_CASE("a Context holds its device: a second one takes the next idle device or fails on it") {
  Fixture f;
  auto a = f.open();
  CHECK(a->device().name == "d0");
  auto b = f.open();
  CHECK(b->device().name == "d1");
  ContextOptions o;
  o.hardware = kHardware;
  auto c = Context::open(o);
  REQUIRE(!c);
  CHECK_THAT(errorText(c.takeError()), Catch::Contains("[E506]"));
  o.device = "d0";
  auto d = Context::open(o);
  REQUIRE(!d);
  CHECK_THAT(errorText(d.takeError()), Catch::Contains("[E506]"));
  a.reset();
  auto e = Context::open(o);
  CHECK(static_cast<bool>(e));
}

TEST_CASE("CompiledFunction runs inputs and checks their shape and dtype") {
  Fixture f;
  auto ctx = f.open();
  auto fn = ctx->load_codegen_dir(f.codegenDir);
  REQUIRE(static_cast<bool>(fn));
  std::vector<float> x(20);
  for (int i = 0; i < 20; ++i) x[i] = i - 7.0f;
  auto out = (**fn)({{"x", tensor({5, 4}, x)}});
  REQUIRE(static_cast<bool>(out));
  REQUIRE(out->size() == 1);
  CHECK((*out)[0].name == "y");
  CHECK((*out)[0].tensor.dims == std::vector<int64_t>{5, 3});
  CHECK(floats((*out)[0].tensor) == reference(x, defaultW()));

  auto wrongShape = (**fn)({{"x", tensor({4, 5}, x)}});
  REQUIRE(!wrongShape);
  CHECK_THAT(errorText(wrongShape.takeError()), Catch::Contains("[E402]") && Catch::Contains("4x5"));
  HostTensor half = tensor({5, 4}, x);
  half.dtype = F16;
  auto wrongType = (**fn)({{"x", half}});
  REQUIRE(!wrongType);
  CHECK_THAT(errorText(wrongType.takeError()), Catch::Contains("[E403]"));
  auto missing = (**fn)({});
  REQUIRE(!missing);
  CHECK_THAT(errorText(missing.takeError()), Catch::Contains("[E401]"));
  auto noDir = ctx->load_codegen_dir(f.root + "/nothing");
  REQUIRE(!noDir);
  CHECK_THAT(errorText(noDir.takeError()), Catch::Contains("[E301]"));
}

TEST_CASE("TensorProxy::load_from is asynchronous; clone=true keeps the value it was given") {
  Fixture f;
  auto ctx = f.open();
  CompiledFunction &fn = **ctx->load_codegen_dir(f.codegenDir);
  auto proxies = fn.allocate_input_proxy();
  REQUIRE(proxies.count("x") == 1);
  CHECK(proxies["x"].shape() == std::vector<int64_t>{5, 4});
  std::vector<float> x(20, 1.0f);
  HostTensor t = tensor({5, 4}, x);
  proxies["x"].load_from(t, /*clone=*/true);
  std::fill(t.bytes.begin(), t.bytes.end(), 0);  // the clone is what gets loaded
  // A second set stages another batch without touching the first one's DRAM.
  auto next = fn.allocate_input_proxy();
  std::vector<float> x2(20, 2.0f);
  next["x"].load_from(tensor({5, 4}, x2));
  CHECK(floats(*next["x"].cpu()) == x2);
  REQUIRE(static_cast<bool>(fn.run(proxies)));
  auto y = fn.output_proxy("y");
  REQUIRE(static_cast<bool>(y));
  auto out = y->cpu();
  REQUIRE(static_cast<bool>(out));
  CHECK(floats(*out) == reference(x, defaultW()));
  // D2H of the input proxy reads it back from DRAM.
  auto back = proxies["x"].cpu();
  REQUIRE(static_cast<bool>(back));
  CHECK(floats(*back) == x);
  REQUIRE(static_cast<bool>(fn.run(next)));
  CHECK(floats(*y->cpu()) == reference(x2, defaultW()));
  // A bad tensor: the error comes back from wait().
  proxies["x"].load_from(tensor({2, 2}, {1, 2, 3, 4}));
  CHECK_THAT(errorText(proxies["x"].wait()), Catch::Contains("[E402]"));
}

TEST_CASE("registered values live where the program put them") {
  Fixture f;
  auto ctx = f.open();
  CompiledFunction &fn = **ctx->load_codegen_dir(f.codegenDir);
  auto w = fn.get_registered_value_proxy("w");
  REQUIRE(static_cast<bool>(w));
  CHECK(floats(*w->cpu()) == defaultW());
  std::vector<float> w2(12, 2.0f);
  REQUIRE(!fn.register_param("w", tensor({4, 3}, w2)));
  CHECK(floats(*w->cpu()) == w2);
  std::vector<float> x(20, 1.0f);
  auto out = fn({{"x", tensor({5, 4}, x)}});
  REQUIRE(static_cast<bool>(out));
  CHECK(floats((*out)[0].tensor) == reference(x, w2));
  CHECK_THAT(errorText(fn.register_param("x", tensor({5, 4}, x))), Catch::Contains("no parameter 'x'"));
  CHECK(!fn.register_buffer("y", tensor({5, 3}, std::vector<float>(15, 3.0f))));
  CHECK(floats(*fn.output_proxy("y")->cpu()) == std::vector<float>(15, 3.0f));
}

TEST_CASE("a reset of the device stops a running function with E507") {
  Fixture f;
  auto ctx = f.open("d1", /*delay=*/20000);  // 20 ms per instruction
  CompiledFunction &fn = **ctx->load_codegen_dir(f.codegenDir);
  auto config = state::loadDeviceConfig();
  REQUIRE(static_cast<bool>(config));
  auto hw = loadHardware(kHardware);
  auto other = state::DeviceState::open(*config, config->devices[1], *hw);
  REQUIRE(static_cast<bool>(other));
  std::thread resetter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    (*other)->bumpGeneration();
  });
  auto t0 = std::chrono::steady_clock::now();
  auto out = fn({{"x", tensor({5, 4}, std::vector<float>(20, 1.0f))}});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  resetter.join();
  REQUIRE(!out);
  CHECK_THAT(errorText(out.takeError()), Catch::Contains("[E507]") && Catch::Contains("reset while running"));
  CHECK(s < 0.15);
}
