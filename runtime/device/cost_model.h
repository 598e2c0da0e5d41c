// The cycle cost of every program instruction, from the hardware descriptor alone. `emit`
// predicts with it and the emulator reports with it, so the two numbers agree by construction.
#pragma once

#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include <cstdint>
#include <vector>

namespace pfcomp::device {

// Work one PE does for a kernel: MAU multiply-accumulate FLOPs and vector element operations.
struct KernelWork {
  double mau_flops = 0;
  double vector_ops = 0;
};

// How many distinct windows a transfer moves over the busiest link of each level. PEs that
// need the same window share it: DRAM reads it once and the tree multicasts it down (or, for a
// store, the tiles are distinct anyway).
struct WindowSpread {
  int64_t total = 1;      // distinct windows over all active PEs (DRAM traffic)
  int64_t per_group = 1;  // the most distinct windows under one Group
  int64_t per_l2b = 1;
  int64_t per_l1b = 1;
};

// Legs of a transfer of `bytesPerPe` per PE from DRAM down to LM for a load, or back up for
// a store.
std::vector<Hop> transferHops(const Hardware &hw, int64_t bytesPerPe, const WindowSpread &spread,
                              bool load);
// The same for an L1BM buffer (L1Merge): the value sits in the L1B above the PEs, so only the
// L1BM <-> LM legs move it (each L1B its own PEs' windows), no DRAM or L2BM traffic.
std::vector<Hop> l1bmTransferHops(const Hardware &hw, int64_t bytesPerPe, const WindowSpread &spread,
                                  bool load);
int64_t transferCycles(const Hardware &hw, const std::vector<Hop> &hops);
int64_t computeCycles(const Hardware &hw, DType dtype, const KernelWork &work);
// A host call moving `linkBytes` over the host link (operands up, results down).
int64_t hostLinkCycles(const Hardware &hw, int64_t linkBytes);

// When each instruction starts and ends: one DMA queue (pipelined: a transfer's start-up latency
// overlaps the next transfer), one PE array, WAIT blocks issue.
struct InstrTime {
  int64_t start = 0, end = 0;
};
struct Timeline {
  std::vector<InstrTime> times;  // one per instruction
  int64_t total_cycles = 0;
  int64_t dma_busy = 0, pe_busy = 0, host_busy = 0;
};
Timeline computeTimeline(const Program &program);

}  // namespace pfcomp::device
