#include "compiler/lowering/buffer_table.h"

#include "compiler/ir/dtype.h"
#include "support/error.h"

namespace pfcomp::lowering {

BufferTable::BufferTable(const GraphView &graph, device::Program &program)
    : graph_(graph), program_(program) {}

void BufferTable::alias(const std::string &alias, const std::string &source) {
  aliasOf_[alias] = source;
}

const std::string &BufferTable::root(const std::string &value) const {
  const std::string *v = &value;
  for (auto it = aliasOf_.find(*v); it != aliasOf_.end(); it = aliasOf_.find(*v)) v = &it->second;
  return *v;
}

BufferTable::Allocation &BufferTable::allocate(const std::string &value) {
  const std::string &base = root(value);
  auto it = alloc_.find(base);
  if (it != alloc_.end()) return it->second;
  const ir::Value &v = graph_.value(base);
  Allocation a;
  a.bytes = std::max<int64_t>(1, ir::numElements(v.shape())) * ir::dtypeSize(v.dtype());
  a.l1bm = l1bmValues_.count(base) > 0;
  int64_t &next = a.l1bm ? nextL1bm_ : next_;
  a.offset = next;
  next += (a.bytes + 63) / 64 * 64;  // 64-byte aligned, as the DMA engines want
  return alloc_[base] = a;
}

int BufferTable::bufferFor(const std::string &value, const Dims &view) {
  auto key = std::make_pair(value, view);
  if (auto it = views_.find(key); it != views_.end()) return it->second;
  Allocation &a = allocate(value);
  const ir::Value &v = graph_.value(value);
  device::Buffer *b = program_.add_buffers();
  b->set_name(value);
  b->set_dtype(static_cast<device::DType>(v.dtype()));
  for (int64_t d : view) b->add_shape(d);
  b->set_dram_offset(a.offset);
  b->set_bytes(a.bytes);
  b->set_kind(device::Buffer::SCRATCH);
  if (a.l1bm) b->set_location(device::Buffer::L1BM);
  int id = program_.buffers_size() - 1;
  views_[key] = id;
  return id;
}

void BufferTable::placeImages() {
  for (device::Buffer &b : *program_.mutable_buffers())
    if (b.location() == device::Buffer::L1BM) b.set_dram_offset(b.dram_offset() + next_);
  program_.set_dram_bytes(next_);
  program_.set_l1bm_image_bytes(nextL1bm_);
}

llvm::Error BufferTable::bindGraphIo() {
  const ir::Graph &g = graph_.graph();
  auto hostType = [&](const std::string &key, const ir::Value &v) {
    auto it = g.meta().find(key);
    return it == g.meta().end() ? static_cast<device::DType>(v.dtype())
                                : static_cast<device::DType>(ir::fromOnnxType(std::atoi(it->second.c_str())));
  };
  auto bind = [&](const std::string &name, device::Buffer::Kind kind, int index,
                  const std::string &metaKey) {
    const ir::Value &v = graph_.value(name);
    int id = bufferFor(name, Dims(v.shape().begin(), v.shape().end()));
    device::Buffer *b = program_.mutable_buffers(id);
    if (kind == device::Buffer::OUTPUT && b->kind() != device::Buffer::SCRATCH) {
      // Already an input or another output: give this output a view of its own.
      device::Buffer copy = *b;
      *program_.add_buffers() = copy;
      b = program_.mutable_buffers(program_.buffers_size() - 1);
    }
    b->set_kind(kind);
    b->set_io_index(index);
    b->set_host_dtype(hostType(metaKey + name, v));
  };
  for (int i = 0; i < g.inputs_size(); ++i)
    bind(g.inputs(i), device::Buffer::INPUT, i, "onnx_input_dtype.");
  for (int i = 0; i < g.outputs_size(); ++i)
    bind(g.outputs(i), device::Buffer::OUTPUT, i, "onnx_output_dtype.");
  // Parameters: one PARAM view per allocation carries the bytes into DRAM.
  for (const auto &[name, a] : alloc_) {
    const ir::Value &v = graph_.value(name);
    if (v.kind() != ir::Value::PARAM || ir::numElements(v.shape()) == 0) continue;  // nothing to read
    if (static_cast<int64_t>(v.data().size()) != a.bytes)
      return makeError(ErrorCode::StageFileCorrupt, "parameter '{0}' has {1} bytes, expected {2}",
                       v.name(), v.data().size(), a.bytes);
    device::Buffer *b = program_.add_buffers();
    b->set_name(name);
    b->set_dtype(static_cast<device::DType>(v.dtype()));
    b->add_shape(ir::numElements(v.shape()));
    b->set_dram_offset(a.offset);
    b->set_bytes(a.bytes);
    b->set_kind(device::Buffer::PARAM);
    b->set_data(v.data());
  }
  return llvm::Error::success();
}

}  // namespace pfcomp::lowering
