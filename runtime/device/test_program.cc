#include "runtime/device/test_program.h"

#include "runtime/device/emulator.h"

#include <cstring>
#include <vector>

namespace pfcomp::device::testing {
namespace {

AxisMap axis(int follows, int64_t size, int redFollows = -1) {
  AxisMap m;
  m.set_follows(follows);
  m.set_scale(follows >= 0 ? 1 : 0);
  m.set_red_follows(redFollows);
  m.set_red_scale(redFollows >= 0 ? 1 : 0);
  m.set_size(size);
  m.set_step(1);
  return m;
}

Buffer buffer(const char *name, Buffer::Kind kind, std::vector<int64_t> shape, int64_t offset) {
  Buffer b;
  b.set_name(name);
  b.set_kind(kind);
  b.set_dtype(F32);
  b.set_host_dtype(F32);
  int64_t n = 1;
  for (int64_t d : shape) b.add_shape(d), n *= d;
  b.set_bytes(n * 4);
  b.set_dram_offset(offset);
  return b;
}

Instr transfer(Instr::Kind kind, int buf, std::vector<AxisMap> axes, int64_t lmAddr, std::vector<int64_t> red) {
  Instr in;
  in.set_kind(kind);
  in.set_active_pes(5);
  for (auto &a : axes) *in.mutable_xfer()->add_axes() = a;
  in.mutable_xfer()->set_buffer(buf);
  in.mutable_xfer()->set_lm_addr(lmAddr);
  for (int64_t r : red) in.add_red_coords(r);
  in.set_cycles(10);
  return in;
}

}  // namespace

Program matmulProgram(const std::string &hardware) {
  Program p;
  p.set_tool_version("test");
  p.set_hardware(hardware);
  *p.add_buffers() = buffer("x", Buffer::INPUT, {5, 4}, 0);
  *p.add_buffers() = buffer("w", Buffer::PARAM, {4, 3}, 128);
  *p.add_buffers() = buffer("y", Buffer::OUTPUT, {5, 3}, 256);
  std::vector<float> w(12);
  for (int i = 0; i < 12; ++i) w[i] = i * 0.5f;
  p.mutable_buffers(1)->set_data(std::string(reinterpret_cast<char *>(w.data()), 48));
  p.set_dram_bytes(512);
  Layer *layer = p.add_layers();
  layer->set_name("mm");
  for (int64_t v : {5, 3}) layer->add_space(v);
  for (int64_t v : {1, 3}) layer->add_out_tile(v);
  for (int64_t v : {5, 1}) layer->add_grid(v);
  layer->add_red_chunk(2);
  for (int64_t r : {0, 1}) {
    *p.add_instrs() = transfer(Instr::LOAD, 0, {axis(0, 1), axis(-1, 2, 0)}, 0, {r});
    *p.add_instrs() = transfer(Instr::LOAD, 1, {axis(-1, 2, 0), axis(1, 3)}, 64, {r});
    Instr *c = p.add_instrs();
    c->set_kind(Instr::COMPUTE);
    c->set_active_pes(5);
    c->add_red_coords(r);
    c->set_cycles(10);
    Kernel *k = c->mutable_kernel();
    k->set_op("matmul");
    k->set_dtype(F32);
    for (int64_t a : {0, 64, 128}) k->add_addrs(a);
    Kernel::Shape s;
    for (auto dims : std::vector<std::vector<int64_t>>{{1, 2}, {2, 3}, {1, 3}}) {
      Kernel::Shape *sh = k->add_shapes();
      for (int64_t d : dims) sh->add_dims(d);
    }
    k->set_accumulate(r > 0);
  }
  *p.add_instrs() = transfer(Instr::STORE, 2, {axis(0, 1), axis(1, 3)}, 128, {});
  return p;
}

llvm::Expected<std::vector<float>> runF32(const Hardware &hw, const Program &program,
                                          const std::vector<float> &input) {
  Emulator emu(hw, {});
  if (auto err = emu.load(program)) return std::move(err);
  if (auto err = emu.writeInput(0, F32, input.data(), input.size())) return std::move(err);
  auto stats = emu.run();
  if (!stats) return stats.takeError();
  auto bytes = emu.readOutput(0, F32);
  if (!bytes) return bytes.takeError();
  std::vector<float> y(bytes->size() / sizeof(float));
  std::memcpy(y.data(), bytes->data(), bytes->size());
  return y;
}

}  // namespace pfcomp::device::testing
