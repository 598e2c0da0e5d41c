// Executing LOAD / STORE instructions: cutting a PE's window out of a DRAM buffer into its LM
// tile (padding outside the buffer) and writing an LM tile back, clipped to the layer's extent.
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace pfcomp::device {

// Maps "PE p of instruction i" to the start of its output tile and reduction chunks.
class TileWalker {
 public:
  TileWalker(const Layer &layer, const Instr &instr);
  void tileStart(int64_t tile, int64_t *start) const;
  const int64_t *redStarts() const { return redStarts_.data(); }
  int64_t numTiles() const { return numTiles_; }

 private:
  std::vector<int64_t> grid_, tile_, redStarts_;
  int64_t numTiles_ = 1;
};

// Element type of a transfer's LM tile.
DType lmType(const Program &program, const Transfer &xfer);
// Bytes of the LM tile a transfer moves per PE.
int64_t transferTileBytes(const Program &program, const Transfer &xfer);
llvm::Error validateTransfer(const Program &program, const Instr &instr, int64_t lmBytes);

// `valid` (may be null) tracks which LM bytes hold data, for the checked mode.
llvm::Error executeLoad(const Program &program, const Instr &instr, const int64_t *tileStart,
                        const int64_t *redStarts, const uint8_t *dram, uint8_t *lm,
                        uint8_t *valid);
llvm::Error executeStore(const Program &program, const Instr &instr, const Layer &layer,
                         const int64_t *tileStart, uint8_t *dram, const uint8_t *lm,
                         const uint8_t *valid);

}  // namespace pfcomp::device
