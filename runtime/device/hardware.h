// The hardware descriptor: every number of the device model, read by the compiler's cost model
// and by the emulator alike so that the two cannot disagree.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace pfcomp::device {

struct Hardware {
  std::string name;
  double clock_hz = 0;
  // Tree: Top -> groups -> L2B -> L1B -> MAB -> PE.
  int64_t groups = 0, l2b_per_group = 0, l1b_per_l2b = 0, mab_per_l1b = 0, pe_per_mab = 0;
  // Bytes.
  int64_t dram_per_group = 0, pdm_per_group = 0, l2bm = 0, l1bm = 0, lm0 = 0, lm1 = 0, grf0 = 0,
          grf1 = 0;
  // MAU throughput per MAB per cycle, by element type.
  double flop_per_mab_cycle_f64 = 0, flop_per_mab_cycle_f32 = 0, flop_per_mab_cycle_f16 = 0;
  // Elementwise throughput per PE per cycle.
  double vec_per_pe_cycle_f64 = 0, vec_per_pe_cycle_f32 = 0, vec_per_pe_cycle_f16 = 0;
  // Bytes per cycle of one link at each level.
  double bw_dram_per_group = 0, bw_group_to_l2b = 0, bw_l2b_to_l1b = 0, bw_l1b_to_pe = 0;
  int64_t transfer_latency = 0, compute_latency = 0;
  // The host link (PCIe) host ops move their operands and results over: bytes per device cycle
  // and the start-up latency of one host call in cycles.
  double bw_host_link = 0;
  int64_t host_link_latency = 0;

  int64_t l2bs() const { return groups * l2b_per_group; }
  int64_t l1bs() const { return l2bs() * l1b_per_l2b; }
  int64_t mabs() const { return l1bs() * mab_per_l1b; }
  int64_t pes() const { return mabs() * pe_per_mab; }
  int64_t lmBytes() const { return lm0 + lm1; }
  int64_t dramBytes() const { return groups * dram_per_group; }
  int64_t pesPerGroup() const { return pes() / groups; }
  int64_t pesPerL2b() const { return pes() / l2bs(); }
  int64_t pesPerL1b() const { return pes() / l1bs(); }
  double seconds(int64_t cycles) const { return cycles / clock_hz; }
};

// Parses a descriptor; errors name the file and the missing or bad field.
llvm::Expected<Hardware> parseHardware(llvm::StringRef json, llvm::StringRef sourceName);
llvm::Expected<Hardware> loadHardware(llvm::StringRef path);
// The descriptor to use: `path` if given, else $PFCOMP_HARDWARE, else the built-in MN-Core 2.
llvm::Expected<Hardware> resolveHardware(llvm::StringRef path);
const char *builtinHardwareJson();

}  // namespace pfcomp::device
