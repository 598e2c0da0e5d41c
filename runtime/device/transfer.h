// Executing LOAD / STORE instructions: cutting a PE's window out of a DRAM buffer into its LM
// tile (padding outside the buffer) and writing an LM tile back, clipped to the layer's extent.
// A TransferPlan is made once per instruction when the program is loaded; per PE it only
// computes the window start and copies rows.
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
  // The start of the next tile after `start` (tile + 1), as an odometer: no divisions.
  void nextTile(int64_t *start) const;
  // The least and greatest start on each axis over tiles [first, first + count).
  void startRange(int64_t first, int64_t count, int64_t *lo, int64_t *hi) const;
  const int64_t *redStarts() const { return redStarts_.data(); }
  int64_t numTiles() const { return numTiles_; }
  int rank() const { return static_cast<int>(grid_.size()); }

 private:
  std::vector<int64_t> grid_, tile_, redStarts_;
  int64_t numTiles_ = 1;
};

// Element type of a transfer's LM tile.
DType lmType(const Program &program, const Transfer &xfer);
// Bytes of the LM tile a transfer moves per PE.
int64_t transferTileBytes(const Program &program, const Transfer &xfer);
llvm::Error validateTransfer(const Program &program, const Instr &instr, int64_t lmBytes);

class TransferPlan {
 public:
  // `instr` must have passed validateTransfer.
  TransferPlan(const Program &program, const Instr &instr, const TileWalker &tiles);
  // One PE's part: LOAD fills the LM tile from DRAM (pad outside the buffer); STORE writes the
  // tile's elements that lie inside the buffer and the layer's extent.
  void run(const int64_t *tileStart, uint8_t *dram, uint8_t *lm) const;

  // In-place reads (PreparedKernel::acceptView). A LOAD is viewable when its window is a plain
  // strided box of the buffer: no indirect axis, no type change, positive steps.
  bool viewable() const;
  // Per buffer axis, the indices the windows of tiles [firstTile, firstTile + count) touch:
  // [lo, hi), possibly reaching outside the buffer (padding).
  void windowExtent(const TileWalker &tiles, int64_t firstTile, int64_t count, std::vector<int64_t> &lo,
                    std::vector<int64_t> &hi) const;
  // Where the buffer sits for views: element (i_0, ..., i_r) at base + sum (i_a + padLo_a) *
  // strides_a elements (the buffer itself, or a copy with a border of padLo_a in front).
  void setViewSource(const uint8_t *base, const std::vector<int64_t> &strides, const std::vector<int64_t> &padLo);
  // The view's element strides per LM axis (the kernel operand's axes).
  std::vector<int64_t> viewStrides() const;
  const uint8_t *view(const int64_t *tileStart) const;
  const std::vector<int64_t> &lmShape() const { return lmShape_; }
  int64_t lmAddr() const { return lmAddr_; }
  int64_t tileBytes() const { return tileBytes_; }

 private:
  // One buffer axis of the window, in LM order. Its start for a tile is
  // offset + scale * (t / div), or floor(ratioNum * t / ratioDen), t = the tile start on `follows`.
  struct Axis {
    int follows = -1;
    int64_t offset = 0, scale = 0, div = 1, ratioNum = 0, ratioDen = 0;
    int64_t size = 1, step = 1, dim = 1;
    int bufAxis = 0;
    int64_t bufStride = 1;  // elements between neighbours of this buffer axis
    int64_t lmStride = 1;   // elements between neighbours of this LM tile axis
    int64_t viewStride = 0; // elements between neighbours in the view source along bufAxis
    int64_t start(const int64_t *tileStart) const;
  };
  // A run of the box being moved, innermost first: indices [lo, hi) of `size`, `buf` elements
  // apart in DRAM and `lm` apart in the tile.
  struct Run {
    int64_t lo, hi, size, buf, lm;
  };
  int mergeRuns(const int64_t *lo, const int64_t *hi, Run *runs) const;
  template <typename Row>
  void copyRuns(const Row &row, int64_t base, const Run *runs, int n, uint8_t *dram, uint8_t *lm) const;
  void moveRuns(int64_t base, const Run *runs, int n, uint8_t *dram, uint8_t *lm) const;
  void planFastPath(const TileWalker &tiles);

  const Program *program_;
  const Instr *instr_;
  const Layer *layer_;
  std::vector<Axis> axes_;
  std::vector<int64_t> redStarts_;  // the gather path's reduction chunk starts
  std::vector<uint8_t> padTile_;  // a whole LM tile of the pad value (loads)
  std::vector<int64_t> lmShape_;
  // The fast path: when every axis start is offset + scale * t (t = a tile start), a PE's
  // window lies whole inside the buffer (and, for a store, the layer) exactly when each t used
  // is in [tmin, tmax]; its first element is then base0 + sum coef * t, and the whole box moves
  // as fullRuns_.
  struct TileTerm {
    int axis;  // layer axis
    int64_t coef, viewCoef, tmin, tmax;
  };
  bool fast_ = false;
  int64_t oneRowBytes_ = 0;  // > 0: a whole window is one contiguous run of that many bytes
  int64_t base0_ = 0, viewBase0_ = 0;
  std::vector<TileTerm> terms_;
  std::vector<Run> fullRuns_;
  const uint8_t *viewBase_ = nullptr;  // the view source, at the buffer's element 0
  int64_t lmAddr_ = 0, tileBytes_ = 0, bufferOffset_ = 0;
  int64_t lmSize_ = 0, bufSize_ = 0;  // element bytes in LM and in DRAM
  DType lmType_ = DT_UNDEFINED, bufType_ = DT_UNDEFINED;
  bool load_ = true, indirect_ = false;
};

}  // namespace pfcomp::device
