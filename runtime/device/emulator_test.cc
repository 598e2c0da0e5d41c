#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/emulator.h"
#include "runtime/device/test_program.h"

#include <cstring>

using namespace pfcomp::device;
using pfcomp::device::testing::matmulProgram;

namespace {

Hardware testHardware() {
  auto hw = resolveHardware("");
  REQUIRE(static_cast<bool>(hw));
  return *hw;
}

// matmulProgram's y[5x3] = x[5x4] x w[4x3] with w = 0.5 * index.
void checkMatmulOutput(const Emulator &emu, const std::vector<float> &a) {
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
  checkMatmulOutput(emu, a);
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

TEST_CASE("LM a segment leaves behind reaches the next segment") {
  // A store of y and a load back from it after the first reduction chunk: the load reads what
  // the store wrote, so the chunks run in two segments and the partial sums cross between them.
  Emulator emu(testHardware(), {});
  Program p = matmulProgram();
  Instr store = p.instrs(p.instrs_size() - 1), reload = store;
  reload.set_kind(Instr::LOAD);
  reload.mutable_xfer()->set_lm_addr(256);
  auto *instrs = p.mutable_instrs();
  instrs->Add();
  instrs->Add();
  for (int i = instrs->size() - 1; i >= 5; --i) instrs->SwapElements(i, i - 2);
  *p.mutable_instrs(3) = store;
  *p.mutable_instrs(4) = reload;
  REQUIRE(!emu.load(p));
  std::vector<float> a(20);
  for (int i = 0; i < 20; ++i) a[i] = i - 7.0f;
  REQUIRE(!emu.writeInput(0, F32, a.data(), 20));
  for (int run = 0; run < 2; ++run) {
    auto stats = emu.run();
    REQUIRE(static_cast<bool>(stats));
    checkMatmulOutput(emu, a);
  }
}
