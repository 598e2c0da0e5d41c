// schedule: orders the nodes and decides where values live (always_from_dram, reuse_consecutive,
// spill_opt, auto_recompute_sa; the last two optionally on a beam-searched order), writing the
// scheduled MNGraph, l3ir.txt (its text form) and time_slice.txt / time_slice.html.
#include <glog/logging.h>

#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "compiler/options/stage_main.h"
#include "compiler/sched/annealing.h"
#include "compiler/sched/beam.h"
#include "compiler/sched/l1_merge.h"
#include "compiler/sched/reuse_consecutive.h"
#include "compiler/sched/scheduler.h"
#include "compiler/sched/spill_opt.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include <chrono>

using namespace pfcomp;

// Fixed: the same model and options give the same schedule, byte for byte.
constexpr uint64_t kSaSeed = 0x5eed;

static llvm::Error run(const options::StageInvocation &inv) {
  auto graph = ir::readGraph(inv.input);
  if (!graph) return graph.takeError();
  auto schedule = sched::scheduleAlwaysFromDram(*graph);
  if (!schedule) return schedule.takeError();
  *graph->mutable_schedule() = *schedule;
  const std::string &scheduler = inv.options.scheduler;
  if (scheduler != "always_from_dram") {
    auto hw = device::resolveHardware(inv.options.hardware);
    if (!hw) return hw.takeError();
    const int64_t budget = static_cast<int64_t>(hw->lmBytes() * inv.options.sram_budget);
    if (scheduler == "reuse_consecutive") {
      auto kept = sched::chainConsecutive(*graph, *hw, budget);
      if (!kept) return kept.takeError();
      LOG(INFO) << "reuse_consecutive: " << *kept << " intermediate values stay in LM, in "
                << graph->schedule().groups_size() << " chains";
    } else {
      // One run of spill_opt or auto_recompute_sa on the graph's current order; its summary line
      // is logged for the run that is kept.
      std::vector<std::string> summaries;
      auto place = [&](ir::Graph &g) -> llvm::Error {
        std::string line;
        llvm::raw_string_ostream os(line);
        if (scheduler == "spill_opt") {
          auto placed = sched::spillOpt(g, *hw, budget);
          if (!placed) return placed.takeError();
          os << "spill_opt: " << g.schedule().groups_size() << " chains; " << placed->kept
             << " values kept in LM between layers (" << placed->bytes_kept << " bytes per PE), "
             << placed->spilled << " spilled for want of LM (budget " << budget << " bytes)";
        } else {
          auto sa = sched::annealSchedule(g, *hw, budget, inv.options.sa_expected_run_iters, kSaSeed);
          if (!sa) return sa.takeError();
          os << "auto_recompute_sa: " << sa->iterations << " iterations (" << sa->accepted
             << " accepted, " << sa->improved << " improvements), estimate " << sa->start_cycles
             << " -> " << sa->best_cycles << " cycles (whole program " << sa->exact_cycles << "); "
             << sa->kept << " values kept in LM, " << sa->spilled << " spilled, " << sa->adopted
             << " consumers on their producer's tiles";
        }
        summaries.push_back(os.str());
        return llvm::Error::success();
      };
      const sched::BeamOptions beam = sched::beamOptionsFrom(inv.options.codegen_env);
      if (beam.max_turns == 0) {
        if (auto err = place(*graph)) return err;
      } else {
        auto stats = sched::scheduleWithBeam(*graph, *hw, budget, beam, place);
        if (!stats) return stats.takeError();
        LOG(INFO) << "beam: " << stats->turns << " turns of width " << stats->width << " (prune limit "
                  << stats->prune_limit << "), " << stats->scored << " orders scored; estimate "
                  << stats->estimate_before << " -> " << stats->estimate_after
                  << " cycles; whole program " << stats->cycles_before << " -> " << stats->cycles_after
                  << " cycles (" << (stats->reordered ? "reordered" : "Kahn order kept") << ")";
        if (stats->reordered) summaries.pop_back();  // the Kahn run came last
      }
      LOG(INFO) << summaries.back();
    }
  }
  // L1Merge after the scheduler's decisions (CODEGEN_USE_PARALLEL_MERGE: the same merges, found
  // on a thread pool).
  auto envOn = [&](const char *name) {
    auto it = inv.options.codegen_env.find(name);
    return it != inv.options.codegen_env.end() && it->second == "1";
  };
  if (envOn("CODEGEN_USE_MERGE") || envOn("CODEGEN_USE_PARALLEL_MERGE")) {
    auto hw = device::resolveHardware(inv.options.hardware);
    if (!hw) return hw.takeError();
    const bool parallel = envOn("CODEGEN_USE_PARALLEL_MERGE");
    const auto start = std::chrono::steady_clock::now();
    auto merged = sched::mergeInL1(*graph, *hw, {parallel, 0});
    if (!merged) return merged.takeError();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    LOG(INFO) << "l1merge (" << (parallel ? "parallel, " + std::to_string(merged->rounds) + " rounds" : "sequential")
              << "): " << merged->candidates << " candidates, " << merged->legal << " legal, " << merged->merged
              << " merged (" << merged->l1bm_bytes << " bytes of L1BM); whole program " << merged->cycles_before
              << " -> " << merged->cycles_after << " cycles"
              << (merged->dropped.empty() ? "" : "; merges dropped: " + merged->dropped) << "; "
              << llvm::formatv("{0:F2}", seconds).str() << " s";
    for (const sched::MergeVerdict &v : merged->verdicts)
      LOG(INFO) << "l1merge candidate %" << v.value << ": "
                << (v.legal ? "legal" + std::string(v.reader_tile.empty() ? "" : " with the reader on the producer's tile") +
                                  (v.unplace_producer ? " with the producer unplaced" : "") +
                                  (v.unplace_readers ? " with the readers unplaced" : "") +
                                  (v.align_producer > 0 ? " with L1B-aligned runs (" + std::to_string(v.runs_producer) +
                                                              " x " + std::to_string(v.align_producer) + " / " +
                                                              std::to_string(v.runs_readers) + " x " +
                                                              std::to_string(v.align_readers) + " tiles per L1B)"
                                                        : "") +
                                  ", pair gain " + std::to_string(v.gain) + " cycles"
                            : "not legal: " + v.why);
    auto &meta = *graph->mutable_meta();
    meta["l1_merge_candidates"] = std::to_string(merged->candidates);
    meta["l1_merge_legal"] = std::to_string(merged->legal);
    meta["l1_merge_program_cycles"] = std::to_string(merged->cycles_after);
  }
  graph->add_stages("schedule");
  // Options that only steer schedulers not built yet are reported, not silently dropped.
  if (inv.options.sa_expected_run_iters != 1000 && scheduler != "auto_recompute_sa")
    LOG(WARNING) << "sa_expected_run_iters=" << inv.options.sa_expected_run_iters
                 << " only steers auto_recompute_sa; scheduler " << graph->schedule().scheduler()
                 << " does not use it";
  if (sched::beamOptionsFrom(inv.options.codegen_env).max_turns != 0 && scheduler != "spill_opt" &&
      scheduler != "auto_recompute_sa")
    LOG(WARNING) << "CODEGEN_SCHEDULE_PP_BEAM_* only reorder for spill_opt and auto_recompute_sa; scheduler "
                 << scheduler << " keeps graph order";
  LOG(INFO) << "scheduled " << graph->schedule().order_size() << " nodes with " << graph->schedule().scheduler();
  auto sibling = [&](const char *name) { return options::besideOutput(inv.output, name); };
  std::string dump = ir::dumpGraph(*graph);
  if (auto err = writeFileAtomically(sibling("l3ir.txt"), dump)) return err;
  if (auto err = writeFileAtomically(sibling("time_slice.txt"), sched::timeSliceText(*graph)))
    return err;
  if (auto err = writeFileAtomically(sibling("time_slice.html"), sched::timeSliceHtml(*graph)))
    return err;
  if (auto err = writeFileAtomically(inv.output + ".txt", dump)) return err;
  return ir::writeGraph(*graph, inv.output);
}

int main(int argc, char **argv) {
  return options::runStageMain(
      "schedule", "schedule",
      "schedule MNGRAPH -o OUT: order the nodes and place values; also writes l3ir.txt, "
      "time_slice.txt and time_slice.html next to OUT.",
      argc, argv, run);
}
