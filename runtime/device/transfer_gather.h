// The element-by-element path of LOAD / STORE, for windows with an indirect axis (Gather with
// run-time indices in LM): each index of each axis is looked up on its own. Affine windows take
// TransferPlan's box copy instead.
#pragma once

#include "runtime/device/program.pb.h"

#include <cstdint>

namespace pfcomp::device {

void gatherLoad(const Program &program, const Instr &instr, const int64_t *tileStart,
                const int64_t *redStarts, const uint8_t *dram, uint8_t *lm);
void scatterStore(const Program &program, const Instr &instr, const Layer &layer,
                  const int64_t *tileStart, uint8_t *dram, const uint8_t *lm);

}  // namespace pfcomp::device
