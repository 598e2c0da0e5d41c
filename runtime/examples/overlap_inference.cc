// An inference loop on the runtime API that overlaps the next batch's H2D with the current run,
// as the MLSDK docs advise, timed against the same loop without overlap.
//
//   overlap_inference CODEGEN_DIR [--batches N] [--device D] [--hardware FILE]
//
// Two sets of input proxies: while batch k runs from set A, batch k+1 is converted into the
// device layout on the transfer thread into set B; then they swap.
#include "runtime/api/context.h"
#include "runtime/device/element_convert.h"
#include "runtime/device/kernels/kernel.h"
#include "support/error.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <random>

using namespace pfcomp;
using namespace pfcomp::runtime;

namespace {

using Batch = std::map<std::string, HostTensor>;

// Random inputs of the shapes and host dtypes the codegen_dir was compiled for.
std::vector<Batch> makeBatches(const CompiledFunction &fn, int count) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<Batch> batches(count);
  for (Batch &batch : batches)
    for (const device::Buffer &b : fn.program().buffers()) {
      if (b.kind() != device::Buffer::INPUT) continue;
      HostTensor t;
      t.dtype = b.host_dtype();
      t.dims.assign(b.shape().begin(), b.shape().end());
      std::vector<float> values(t.elements());
      for (float &v : values) v = dist(rng);
      t.bytes.resize(t.elements() * device::dtypeBytes(t.dtype));
      device::convertElements(device::F32, values.data(), t.dtype, t.bytes.data(), t.elements());
      batch[b.name()] = std::move(t);
    }
  return batches;
}

llvm::Expected<std::vector<HostTensor>> readOutputs(CompiledFunction &fn) {
  std::vector<HostTensor> outs;
  for (const device::Buffer &b : fn.program().buffers()) {
    if (b.kind() != device::Buffer::OUTPUT) continue;
    auto proxy = fn.output_proxy(b.name());
    if (!proxy) return proxy.takeError();
    auto t = proxy->cpu();  // explicit D2H
    if (!t) return t.takeError();
    outs.push_back(std::move(*t));
  }
  return outs;
}

// Returns seconds; `results` gets each batch's outputs.
llvm::Expected<double> loop(CompiledFunction &fn, const std::vector<Batch> &batches, bool overlap,
                            std::vector<std::vector<HostTensor>> &results) {
  auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, TensorProxy> sets[2] = {fn.allocate_input_proxy(), fn.allocate_input_proxy()};
  auto load = [&](std::map<std::string, TensorProxy> &set, const Batch &batch) {
    for (auto &[name, tensor] : batch) set[name].load_from(tensor, /*clone=*/false);  // batches outlive the loop
  };
  if (overlap) load(sets[0], batches[0]);
  for (size_t k = 0; k < batches.size(); ++k) {
    auto &cur = sets[k % 2];
    if (!overlap) load(cur, batches[k]);
    else if (k + 1 < batches.size()) load(sets[(k + 1) % 2], batches[k + 1]);  // H2D of k+1 during run k
    auto stats = fn.run(cur);
    if (!stats) return stats.takeError();
    auto outs = readOutputs(fn);
    if (!outs) return outs.takeError();
    results.push_back(std::move(*outs));
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"overlap_inference: an inference loop overlapping H2D with the run (runtime API example)"};
  std::string dir;
  int batches = 16;
  ContextOptions options;
  app.add_option("codegen_dir", dir, "codegen_dir made by pfcomp")->required();
  app.add_option("--batches", batches, "batches per loop")->capture_default_str();
  app.add_option("--device", options.device, "device index or name (default: the first idle one)");
  app.add_option("--hardware", options.hardware, "hardware descriptor JSON");
  app.add_flag("--wait", options.wait, "wait for a busy device");
  CLI11_PARSE(app, argc, argv);
  options.checked = false;  // timing the loop, not checking the program
  auto ctx = exitOnError("overlap_inference", Context::open(options));
  CompiledFunction &fn = *exitOnError("overlap_inference", ctx->load_codegen_dir(dir));
  std::vector<Batch> data = makeBatches(fn, std::max(batches, 1));
  std::vector<std::vector<HostTensor>> warm, seq, ovl;
  exitOnError("overlap_inference", loop(fn, {data[0]}, false, warm));  // first touch of the device pages
  double tSeq = exitOnError("overlap_inference", loop(fn, data, false, seq));
  double tOvl = exitOnError("overlap_inference", loop(fn, data, true, ovl));
  // H2D alone (host-side transform on the transfer thread): the most overlap can hide.
  auto h0 = std::chrono::steady_clock::now();
  auto probe = fn.allocate_input_proxy();
  for (const Batch &batch : data) {
    for (auto &[name, tensor] : batch) probe[name].load_from(tensor, /*clone=*/true);
    for (auto &[name, proxy] : probe) exitOnError("overlap_inference", proxy.wait());
  }
  double tH2d = std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
  bool same = seq.size() == ovl.size();
  for (size_t k = 0; same && k < seq.size(); ++k)
    for (size_t o = 0; same && o < seq[k].size(); ++o) same = seq[k][o].bytes == ovl[k][o].bytes;
  int64_t inputBytes = 0;
  for (auto &[name, t] : data[0]) inputBytes += t.bytes.size();
  llvm::outs() << llvm::formatv("device {0} ({1}), {2} batches of {3} input bytes\n", ctx->device().index,
                                ctx->device().name, data.size(), inputBytes);
  llvm::outs() << llvm::formatv("H2D alone:       {0:f3} s ({1:f3} ms/batch; the most overlap can hide)\n", tH2d,
                                tH2d * 1e3 / data.size());
  llvm::outs() << llvm::formatv("without overlap: {0:f3} s ({1:f2} ms/batch)\n", tSeq, tSeq * 1e3 / data.size());
  llvm::outs() << llvm::formatv("with overlap:    {0:f3} s ({1:f2} ms/batch), {2:f2}x\n", tOvl,
                                tOvl * 1e3 / data.size(), tSeq / tOvl);
  llvm::outs() << "outputs " << (same ? "identical" : "DIFFER") << " between the two loops\n";
  return same ? 0 : 1;
}
