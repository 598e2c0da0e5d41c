#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/emulator.h"
#include "runtime/device/l1bm_store.h"

#include <cstring>
#include <string>

using namespace pfcomp::device;

namespace {

std::string errorText(llvm::Error err) { return llvm::toString(std::move(err)); }

// The built-in descriptor cut down to 2 L1Bs of 16 PEs.
Hardware smallHw() {
  auto hw = parseHardware(builtinHardwareJson(), "builtin");
  REQUIRE(static_cast<bool>(hw));
  hw->groups = hw->l2b_per_group = 1;
  hw->l1b_per_l2b = 2;
  hw->mab_per_l1b = hw->pe_per_mab = 4;
  return *hw;
}

Instr transfer(Instr::Kind kind, int layer, int buffer, int64_t offset, int tag) {
  Instr in;
  in.set_kind(kind);
  in.set_layer(layer);
  in.set_active_pes(32);
  in.set_tag(tag);
  in.set_cycles(300);
  in.set_latency(200);
  Transfer *x = in.mutable_xfer();
  x->set_buffer(buffer);
  AxisMap *m = x->add_axes();
  m->set_follows(0);
  m->set_scale(1);
  m->set_offset(offset);
  m->set_red_follows(-1);
  m->set_size(1);
  m->set_step(1);
  return in;
}

Instr wait(int tag) {
  Instr in;
  in.set_kind(Instr::WAIT);
  in.add_wait_tags(tag);
  return in;
}

// x[32] -> v (one element per PE, 32 PEs over 2 L1Bs) -> y, where v lives in L1BM and the second
// layer's PE p reads element p + shift of it.
Program copyThroughL1bm(int64_t shift) {
  Program p;
  p.set_dram_bytes(256);
  p.set_l1bm_image_bytes(128);
  auto buffer = [&](const char *name, Buffer::Kind kind, int64_t offset, bool l1bm) {
    Buffer *b = p.add_buffers();
    b->set_name(name);
    b->set_dtype(F32);
    b->add_shape(32);
    b->set_bytes(128);
    b->set_dram_offset(offset);
    b->set_kind(kind);
    b->set_host_dtype(F32);
    if (l1bm) b->set_location(Buffer::L1BM);
  };
  buffer("x", Buffer::INPUT, 0, false);
  buffer("y", Buffer::OUTPUT, 128, false);
  buffer("v", Buffer::SCRATCH, 256, true);
  for (const char *name : {"producer", "consumer"}) {
    Layer *l = p.add_layers();
    l->set_name(name);
    l->add_space(32);
    l->add_out_tile(1);
    l->add_grid(32);
  }
  *p.add_instrs() = transfer(Instr::LOAD, 0, 0, 0, 0);
  *p.add_instrs() = wait(0);
  *p.add_instrs() = transfer(Instr::STORE, 0, 2, 0, 1);
  *p.add_instrs() = wait(1);
  *p.add_instrs() = transfer(Instr::LOAD, 1, 2, shift, 2);
  *p.add_instrs() = wait(2);
  *p.add_instrs() = transfer(Instr::STORE, 1, 1, 0, 3);
  return p;
}

}  // namespace

TEST_CASE("a value read back by the L1B that stored it passes through L1BM") {
  Hardware hw = smallHw();
  Program p = copyThroughL1bm(0);
  auto use = checkL1bm(p, hw);
  REQUIRE(static_cast<bool>(use));
  CHECK(use->stores == 1);
  CHECK(use->loads == 1);
  CHECK(use->bytes_per_l1b == std::vector<int64_t>{64, 64});
  Emulator emu(hw, {});
  REQUIRE(errorText(emu.load(p)).empty());
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = 0.5f * i;
  REQUIRE(errorText(emu.writeInput(0, F32, x.data(), 32)).empty());
  auto stats = emu.run();
  REQUIRE(static_cast<bool>(stats));
  auto y = emu.readOutput(0, F32);
  REQUIRE(static_cast<bool>(y));
  std::vector<float> out(32);
  std::memcpy(out.data(), y->data(), 128);
  CHECK(out == x);
}

TEST_CASE("a load of L1BM bytes another L1B stored fails with E510") {
  Hardware hw = smallHw();
  Emulator emu(hw, {});
  // PE 0 (L1B 0) reads element 16, stored by PE 16 under L1B 1.
  std::string text = errorText(emu.load(copyThroughL1bm(16)));
  CHECK_THAT(text, Catch::Contains("[E510]") && Catch::Contains("PE 0 loads element 16") &&
                       Catch::Contains("L1B 1 stored"));
  // Shifted by one, only the last PE of L1B 0 reaches into L1B 1's part.
  CHECK_THAT(errorText(emu.load(copyThroughL1bm(1))), Catch::Contains("PE 15 loads element 16"));
  // Windows past the end read the pad value, not L1BM.
  CHECK(errorText(checkL1bm(copyThroughL1bm(32), hw).takeError()).empty());
}

TEST_CASE("the L1B of a PE is where its tile was placed") {
  Hardware hw = smallHw();
  // The reader's PEs 0-15 sit under L1B 1 (and 16-31 under L1B 0): shifted by 16 they read what
  // L1B 1 stored, and past the end the pad value.
  Program p = copyThroughL1bm(16);
  Transfer *x = p.mutable_instrs(4)->mutable_xfer();
  for (int pe = 0; pe < 32; ++pe) x->add_l1b_of_pe(pe < 16 ? 1 : 0);
  CHECK(errorText(checkL1bm(p, hw).takeError()).empty());
  // Unshifted, PE 0 under L1B 1 reads element 0, which L1B 0 stored.
  Program q = copyThroughL1bm(0);
  *q.mutable_instrs(4)->mutable_xfer()->mutable_l1b_of_pe() = x->l1b_of_pe();
  CHECK_THAT(errorText(checkL1bm(q, hw).takeError()),
             Catch::Contains("[E510]") && Catch::Contains("PE 0 loads element 0") && Catch::Contains("L1B 0 stored"));
  x->add_l1b_of_pe(0);  // 33 entries for 32 PEs
  CHECK_THAT(errorText(checkL1bm(p, hw).takeError()), Catch::Contains("[E504]") && Catch::Contains("33 L1Bs for 32 PEs"));
}

TEST_CASE("a load of L1BM bytes no L1B stored in the run fails with E510") {
  Program p = copyThroughL1bm(0);
  p.mutable_instrs()->DeleteSubrange(2, 2);  // the producer's store
  CHECK_THAT(errorText(checkL1bm(p, smallHw()).takeError()),
             Catch::Contains("[E510]") && Catch::Contains("no L1B stored in this run"));
}

TEST_CASE("an L1B holding more bytes than its L1BM fails with E510") {
  Hardware hw = smallHw();
  hw.l1bm = 60;  // each L1B stores 16 floats = 64 bytes
  Emulator emu(hw, {});
  CHECK_THAT(errorText(emu.load(copyThroughL1bm(0))),
             Catch::Contains("[E510]") && Catch::Contains("L1B 0 holds 64 bytes of L1BM values, its L1BM has 60"));
}

TEST_CASE("L1BM buffers lie in the image after DRAM") {
  Program p = copyThroughL1bm(0);
  CHECK(imageBytes(p) == 384);
  p.mutable_buffers(2)->set_dram_offset(0);
  CHECK_THAT(errorText(checkBufferPlacement(p, p.buffers(2))), Catch::Contains("outside the L1BM image"));
  p.mutable_buffers(1)->set_location(Buffer::L1BM);
  CHECK_THAT(errorText(checkBufferPlacement(p, p.buffers(1))), Catch::Contains("lies outside"));
}
