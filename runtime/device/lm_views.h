// Loads the emulator need not copy. A LOAD whose LM tile is read only by kernels of the same
// instruction segment (see Emulator: no DRAM writes to the loaded buffer inside it), each taking
// the whole tile as one operand, can leave LM alone: the kernels read the window where it is in
// DRAM, as a strided view (PreparedKernel::acceptView). Windows that reach past the buffer (conv
// padding) read from a copy of the buffer with a border of the pad value, made once at the start
// of the segment. What the kernels compute is unchanged; only LM bytes no one reads go unwritten.
#pragma once

#include "runtime/device/kernels/kernel.h"
#include "runtime/device/program.pb.h"
#include "runtime/device/transfer.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace pfcomp::device {

// What the planner needs to know of one instruction.
struct ViewInstr {
  const Instr *instr = nullptr;
  const TileWalker *tiles = nullptr;
  TransferPlan *xfer = nullptr;      // LOAD / STORE
  PreparedKernel *kernel = nullptr;  // COMPUTE
  int segment = -1;                  // -1: runs alone (HOST, WAIT)
};

// A copy of a DRAM buffer with a border of `pad` elements around it.
struct PaddedSource {
  int buffer = 0;
  double pad = 0;
  std::vector<int64_t> padLo, padHi, dims;  // per buffer axis; dims include the border
  int64_t arenaOffset = 0;                  // bytes into ViewPlan::arena (shared across segments)
};

struct ViewPlan {
  int slots = 0;                                  // views per PE live at once, at most
  std::vector<int> loadSlot;                      // per instruction: a LOAD read in place, -1 = copied
  std::vector<std::vector<int>> operandSlot;      // per instruction: per kernel operand, -1 = in LM
  std::vector<std::vector<int>> segmentSources;   // per segment: padded sources to fill first
  std::vector<PaddedSource> sources;
  std::unique_ptr<uint8_t[]> arena;               // the padded copies of the running segment
};

// Decides which LOADs are read in place and points their TransferPlans at their sources.
// `dram` holds `dramBytes` readable bytes (kernels read a few past a view's last element).
void planViews(const Program &program, const std::vector<ViewInstr> &instrs, int segments,
               const uint8_t *dram, int64_t dramBytes, ViewPlan &plan);
// Rows (all axes but the last) of a padded source, and filling rows [rowBegin, rowEnd) of it
// from DRAM as it is now: before the segment that reads it runs.
int64_t sourceRows(const PaddedSource &src);
void fillSourceRows(const Program &program, const PaddedSource &src, int64_t rowBegin, int64_t rowEnd,
                    const uint8_t *dram, uint8_t *arena);

}  // namespace pfcomp::device
