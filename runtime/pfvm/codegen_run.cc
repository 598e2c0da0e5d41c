#include "runtime/pfvm/codegen_run.h"

#include "runtime/device/kernels/kernel.h"
#include "runtime/device/program_io.h"
#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <map>

namespace pfcomp::runtime {
namespace {

std::string join(llvm::StringRef dir, llvm::StringRef name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

std::map<int, const device::Buffer *> ioBuffers(const device::Program &p, device::Buffer::Kind kind) {
  std::map<int, const device::Buffer *> out;
  for (const auto &b : p.buffers())
    if (b.kind() == kind) out[b.io_index()] = &b;
  return out;
}

std::string shapeText(const device::Buffer &b) {
  HostTensor t;
  t.dims.assign(b.shape().begin(), b.shape().end());
  return t.shapeText();
}

}  // namespace

llvm::Expected<RunResult> runCodegenDir(const RunRequest &req) {
  if (!llvm::sys::fs::is_directory(req.codegen_dir))
    return makeError(ErrorCode::StageFileMissing, "{0}: no such codegen_dir", req.codegen_dir);
  std::string programPath = join(req.codegen_dir, "program.gpfnapp");
  if (!llvm::sys::fs::exists(programPath))
    return makeError(ErrorCode::StageFileMissing,
                     "{0}: missing; the codegen_dir is incomplete (run pfcomp through emit)", programPath);
  auto program = device::readProgram(programPath);
  if (!program) return program.takeError();
  auto hw = device::resolveHardware(req.hardware);
  if (!hw) return hw.takeError();
  if (program->hardware() != hw->name)
    return makeError(ErrorCode::HardwareDescriptor,
                     "{0} was compiled for hardware '{1}', the device is '{2}'", programPath,
                     program->hardware(), hw->name);
  RunResult result;
  device::Emulator emu(*hw, {req.checked, 0});
  if (auto err = emu.load(*program))
    return llvm::joinErrors(makeError(ErrorCode::BadProgram, "{0}:", programPath), std::move(err));

  auto inputs = ioBuffers(*program, device::Buffer::INPUT);
  std::error_code ec;
  int files = 0;
  for (llvm::sys::fs::directory_iterator it(req.inputs_dir, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.startswith("input_") && name.endswith(".pb")) ++files;
  }
  if (ec) return makeError(ErrorCode::InputFile, "cannot list inputs in {0}: {1}", req.inputs_dir, ec.message());
  if (files != static_cast<int>(inputs.size()))
    return makeError(ErrorCode::InputCount, "the model has {0} input(s), {1} holds {2} input_N.pb file(s)",
                     inputs.size(), req.inputs_dir, files);
  for (const auto &[index, buffer] : inputs) {
    std::string path = join(req.inputs_dir, "input_" + std::to_string(index) + ".pb");
    auto t = readTensorFile(path);
    if (!t) return t.takeError();
    std::vector<int64_t> want(buffer->shape().begin(), buffer->shape().end());
    if (t->dims != want)
      return makeError(ErrorCode::InputShape, "{0}: input '{1}' has shape {2}, the program was compiled for {3}",
                       path, buffer->name(), t->shapeText(), shapeText(*buffer));
    if (t->dtype != buffer->host_dtype())
      return makeError(ErrorCode::InputDType, "{0}: input '{1}' is {2}, the model expects {3}", path,
                       buffer->name(), dtypeText(t->dtype), dtypeText(buffer->host_dtype()));
    if (auto err = emu.writeInput(index, t->dtype, t->bytes.data(), t->elements())) return std::move(err);
  }
  auto stats = emu.run();
  if (!stats) return stats.takeError();
  result.stats = std::move(*stats);
  for (const auto &[index, buffer] : ioBuffers(*program, device::Buffer::OUTPUT)) {
    auto bytes = emu.readOutput(index, buffer->host_dtype());
    if (!bytes) return bytes.takeError();
    HostTensor t;
    t.dtype = buffer->host_dtype();
    t.dims.assign(buffer->shape().begin(), buffer->shape().end());
    t.bytes = std::move(*bytes);
    result.output_names.push_back(buffer->name());
    result.outputs.push_back(std::move(t));
  }
  result.predicted_cycles = program->predicted_cycles();
  result.clock_hz = hw->clock_hz;
  result.program = std::move(*program);
  result.hardware = *hw;
  return result;
}

}  // namespace pfcomp::runtime
