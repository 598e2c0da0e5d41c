// schedule: orders the nodes and decides where values live (always_from_dram, reuse_consecutive,
// spill_opt, auto_recompute_sa), writing the
// scheduled MNGraph, l3ir.txt (its text form) and time_slice.txt / time_slice.html.
#include <glog/logging.h>

#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "compiler/options/stage_main.h"
#include "compiler/sched/annealing.h"
#include "compiler/sched/reuse_consecutive.h"
#include "compiler/sched/scheduler.h"
#include "compiler/sched/spill_opt.h"
#include "llvm/Support/Path.h"
#include "support/atomic_file.h"
#include "support/error.h"

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
    } else if (scheduler == "spill_opt") {
      auto placed = sched::spillOpt(*graph, *hw, budget);
      if (!placed) return placed.takeError();
      LOG(INFO) << "spill_opt: " << graph->schedule().groups_size() << " chains; " << placed->kept
                << " values kept in LM between layers (" << placed->bytes_kept << " bytes per PE), "
                << placed->spilled << " spilled for want of LM (budget " << budget << " bytes)";
    } else if (scheduler == "auto_recompute_sa") {
      auto sa = sched::annealSchedule(*graph, *hw, budget, inv.options.sa_expected_run_iters, kSaSeed);
      if (!sa) return sa.takeError();
      LOG(INFO) << "auto_recompute_sa: " << sa->iterations << " iterations (" << sa->accepted
                << " accepted, " << sa->improved << " improvements), estimate " << sa->start_cycles
                << " -> " << sa->best_cycles << " cycles (whole program " << sa->exact_cycles << "); " << sa->kept << " values kept in LM, "
                << sa->spilled << " spilled, " << sa->adopted << " consumers on their producer's tiles";
    }
  }
  graph->add_stages("schedule");
  // Options that only steer schedulers not built yet are reported, not silently dropped.
  if (inv.options.sa_expected_run_iters != 1000 && scheduler != "auto_recompute_sa")
    LOG(WARNING) << "sa_expected_run_iters=" << inv.options.sa_expected_run_iters
                 << " only steers auto_recompute_sa; scheduler " << graph->schedule().scheduler()
                 << " does not use it";
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
