// H2D throughput through the runtime API against a plain memcpy of the same host bytes.
//
//   h2d_bench [--sizes-mib 1,16,64] [--reps N] [--device D] [--hardware FILE]
//
// For each size S (MiB of f32 host data) and each device dtype (f16, f32) it loads a one-input
// program (no instructions) and times, best of N:
//   memcpy      memcpy of the S MiB of host bytes into a buffer already touched;
//   load_from   TensorProxy::load_from(tensor, clone=false) + wait(): the host-side transform
//               (f32 -> device dtype into the device-layout staging image) on the transfer thread;
//   +commit     the same followed by run(proxies) of the empty program, which writes the staged
//               image into the device's DRAM (the mapped state file).
// Throughput is host bytes per second (S MiB / time); ratio = load_from / memcpy (goal >= 0.5).
#include "runtime/api/context.h"
#include "runtime/device/element_convert.h"
#include "runtime/device/kernels/kernel.h"
#include "runtime/device/program_io.h"
#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

using namespace pfcomp;
using namespace pfcomp::runtime;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A program with one input `x` of `elements` host-f32 values held as `deviceType` in DRAM.
device::Program inputOnlyProgram(const std::string &hardware, int64_t elements, device::DType deviceType) {
  device::Program p;
  p.set_tool_version("h2d_bench");
  p.set_hardware(hardware);
  device::Buffer *b = p.add_buffers();
  b->set_name("x");
  b->set_kind(device::Buffer::INPUT);
  b->set_dtype(deviceType);
  b->set_host_dtype(device::F32);
  b->add_shape(elements);
  b->set_bytes(elements * device::dtypeBytes(deviceType));
  b->set_dram_offset(0);
  b->set_io_index(0);
  p.set_dram_bytes(b->bytes());
  return p;
}

int fail(llvm::Error err) { return reportErrorAndExit("h2d_bench", std::move(err)); }

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"h2d_bench: H2D throughput of TensorProxy::load_from vs memcpy"};
  std::vector<int64_t> sizes = {1, 16, 64};
  int reps = 5;
  std::string deviceName, hardware;
  app.add_option("--sizes-mib", sizes, "host f32 data sizes in MiB")->delimiter(',');
  app.add_option("--reps", reps, "repetitions (best is reported)");
  app.add_option("--device", deviceName, "device index or name (default: first idle)");
  app.add_option("--hardware", hardware, "hardware descriptor JSON (default: $PFCOMP_HARDWARE or built-in)");
  CLI11_PARSE(app, argc, argv);

  ContextOptions options;
  options.device = deviceName;
  options.hardware = hardware;
  auto ctx = Context::open(options);
  if (!ctx) return fail(ctx.takeError());
  llvm::SmallString<128> work;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("h2d_bench", work))
    return fail(makeError(ErrorCode::Io, "cannot make a temporary folder: {0}", ec.message()));

  llvm::outs() << llvm::formatv("device {0} ({1}), hardware {2}, best of {3}; GB/s of f32 host bytes\n",
                                (*ctx)->device().index, (*ctx)->device().name, (*ctx)->hardware().name, reps);
  llvm::outs() << llvm::formatv("{0,6} {1,-9} {2,10} {3,12} {4,12} {5,7}\n", "MiB", "f32->", "memcpy",
                                "load_from", "+commit", "ratio");
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-4, 4);
  for (int64_t mib : sizes) {
    const int64_t bytes = mib << 20, elements = bytes / 4;
    HostTensor t;
    t.dtype = device::F32;
    t.dims = {elements};
    t.bytes.resize(bytes);
    float *f = reinterpret_cast<float *>(t.bytes.data());
    for (int64_t i = 0; i < elements; ++i) f[i] = dist(rng);
    std::vector<uint8_t> dst(bytes, 1);  // touched: memcpy is timed without page faults
    double memcpyBest = 1e30;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      std::memcpy(dst.data(), t.bytes.data(), bytes);
      memcpyBest = std::min(memcpyBest, since(t0));
    }
    for (device::DType deviceType : {device::F16, device::F32}) {
      llvm::SmallString<128> dir(work);
      llvm::sys::path::append(dir, llvm::formatv("x{0}_{1}", mib, int(deviceType)).str());
      llvm::sys::fs::create_directories(dir);
      llvm::SmallString<128> programPath(dir);
      llvm::sys::path::append(programPath, "program.gpfnapp");
      if (auto err = device::writeProgram(inputOnlyProgram((*ctx)->hardware().name, elements, deviceType), programPath))
        return fail(std::move(err));
      auto fn = (*ctx)->load_codegen_dir(std::string(dir));
      if (!fn) return fail(fn.takeError());
      auto proxies = (*fn)->allocate_input_proxy();
      TensorProxy &x = proxies["x"];
      double loadBest = 1e30, commitBest = 1e30;
      for (int r = 0; r < reps + 1; ++r) {  // the first round allocates the staging image
        auto t0 = Clock::now();
        x.load_from(t, /*clone=*/false);
        if (auto err = x.wait()) return fail(std::move(err));
        double load = since(t0);
        x.load_from(t, /*clone=*/false);
        auto t1 = Clock::now();
        auto stats = (*fn)->run(proxies);
        if (!stats) return fail(stats.takeError());
        double commit = since(t1);
        if (r == 0) continue;
        loadBest = std::min(loadBest, load);
        commitBest = std::min(commitBest, load + commit);
      }
      // Check the value that reached DRAM.
      auto back = x.cpu();
      if (!back) return fail(back.takeError());
      const float *b = reinterpret_cast<const float *>(back->bytes.data());
      for (int64_t i = 0; i < elements; i += 4097) {
        float want = deviceType == device::F16 ? device::halfToFloat(device::floatToHalf(f[i])) : f[i];
        if (b[i] != want) return fail(makeError(ErrorCode::Io, "DRAM holds {0} at {1}, want {2}", b[i], i, want));
      }
      double gbs = 1e-9 * bytes;
      llvm::outs() << llvm::formatv("{0,6} {1,-9} {2,10:f2} {3,12:f2} {4,12:f2} {5,6:f2}x\n", mib,
                                    deviceType == device::F16 ? "f16" : "f32", gbs / memcpyBest, gbs / loadBest,
                                    gbs / commitBest, memcpyBest / loadBest);
      llvm::outs().flush();
    }
  }
  llvm::sys::fs::remove_directories(work);
  return 0;
}
