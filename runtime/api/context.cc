#include "runtime/api/context.h"

#include "runtime/device/element_convert.h"
#include "runtime/device/kernels/kernel.h"
#include "runtime/device/program_io.h"
#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <chrono>
#include <future>
#include <thread>

namespace pfcomp::runtime {

// One thread doing the host side of H2D, in submission order.
struct Context::TransferThread {
  llvm::ThreadPool pool{llvm::hardware_concurrency(1)};
};

struct TensorProxy::Value {
  Context *context = nullptr;
  const device::Buffer *buffer = nullptr;
  std::shared_future<void> pending;    // valid while a load_from has not been waited for
  std::shared_ptr<const HostTensor> keep;  // the clone (clone=true)
  std::vector<uint8_t> image;          // device-layout bytes waiting for the next run
  bool staged = false;
  std::string error;                   // the pending load's coded message, "" = ok
};

namespace {

std::string shapeText(const device::Buffer &b) {
  HostTensor t;
  t.dims.assign(b.shape().begin(), b.shape().end());
  return t.shapeText();
}

const char *kindText(device::Buffer::Kind kind) {
  switch (kind) {
    case device::Buffer::INPUT: return "input";
    case device::Buffer::OUTPUT: return "output";
    case device::Buffer::PARAM: return "parameter";
    default: return "buffer";
  }
}

llvm::Error checkValue(const device::Buffer &b, const HostTensor &t) {
  std::vector<int64_t> want(b.shape().begin(), b.shape().end());
  if (t.dims != want)
    return makeError(ErrorCode::InputShape, "{0} '{1}' has shape {2}, the program was compiled for {3}",
                     kindText(b.kind()), b.name(), t.shapeText(), shapeText(b));
  if (t.dtype != b.host_dtype())
    return makeError(ErrorCode::InputDType, "{0} '{1}' is {2}, the model expects {3}", kindText(b.kind()), b.name(),
                     dtypeText(t.dtype), dtypeText(b.host_dtype()));
  if (static_cast<int64_t>(t.bytes.size()) != t.elements() * device::dtypeBytes(t.dtype))
    return makeError(ErrorCode::InputFile, "{0} '{1}': {2} bytes of data for {3} elements", kindText(b.kind()),
                     b.name(), t.bytes.size(), t.elements());
  return llvm::Error::success();
}

}  // namespace

// ---- TensorProxy ----

const std::string &TensorProxy::name() const { return value_->buffer->name(); }
std::vector<int64_t> TensorProxy::shape() const {
  return {value_->buffer->shape().begin(), value_->buffer->shape().end()};
}
device::DType TensorProxy::dtype() const { return value_->buffer->host_dtype(); }

void TensorProxy::load_from(const HostTensor &tensor, bool clone) {
  llvm::consumeError(wait());  // a load replaces the previous one; its error is dropped with it
  std::shared_ptr<Value> v = value_;
  const HostTensor *source = &tensor;
  if (clone) {
    v->keep = std::make_shared<HostTensor>(tensor);
    source = v->keep.get();
  } else {
    v->keep.reset();
  }
  v->pending = v->context->transfer_->pool.async([v, source] {
    v->error.clear();
    v->staged = false;
    if (llvm::Error err = checkValue(*v->buffer, *source)) {
      v->error = llvm::toString(std::move(err));
      return;
    }
    v->image.resize(v->buffer->bytes());
    if (!device::convertElements(source->dtype, source->bytes.data(), v->buffer->dtype(), v->image.data(),
                                 source->elements())) {
      v->error = llvm::toString(makeError(ErrorCode::InputDType, "{0} '{1}': cannot convert {2} to the device type",
                                          kindText(v->buffer->kind()), v->buffer->name(), dtypeText(source->dtype)));
      return;
    }
    v->staged = true;
  });
}

llvm::Error TensorProxy::wait() {
  Value &v = *value_;
  if (!v.pending.valid()) return llvm::Error::success();
  v.pending.wait();
  v.pending = {};
  v.keep.reset();
  if (v.error.empty()) return llvm::Error::success();
  return llvm::make_error<llvm::StringError>(v.error, llvm::inconvertibleErrorCode());
}

llvm::Expected<HostTensor> TensorProxy::cpu() {
  if (llvm::Error err = wait()) return std::move(err);
  Value &v = *value_;
  HostTensor t;
  t.dtype = v.buffer->host_dtype();
  t.dims = v.buffer->dynamic_shape() ? v.context->emulator_->shape(*v.buffer) : shape();
  if (v.staged && v.buffer->kind() == device::Buffer::INPUT) {
    // Not run yet: DRAM may hold another batch; the staged image is this proxy's value.
    t.bytes.resize(t.elements() * device::dtypeBytes(t.dtype));
    device::convertElements(v.buffer->dtype(), v.image.data(), t.dtype, t.bytes.data(), t.elements());
    return t;
  }
  if (v.staged) {
    v.context->emulator_->writeBufferImage(*v.buffer, v.image.data());
    v.staged = false;
  }
  auto bytes = v.context->emulator_->readBuffer(*v.buffer, v.buffer->host_dtype());
  if (!bytes) return bytes.takeError();
  t.bytes = std::move(*bytes);
  return t;
}

// ---- CompiledFunction ----

CompiledFunction::CompiledFunction(Context &context, std::string dir, device::ProgramFile file)
    : context_(context), dir_(std::move(dir)), program_(std::move(file.program)), file_(std::move(file.file)),
      params_(std::move(file.params)) {
  for (const device::Buffer &b : program_.buffers()) {
    // A value the program reads with several shapes has a buffer per view; the API's name is
    // the graph's input, output or parameter buffer, never a scratch view of it.
    auto it = values_.find(b.name());
    if (it != values_.end() && (b.kind() == device::Buffer::SCRATCH ||
                                it->second->buffer->kind() != device::Buffer::SCRATCH))
      continue;
    auto v = std::make_shared<TensorProxy::Value>();
    v->context = &context_;
    v->buffer = &b;
    values_[b.name()] = std::move(v);
  }
}

CompiledFunction::~CompiledFunction() {
  for (auto &[name, v] : values_)
    if (v->pending.valid()) v->pending.wait();
}

std::vector<std::string> CompiledFunction::inputNames() const {
  std::map<int, std::string> byIndex;
  for (const device::Buffer &b : program_.buffers())
    if (b.kind() == device::Buffer::INPUT) byIndex[b.io_index()] = b.name();
  std::vector<std::string> names;
  for (auto &[i, n] : byIndex) names.push_back(n);
  return names;
}

llvm::Error CompiledFunction::checkInput(const std::string &name, const HostTensor &tensor) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second->buffer->kind() != device::Buffer::INPUT)
    return makeError(ErrorCode::InputCount, "the program has no input '{0}'", name);
  return checkValue(*it->second->buffer, tensor);
}

