#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/emulator.h"

#include <cstring>

using namespace pfcomp::device;

namespace {

Hardware testHardware() {
  auto hw = resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  return *hw;
}

AxisMap axis(int follows, int64_t size, int redFollows = -1, int64_t offset = 0) {
  AxisMap m;
  m.set_follows(follows);
  m.set_scale(follows >= 0 ? 1 : 0);
  m.set_red_follows(redFollows);
  m.set_red_scale(redFollows >= 0 ? 1 : 0);
  m.set_offset(offset);
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

Instr load(int buf, std::vector<AxisMap> axes, int64_t lmAddr, std::vector<int64_t> red, int64_t pes) {
  Instr in;
  in.set_kind(Instr::LOAD);
  in.set_active_pes(pes);
  for (auto &a : axes) *in.mutable_xfer()->add_axes() = a;
  in.mutable_xfer()->set_buffer(buf);
  in.mutable_xfer()->set_lm_addr(lmAddr);
  for (int64_t r : red) in.add_red_coords(r);
  return in;
}

Kernel::Shape shape(std::vector<int64_t> dims) {
  Kernel::Shape s;
  for (int64_t d : dims) s.add_dims(d);
  return s;
}

// C[5x3] = A[5x4] x B[4x3]: one row of C per PE (5 PEs), K in two chunks of 2 (the second
// accumulates). The row count does not divide evenly into nothing: tile 1 keeps it simple.
Program matmulProgram() {
  Program p;
  p.set_tool_version("test");
  *p.add_buffers() = buffer("A", Buffer::INPUT, {5, 4}, 0);
  *p.add_buffers() = buffer("B", Buffer::PARAM, {4, 3}, 128);
  *p.add_buffers() = buffer("C", Buffer::OUTPUT, {5, 3}, 256);
  p.mutable_buffers(0)->set_io_index(0);
  std::vector<float> b(12);
  for (int i = 0; i < 12; ++i) b[i] = i * 0.5f;
  p.mutable_buffers(1)->set_data(std::string(reinterpret_cast<char *>(b.data()), 48));
  p.set_dram_bytes(512);
  Layer *layer = p.add_layers();
  layer->set_name("mm");
  for (int64_t v : {5, 3}) layer->add_space(v);
  for (int64_t v : {1, 3}) layer->add_out_tile(v);
  for (int64_t v : {5, 1}) layer->add_grid(v);
  layer->add_red_chunk(2);
  for (int64_t r : {0, 1}) {
    *p.add_instrs() = load(0, {axis(0, 1), axis(-1, 2, 0)}, 0, {r}, 5);
    *p.add_instrs() = load(1, {axis(-1, 2, 0), axis(1, 3)}, 64, {r}, 5);
    Instr *c = p.add_instrs();
    c->set_kind(Instr::COMPUTE);
    c->set_active_pes(5);
    c->add_red_coords(r);
    Kernel *k = c->mutable_kernel();
    k->set_op("matmul");
    k->set_dtype(F32);
    for (int64_t a : {0, 64, 128}) k->add_addrs(a);
    *k->add_shapes() = shape({1, 2});
    *k->add_shapes() = shape({2, 3});
    *k->add_shapes() = shape({1, 3});
    k->set_accumulate(r > 0);
  }
  Instr *st = p.add_instrs();
  st->set_kind(Instr::STORE);
  st->set_active_pes(5);
  st->mutable_xfer()->set_buffer(2);
  st->mutable_xfer()->set_lm_addr(128);
  *st->mutable_xfer()->add_axes() = axis(0, 1);
  *st->mutable_xfer()->add_axes() = axis(1, 3);
  for (auto &in : *p.mutable_instrs()) in.set_cycles(10);
  return p;
}

}  // namespace

TEST_CASE("tiled matmul with reduction chunks matches the reference") {
  Emulator emu(testHardware(), {});
  Program p = matmulProgram();
  REQUIRE(!emu.load(p));
  std::vector<float> a(20);
  for (int i = 0; i < 20; ++i) a[i] = i - 7.0f;
  REQUIRE(!emu.writeInput(0, F32, a.data(), 20));
  auto stats = emu.run();
  REQUIRE(static_cast<bool>(stats));
  // No WAITs: computes overlap the transfers, so the single DMA queue (5 x 10 cycles) bounds it.
  CHECK(stats->cycles == 50);
  auto out = emu.readOutput(0, F32);
  REQUIRE(static_cast<bool>(out));
  const float *c = reinterpret_cast<const float *>(out->data());
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 3; ++j) {
      float ref = 0;
      for (int k = 0; k < 4; ++k) ref += a[i * 4 + k] * ((k * 3 + j) * 0.5f);
      CHECK(c[i * 3 + j] == Approx(ref));
    }
}

TEST_CASE("an operand past the end of LM is refused at load") {
  Emulator emu(testHardware(), {});
  Program p = matmulProgram();
  p.mutable_instrs(0)->mutable_xfer()->set_lm_addr(32768 - 4);
  auto err = emu.load(p);
  REQUIRE(static_cast<bool>(err));
  CHECK_THAT(llvm::toString(std::move(err)), Catch::Contains("[E501]"));
}

TEST_CASE("reading LM that was never written fails in checked mode") {
  Emulator emu(testHardware(), {});
  Program p = matmulProgram();
  p.mutable_instrs(1)->mutable_xfer()->set_lm_addr(256);  // B lands where the kernel does not read
  REQUIRE(!emu.load(p));
  auto stats = emu.run();
  REQUIRE(!stats);
  CHECK_THAT(llvm::toString(stats.takeError()), Catch::Contains("[E502]"));
}
