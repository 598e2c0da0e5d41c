// L1Merge (CODEGEN_USE_MERGE): after the scheduler, a value that one scheduling unit produces and
// only the next unit reads may stay in the L1B memories above the PEs (L1BM) instead of making
// the round trip through DRAM. It is legal when every reader tile's window lies in what the PEs
// under the reader's own L1B stored, and each L1B's share of all merged values fits its L1BM:
// exactly what the emulator enforces (runtime/device/l1bm_store.h), so the compiler runs the same
// check on the candidate's program (an L1B is the one above the PE a tile was placed on). A merge
// is kept only if the cost model says the pair got faster, and the whole set only if the whole
// program did.
//
// CODEGEN_USE_PARALLEL_MERGE: the candidates are costed at once on an llvm::ThreadPool (the
// whole program without merges is built alongside) and the verdicts combined in O(log N) rounds of pairwise reduction over adjacent groups (the combine
// replays the right group's candidates on the left group's L1BM use, so the result is exactly
// the sequential greedy one).
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "compiler/sched/units.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::sched {

// What leaving `value` in L1BM between unit `u` (its producer) and unit `u + 1` would do.
struct MergeVerdict {
  std::string value;
  size_t unit = 0;
  bool legal = false;
  std::string why;                     // not legal: the check's message
  int64_t gain = 0;                    // cycles the pair saves (negative: slower)
  std::vector<int64_t> l1b_bytes;      // bytes each L1B holds of it
  // Non-empty: legal only with the reader unit on this tile (its output tile scaled from the
  // producer's, so reader tile k reads about what producer tile k stored).
  std::vector<int64_t> reader_tile;
  // Legal (or faster) only with the producer's / the reader unit's tiles on PEs in grid order
  // (place_tiles off): the placements the cycle model picked for each alone put a producer tile
  // and its readers under different L1Bs.
  bool unplace_producer = false, unplace_readers = false;
  // > 0: legal (or faster) with both units' tiles row-major in L1B-aligned runs of this many
  // tiles (Tiling.l1b_align: a channel block's spatial tiles never cut by an L1B boundary).
  int64_t align_producer = 0, align_readers = 0;
  int64_t runs_producer = 0, runs_readers = 0;  // runs per L1B: the same channels under each L1B
};

// The values eligible for a merge: output of a unit's last node, not a graph output nor kept in
// LM, read only by nodes of the next unit (none of them an alias or host op).
std::vector<MergeVerdict> mergeCandidates(const ir::Graph &graph, const std::vector<Unit> &units);

// Builds the pair with and without the merge; legality from the L1BM check on its program. Tried:
// the units as they are, either or both without placement, both with each channel block's spatial
// tiles in L1B-aligned runs, and (a reader unit that keeps nothing in LM)
// the reader on the producer's tile scaled to its output (elementwise: the same tile; a pooling:
// the tile shrunk), placed or not; the legal variant that saves most is kept.
llvm::Error evaluateMerge(const ir::Graph &graph, const std::vector<Unit> &units, const device::Hardware &hw,
                          MergeVerdict &verdict);

struct MergeOptions {
  bool parallel = false;
  unsigned threads = 0;  // parallel: 0 = all hardware threads
};

struct MergeStats {
  int candidates = 0, legal = 0, merged = 0;
  int rounds = 0;                                  // combine rounds (parallel)
  int64_t cycles_before = 0, cycles_after = 0;     // whole program without / with the merges
  int64_t l1bm_bytes = 0;                          // bytes of merged values over all L1Bs
  std::string dropped;                             // why the merges found were not kept
  std::vector<MergeVerdict> verdicts;              // every candidate, in schedule order
};

// Finds, checks and applies the merges (Schedule.l1_merges; readers' tiles where they changed).
llvm::Expected<MergeStats> mergeInL1(ir::Graph &graph, const device::Hardware &hw, const MergeOptions &options);

}  // namespace pfcomp::sched
