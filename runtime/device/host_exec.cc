#include "runtime/device/host_exec.h"

#include "runtime/device/kernels/kernel.h"
#include "runtime/host/host_ops.h"
#include "support/error.h"

#include "llvm/Support/FormatVariadic.h"

#include <cstring>

namespace pfcomp::device {
namespace {

host::Attrs hostAttrs(const HostCall &call) {
  host::Attrs attrs;
  for (const HostAttr &a : call.attrs()) {
    host::Attr h;
    h.name = a.name();
    h.kind = static_cast<host::Attr::Kind>(a.kind());  // same numbering
    h.i = a.i();
    h.f = a.f();
    h.s = a.s();
    h.ints.assign(a.ints().begin(), a.ints().end());
    h.floats.assign(a.floats().begin(), a.floats().end());
    h.strings.assign(a.strings().begin(), a.strings().end());
    attrs.push_back(std::move(h));
  }
  return attrs;
}

int64_t elementsOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace

std::vector<int64_t> currentShape(const Program &program, int id, const DynamicShapes &shapes) {
  if (auto it = shapes.find(id); it != shapes.end()) return it->second;
  const Buffer &b = program.buffers(id);
  return {b.shape().begin(), b.shape().end()};
}

llvm::Error runHostCall(const Program &program, const Instr &instr, uint8_t *dram,
                        DynamicShapes &shapes) {
  const HostCall &call = instr.host();
  auto fail = [&](const llvm::Twine &why) {
    return makeError(ErrorCode::HostOpFailed, "host op '{0}' ({1}): {2}", call.node(), call.op(), why.str());
  };
  std::vector<host::Tensor> inputs;
  for (int id : call.inputs()) {
    host::Tensor t;
    if (id >= 0) {
      const Buffer &b = program.buffers(id);
      t.dtype = b.dtype();
      t.shape = currentShape(program, id, shapes);
      const int64_t bytes = elementsOf(t.shape) * dtypeBytes(b.dtype());
      const uint8_t *src = dram + b.dram_offset();
      t.bytes.assign(src, src + bytes);
    }
    inputs.push_back(std::move(t));
  }
  auto outputs = host::runHostOp(call.op(), hostAttrs(call), inputs, call.outputs_size());
  if (!outputs) return llvm::joinErrors(fail("failed"), outputs.takeError());
  if (static_cast<int>(outputs->size()) != call.outputs_size())
    return fail(llvm::formatv("gave {0} results, the program expects {1}", outputs->size(), call.outputs_size()));
  for (int k = 0; k < call.outputs_size(); ++k) {
    const int id = call.outputs(k);
    const Buffer &b = program.buffers(id);
    host::Tensor &t = (*outputs)[k];
    if (t.dtype != b.dtype())
      return fail(llvm::formatv("result {0} is {1}, its buffer '{2}' holds {3}", k,
                                DType_Name(t.dtype), b.name(), DType_Name(b.dtype())));
    const int64_t bytes = static_cast<int64_t>(t.bytes.size());
    if (bytes > b.bytes() || (!b.dynamic_shape() && bytes != b.bytes()))
      return fail(llvm::formatv("result {0} has {1} bytes, its buffer '{2}' {3} {4}", k, bytes, b.name(),
                                b.dynamic_shape() ? "holds at most" : "holds", b.bytes()));
    std::memcpy(dram + b.dram_offset(), t.bytes.data(), bytes);
    if (b.dynamic_shape()) shapes[id] = t.shape;
  }
  return llvm::Error::success();
}

}  // namespace pfcomp::device
