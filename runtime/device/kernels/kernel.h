// PE kernels: the compute instructions every active PE runs in lock step on its own LM tile.
// A kernel is prepared once per instruction (operand shapes and parameters are the same on
// every PE) and then run per PE on that PE's LM.
#pragma once

#include "runtime/device/cost_model.h"
#include "runtime/device/element_convert.h"  // dtypeBytes
#include "runtime/device/program.pb.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace pfcomp::device {

// What a kernel knows about the PE it runs on: its tile's start on each output axis of the
// layer and the layer's extent (for kernels whose result depends on where padding was).
struct PeTile {
  const int64_t *tile_start = nullptr;
  const int64_t *space = nullptr;
};

class PreparedKernel {
 public:
  virtual ~PreparedKernel() = default;
  virtual void run(uint8_t *lm, const PeTile &tile) const = 0;

  // Operand views: an input operand the emulator did not copy into LM because it equals a
  // window of DRAM that stays unchanged while the kernel reads it (a LOAD it skipped). The
  // kernel is told the view's element strides per operand axis once, when the program is
  // loaded, and may refuse them; then per PE views[k] points at operand k's first element, or
  // is null when that operand sits in LM as usual.
  virtual bool acceptView(int operand, const std::vector<int64_t> &strides) {
    (void)operand, (void)strides;
    return false;
  }
  virtual void run(uint8_t *lm, const PeTile &tile, const uint8_t *const *views) const {
    (void)views;
    run(lm, tile);
  }

  // Instruction-wide form (conv2d over views): what run() would store in, or add to, the output
  // tile, for PEs [0, n) at once from their input operands' views, so that PEs reading the same
  // window share the work (one im2col, one matrix product over all their output channels).
  // prepareBatch is called once, when the program is loaded: `inputs` holds per PE the pointers
  // to operands 0 and 1, the same in every run. runBatch then writes n output tiles of
  // batchTileBytes() back to back into `out`; `parallel(tasks, fn)` runs fn(0 .. tasks-1) on the
  // emulator's threads. finishBatch stores (or adds) one PE's part into its tile.
  using ParallelFor = llvm::function_ref<void(int64_t, llvm::function_ref<void(int64_t)>)>;
  virtual int64_t batchTileBytes() const { return 0; }  // 0: no instruction-wide form
  virtual void prepareBatch(int64_t n, const uint8_t *const *inputs) { (void)n, (void)inputs; }
  virtual void runBatch(uint8_t *out, ParallelFor parallel) const { (void)out, (void)parallel; }
  virtual void finishBatch(uint8_t *lm, const uint8_t *part) const { (void)lm, (void)part; }

  // Consecutive PEs of a block at once (when peGroups): PE i's LM at lm + i * lmStride, its
  // operand views at views[i * kMaxOperands + k] (null where the operand is in LM). PEs that
  // read the same windows can share the work (matmul: the PEs of one output row read one A row
  // and neighbouring B columns). False: run them one by one.
  static constexpr int kMaxOperands = 8;
  bool peGroups = false;
  virtual bool runPes(int64_t n, uint8_t *lm, int64_t lmStride, const uint8_t *const *views) const {
    (void)n, (void)lm, (void)lmStride, (void)views;
    return false;
  }

  // Byte ranges [addr, addr + size) the kernel reads and writes, for the emulator's checks.
  std::vector<std::pair<int64_t, int64_t>> reads, writes;
  KernelWork work;
};

// Validates `kernel` (op known, operand count, shapes consistent, dtype supported) and returns
// the per-PE runner with its work and memory footprint.
llvm::Expected<std::unique_ptr<PreparedKernel>> prepareKernel(const Kernel &kernel);

int64_t numElements(const Kernel::Shape &shape);

}  // namespace pfcomp::device