llvm::Expected<TensorProxy> CompiledFunction::proxyFor(const std::string &name, const char *kinds) {
  auto it = values_.find(name);
  if (it == values_.end())
    return makeError(ErrorCode::InputCount, "the program has no {0} named '{1}'", kinds, name);
  return TensorProxy(it->second);
}

std::map<std::string, TensorProxy> CompiledFunction::allocate_input_proxy() {
  std::map<std::string, TensorProxy> proxies;
  for (auto &[name, shared] : values_) {
    if (shared->buffer->kind() != device::Buffer::INPUT) continue;
    auto v = std::make_shared<TensorProxy::Value>();
    v->context = &context_;
    v->buffer = shared->buffer;
    proxies.emplace(name, TensorProxy(v));
  }
  return proxies;
}

llvm::Expected<TensorProxy> CompiledFunction::output_proxy(const std::string &name) {
  auto it = values_.find(name);
  if (it == values_.end() || it->second->buffer->kind() != device::Buffer::OUTPUT)
    return makeError(ErrorCode::BadProgram, "the program has no output '{0}'", name);
  return TensorProxy(it->second);
}

llvm::Error CompiledFunction::register_param(const std::string &name, const HostTensor &tensor) {
  auto it = values_.find(name);
  if (it == values_.end() || it->second->buffer->kind() != device::Buffer::PARAM)
    return makeError(ErrorCode::InputCount, "the program has no parameter '{0}'", name);
  TensorProxy p(it->second);
  p.load_from(tensor, /*clone=*/false);
  if (llvm::Error err = p.wait()) return err;
  return commitPendingLoads();
}

llvm::Error CompiledFunction::register_buffer(const std::string &name, const HostTensor &tensor) {
  auto p = proxyFor(name, "buffer");
  if (!p) return p.takeError();
  p->load_from(tensor, /*clone=*/false);
  if (llvm::Error err = p->wait()) return err;
  return commitPendingLoads();
}

llvm::Expected<TensorProxy> CompiledFunction::get_registered_value_proxy(const std::string &name) {
  return proxyFor(name, "parameter or buffer");
}

llvm::Error CompiledFunction::commitPendingLoads() {
  for (auto &[name, v] : values_) {
    if (llvm::Error err = TensorProxy(v).wait()) return err;
    if (v->staged) {
      context_.emulator_->writeBufferImage(*v->buffer, v->image.data());
      v->staged = false;
    }
  }
  return llvm::Error::success();
}

llvm::Expected<device::RunStats> CompiledFunction::run(std::map<std::string, TensorProxy> &inputs) {
  for (auto &[name, proxy] : inputs) {
    if (!proxy.value_ || proxy.value_->context != &context_ || proxy.value_->buffer->kind() != device::Buffer::INPUT)
      return makeError(ErrorCode::InputCount, "'{0}' is not an input proxy of this function", name);
    if (llvm::Error err = proxy.wait()) return std::move(err);
    if (proxy.value_->staged) {
      context_.emulator_->writeBufferImage(*proxy.value_->buffer, proxy.value_->image.data());
      proxy.value_->staged = false;
    }
  }
  return run();
}

llvm::Expected<device::RunStats> CompiledFunction::run() {
  if (llvm::Error err = commitPendingLoads()) return std::move(err);
  return context_.emulator_->run();
}

