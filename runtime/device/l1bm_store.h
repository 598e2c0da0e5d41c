// L1BM values (L1Merge): a producer leaves its output in the L1B memories above its PEs and a
// consumer whose tiles sit under the same L1Bs loads it from there, never from DRAM. Each L1B
// holds its own copy: a STORE from PE p writes L1B(p)'s, a LOAD into PE p reads L1B(p)'s, L1B(p)
// being where the compiler placed p's tile (Transfer.l1b_of_pe; the emulator runs every tile the
// same wherever it sits, but its L1BM bytes are those of that L1B).
//
// The emulator keeps one image of all copies (after DRAM) in which every element is written by
// one L1B; this check makes that exact. Which PE stores or loads which element depends only on
// the program, so it walks the program once when it is loaded: a LOAD of an element its L1B did
// not store earlier in the run, or an L1B holding more bytes than its L1BM, fails (E510).
// The compiler runs the same check on a candidate merge, so both agree on what is legal.
#pragma once

#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace pfcomp::device {

// DRAM image plus the L1BM image that follows it.
int64_t imageBytes(const Program &program);
// A buffer lies inside its memory's part of the image (DramOutOfRange otherwise).
llvm::Error checkBufferPlacement(const Program &program, const Buffer &buffer);

struct L1bmUse {
  std::vector<int64_t> bytes_per_l1b;  // bytes each L1B holds at the end of the run
  int64_t stores = 0, loads = 0;       // L1BM transfers (instructions)
};

// Walks the L1BM transfers of `program` in order (E510 on the first violation; BadProgram for an
// L1BM window with an indirect axis).
llvm::Expected<L1bmUse> checkL1bm(const Program &program, const Hardware &hw);

}  // namespace pfcomp::device
