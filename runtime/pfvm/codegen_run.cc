#include "runtime/pfvm/codegen_run.h"

#include "runtime/api/context.h"
#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <chrono>
#include <map>

namespace pfcomp::runtime {
namespace {

std::string join(llvm::StringRef dir, llvm::StringRef name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

// "[E402] input ..." -> "[E402] PATH: input ...": the file the value came from, code kept first.
llvm::Error inFile(const std::string &path, llvm::Error err) {
  std::string msg = llvm::toString(std::move(err));
  size_t at = msg.rfind("] ", 8) != std::string::npos && msg[0] == '[' ? msg.find("] ") + 2 : 0;
  return llvm::make_error<llvm::StringError>(msg.substr(0, at) + path + ": " + msg.substr(at),
                                             llvm::inconvertibleErrorCode());
}

}  // namespace

llvm::Expected<RunResult> runCodegenDir(const RunRequest &req) {
  // The codegen_dir is checked before a device is taken, so a bad dir never waits for one.
  if (!llvm::sys::fs::is_directory(req.codegen_dir))
    return makeError(ErrorCode::StageFileMissing, "{0}: no such codegen_dir", req.codegen_dir);
  ContextOptions options;
  options.device = req.device;
  options.wait = req.wait;
  options.hardware = req.hardware;
  options.checked = req.checked;
  options.instr_delay_us = req.instr_delay_us;
  auto context = Context::open(options);
  if (!context) return context.takeError();
  auto fn = (*context)->load_codegen_dir(req.codegen_dir);
  if (!fn) return fn.takeError();
  CompiledFunction &f = **fn;

  std::vector<std::string> names = f.inputNames();
  std::error_code ec;
  int files = 0;
  for (llvm::sys::fs::directory_iterator it(req.inputs_dir, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.startswith("input_") && name.endswith(".pb")) ++files;
  }
  if (ec) return makeError(ErrorCode::InputFile, "cannot list inputs in {0}: {1}", req.inputs_dir, ec.message());
  if (files != static_cast<int>(names.size()))
    return makeError(ErrorCode::InputCount, "the model has {0} input(s), {1} holds {2} input_N.pb file(s)",
                     names.size(), req.inputs_dir, files);
  std::map<std::string, HostTensor> inputs;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string path = join(req.inputs_dir, "input_" + std::to_string(i) + ".pb");
    auto t = readTensorFile(path);
    if (!t) return t.takeError();
    for (const device::Buffer &b : f.program().buffers())
      if (b.kind() == device::Buffer::INPUT && b.name() == names[i]) takeUint16AsBfloat16(*t, b.host_dtype());
    if (llvm::Error err = f.checkInput(names[i], *t)) return inFile(path, std::move(err));
    inputs[names[i]] = std::move(*t);
  }
  RunResult result;
  for (int64_t r = 0; r < std::max<int64_t>(req.repeat, 1); ++r) {
    const auto start = std::chrono::steady_clock::now();
    auto proxies = f.allocate_input_proxy();
    for (auto &[name, tensor] : inputs) proxies[name].load_from(tensor, /*clone=*/false);
    auto stats = f.run(proxies);
    if (!stats) return stats.takeError();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r == 0 || seconds < result.fastest_run_s) result.fastest_run_s = seconds;
    result.stats = std::move(*stats);
  }
  std::map<int, const device::Buffer *> outputs;
  for (const device::Buffer &b : f.program().buffers())
    if (b.kind() == device::Buffer::OUTPUT) outputs[b.io_index()] = &b;
  for (const auto &[index, buffer] : outputs) {
    auto proxy = f.output_proxy(buffer->name());
    if (!proxy) return proxy.takeError();
    auto t = proxy->cpu();
    if (!t) return t.takeError();
    result.output_names.push_back(buffer->name());
    result.outputs.push_back(std::move(*t));
  }
  result.predicted_cycles = f.program().predicted_cycles();
  result.clock_hz = (*context)->hardware().clock_hz;
  if (req.keep_program) result.program = f.program();
  result.hardware = (*context)->hardware();
  result.device_name = (*context)->device().name;
  result.took_over_pid = (*context)->tookOverPid();
  result.context = std::move(*context);
  return result;
}

}  // namespace pfcomp::runtime