llvm::Expected<std::vector<NamedTensor>> CompiledFunction::operator()(const std::map<std::string, HostTensor> &inputs) {
  auto proxies = allocate_input_proxy();
  for (const auto &[name, tensor] : inputs)
    if (!proxies.count(name)) return makeError(ErrorCode::InputCount, "the program has no input '{0}'", name);
  for (const std::string &name : inputNames()) {
    auto it = inputs.find(name);
    if (it == inputs.end()) return makeError(ErrorCode::InputCount, "input '{0}' is missing", name);
    if (llvm::Error err = checkValue(*values_[name]->buffer, it->second)) return std::move(err);
    proxies[name].load_from(it->second, /*clone=*/false);
  }
  auto stats = run(proxies);
  if (!stats) return stats.takeError();
  std::map<int, const device::Buffer *> outputs;
  for (const device::Buffer &b : program_.buffers())
    if (b.kind() == device::Buffer::OUTPUT) outputs[b.io_index()] = &b;
  std::vector<NamedTensor> result;
  for (const auto &[index, b] : outputs) {
    auto t = TensorProxy(values_[b->name()]).cpu();
    if (!t) return t.takeError();
    result.push_back({b->name(), std::move(*t)});
  }
  return result;
}

// ---- Context ----

llvm::Expected<std::unique_ptr<Context>> Context::open(const ContextOptions &options) {
  auto config = state::loadDeviceConfig();
  if (!config) return config.takeError();
  if (config->devices.empty()) return makeError(ErrorCode::UnknownDevice, "the device config lists no devices");
  auto hw = device::resolveHardware(options.hardware);
  if (!hw) return hw.takeError();
  std::unique_ptr<Context> ctx(new Context());
  ctx->options_ = options;
  ctx->hw_ = *hw;
  if (!options.device.empty()) {
    auto entry = state::findDevice(*config, options.device);
    if (!entry) return entry.takeError();
    auto s = state::DeviceState::open(*config, *entry, *hw);
    if (!s) return s.takeError();
    auto lock = (*s)->lock(options.wait);
    if (!lock) return lock.takeError();
    ctx->state_ = std::move(*s);
    ctx->lock_ = std::move(*lock);
  } else {
    // The first idle device; with `wait`, keep looking until one is free.
    while (!ctx->lock_.held()) {
      for (const state::DeviceEntry &entry : config->devices) {
        auto s = state::DeviceState::open(*config, entry, *hw);
        if (!s) return s.takeError();
        auto lock = (*s)->lock(false);
        if (!lock) {
          llvm::consumeError(lock.takeError());
          continue;
        }
        ctx->state_ = std::move(*s);
        ctx->lock_ = std::move(*lock);
        break;
      }
      if (ctx->lock_.held()) break;
      if (!options.wait)
        return makeError(ErrorCode::DeviceBusy, "all {0} devices are in use (--wait waits for one, --device picks one)",
                         config->devices.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (llvm::Error err = ctx->state_->map()) return std::move(err);
  ctx->generation_ = ctx->state_->generation();
  ctx->transfer_ = std::make_unique<TransferThread>();
  return std::move(ctx);
}

Context::~Context() {
  function_.reset();  // waits for its pending transfers
  transfer_.reset();
}

llvm::Expected<CompiledFunction *> Context::load_codegen_dir(const std::string &dir) {
  if (!llvm::sys::fs::is_directory(dir))
    return makeError(ErrorCode::StageFileMissing, "{0}: no such codegen_dir", dir);
  llvm::SmallString<256> programPath(dir);
  llvm::sys::path::append(programPath, "program.gpfnapp");
  if (!llvm::sys::fs::exists(programPath))
    return makeError(ErrorCode::StageFileMissing,
                     "{0}: missing; the codegen_dir is incomplete (run pfcomp through emit)", programPath);
  auto program = device::readProgramFile(programPath);
  if (!program) return program.takeError();
  if (program->program.hardware() != hw_.name)
    return makeError(ErrorCode::HardwareDescriptor, "{0} was compiled for hardware '{1}', the device is '{2}'",
                     programPath, program->program.hardware(), hw_.name);
  function_.reset();
  emulator_.reset();
  device::Emulator::Options eo;
  eo.checked = options_.checked;
  eo.memory = {state_->dram(), state_->lm()};
  eo.instr_delay_us = options_.instr_delay_us;
  eo.interrupted = [this]() -> llvm::Error {
    uint64_t now = state_->generation();
    if (now == generation_) return llvm::Error::success();
    return makeError(ErrorCode::DeviceReset, "device {0} ({1}) reset while running (generation {2} -> {3})",
                     state_->entry().index, state_->entry().name, generation_, now);
  };
  emulator_ = std::make_unique<device::Emulator>(hw_, eo);
  function_.reset(new CompiledFunction(*this, dir, std::move(*program)));
  if (auto err = emulator_->load(function_->program_, function_->params_)) {
    function_.reset();
    return llvm::joinErrors(makeError(ErrorCode::BadProgram, "{0}:", programPath), std::move(err));
  }
  return function_.get();
}

}  // namespace pfcomp::runtime
