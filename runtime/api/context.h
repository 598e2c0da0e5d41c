// The C++ runtime API, after MLSDK's: a Context holds one emulated device (its lock and shared
// state), load_codegen_dir puts a compiled program and its parameters into the device's DRAM,
// and TensorProxy moves values between host and device (H2D asynchronously, D2H explicitly).
//
//   auto ctx = Context::open({});                       // first idle device
//   CompiledFunction &f = *ctx->load_codegen_dir(dir);  // no re-compile
//   auto in = f.allocate_input_proxy();
//   in["x"].load_from(batch);                            // H2D starts on the transfer thread
//   f.run(in); auto y = f.output_proxy("y")->cpu();      // or: f({{"x", batch}})
// Two sets of input proxies let batch k+1 load while batch k runs.
#pragma once

#include "runtime/api/tensor_file.h"
#include "runtime/device/emulator.h"
#include "runtime/device/program_io.h"
#include "runtime/state/device_state.h"

#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pfcomp::runtime {

struct ContextOptions {
  std::string device;          // index or name; "" = the first idle device
  bool wait = false;           // wait for a busy device instead of failing with E506
  std::string hardware;        // descriptor path; "" = $PFCOMP_HARDWARE or the built-in one
  bool checked = true;         // LM validity tracking (reads of never-written LM fail, E502)
  int64_t instr_delay_us = 0;  // slows each instruction down (tests of reset)
};

class Context;
class CompiledFunction;

// A value in device DRAM: an input, output, parameter or buffer of the loaded program. Copies
// share one value. Not thread-safe: use a proxy from one host thread.
class TensorProxy {
 public:
  TensorProxy() = default;
  const std::string &name() const;
  std::vector<int64_t> shape() const;
  device::DType dtype() const;  // the host dtype

  // Starts H2D on the context's transfer thread: the host-side layout transform (dtype
  // conversion into the device layout). An input's image lands at its buffer's DRAM offset when
  // a run is given this proxy (the program reads inputs at fixed offsets, so batch k+1 is staged
  // while batch k runs); a parameter's or buffer's lands at the next run or cpu(). clone=false:
  // the caller keeps `tensor` alive and unchanged until wait() or that run.
  void load_from(const HostTensor &tensor, bool clone = true);
  // Waits for a pending load_from; its error (shape, dtype) if it failed.
  llvm::Error wait();
  // D2H: the value in DRAM now; for an input proxy holding a staged image not yet run, that image.
  llvm::Expected<HostTensor> cpu();

 private:
  friend class CompiledFunction;
  struct Value;
  explicit TensorProxy(std::shared_ptr<Value> value) : value_(std::move(value)) {}
  std::shared_ptr<Value> value_;
};

struct NamedTensor {
  std::string name;
  HostTensor tensor;
};

class CompiledFunction {
 public:
  ~CompiledFunction();
  // Runs on `inputs` (by input name, all of them) and returns the outputs in program order.
  // Shapes and dtypes must match what the codegen_dir was compiled for (E402 / E403).
  llvm::Expected<std::vector<NamedTensor>> operator()(const std::map<std::string, HostTensor> &inputs);
  // Runs with what `inputs` hold (waiting for their loads); outputs stay in DRAM
  // (output_proxy(...).cpu()). Without inputs: with what DRAM holds.
  llvm::Expected<device::RunStats> run(std::map<std::string, TensorProxy> &inputs);
  llvm::Expected<device::RunStats> run();

  // A fresh set of input proxies, each with its own staging image (no DRAM is allocated).
  std::map<std::string, TensorProxy> allocate_input_proxy();
  llvm::Expected<TensorProxy> output_proxy(const std::string &name);
  // Replaces a parameter / a buffer in DRAM with `tensor` (same shape and dtype); no new
  // allocation: the value lives where the program expects it.
  llvm::Error register_param(const std::string &name, const HostTensor &tensor);
  llvm::Error register_buffer(const std::string &name, const HostTensor &tensor);
  llvm::Expected<TensorProxy> get_registered_value_proxy(const std::string &name);

  // E402 / E403 when `tensor` does not fit input `name`.
  llvm::Error checkInput(const std::string &name, const HostTensor &tensor) const;
  std::vector<std::string> inputNames() const;
  // The loaded program; its parameters' Buffer.data is empty (their bytes are in DRAM).
  const device::Program &program() const { return program_; }
  const std::string &codegenDir() const { return dir_; }

 private:
  friend class Context;
  CompiledFunction(Context &context, std::string dir, device::ProgramFile file);
  llvm::Expected<TensorProxy> proxyFor(const std::string &name, const char *kinds);
  llvm::Error commitPendingLoads();
  Context &context_;
  std::string dir_;
  device::Program program_;
  // The mapped program file: PARAM bytes are read from it, never copied into program_.
  std::unique_ptr<llvm::MemoryBuffer> file_;
  std::vector<llvm::StringRef> params_;
  std::map<std::string, std::shared_ptr<TensorProxy::Value>> values_;
};

class Context {
 public:
  // Takes the device's lock (E506 when busy unless `wait`; E508 for an unknown device); the
  // lock is released when the Context goes, or by the kernel when the process dies.
  static llvm::Expected<std::unique_ptr<Context>> open(const ContextOptions &options);
  ~Context();

  // Reads CODEGEN_DIR/program.gpfnapp (no re-compile), checks it against the device and writes
  // its parameters into DRAM. One program at a time: loading another replaces it.
  llvm::Expected<CompiledFunction *> load_codegen_dir(const std::string &dir);

  const state::DeviceEntry &device() const { return state_->entry(); }
  const device::Hardware &hardware() const { return hw_; }
  // The pid of a dead holder whose stale lock this context took over, 0 if none.
  int64_t tookOverPid() const { return lock_.tookOverPid(); }
  // Releases the device's lock cleanly (as the destructor would) and leaves the rest: for a
  // process that exits right after without tearing the Context down. Nothing may run after it.
  void releaseLock() { lock_.release(); }

 private:
  friend class CompiledFunction;
  friend class TensorProxy;
  Context() = default;
  struct TransferThread;
  ContextOptions options_;
  device::Hardware hw_;
  std::unique_ptr<state::DeviceState> state_;
  state::DeviceLock lock_;
  uint64_t generation_ = 0;
  std::unique_ptr<device::Emulator> emulator_;
  std::unique_ptr<CompiledFunction> function_;
  std::unique_ptr<TransferThread> transfer_;
};

}  // namespace pfcomp::runtime
