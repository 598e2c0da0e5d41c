// Beam-search reordering: searches topological orders of the nodes for one under which spill_opt's
// chains and LM residency give a faster program (readers kept close to their producer let the
// value stay in LM; a delayed reader forces a spill). Each partial order is scored by completing
// it in Kahn order and summing the cost model's cycles of every scheduling unit under spill_opt's
// decisions for that order (cached per unit and decision). Deterministic: ties go to graph order.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/hardware.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::sched {

struct BeamOptions {
  int64_t max_turns = 0;    // turns that branch (-1 = unbounded); the rest follows Kahn order
  int64_t width = 1;        // partial orders kept per turn (1 = greedy)
  int64_t prune_limit = 0;  // extensions scored per partial order and turn (0 = all ready nodes)
};

// Reads the CODEGEN_SCHEDULE_PP_* envs (absent: the defaults, max_turns 0 = no beam search).
BeamOptions beamOptionsFrom(const std::map<std::string, std::string> &env);

struct BeamStats {
  int64_t turns = 0, scored = 0;
  int64_t width = 1, prune_limit = 0;
  int64_t estimate_before = 0, estimate_after = 0;  // summed unit cycles, Kahn order vs beam order
  int64_t cycles_before = 0, cycles_after = 0;       // whole program, Kahn order vs the one kept
  bool reordered = false;                            // the beam's order was kept
};

// Estimated cycles of a complete order (graph node indices) under spill_opt's decisions; the
// graph's tilings and schedule are restored afterwards.
class OrderCoster {
 public:
  OrderCoster(ir::Graph &graph, const device::Hardware &hw, int64_t budget);
  llvm::Expected<int64_t> cycles(const std::vector<int> &order);
  int64_t scored() const { return scored_; }

 private:
  ir::Graph &graph_;
  const device::Hardware &hw_;
  int64_t budget_;
  std::vector<ir::Tiling> own_;
  ir::Schedule schedule_;
  std::map<std::string, int64_t> cache_;
  int64_t scored_ = 0;
};

// The beam's best complete order (node indices) for graph.schedule()'s nodes.
llvm::Expected<std::vector<int>> beamOrder(ir::Graph &graph, const device::Hardware &hw, int64_t budget,
                                           const BeamOptions &options, BeamStats &stats);

// Runs `scheduler` on the Kahn order and on the beam's order, times both whole programs and keeps
// the faster (the Kahn order on ties), so reordering never slows the program down. Records the
// beam in the graph's meta (l3ir.txt).
llvm::Expected<BeamStats> scheduleWithBeam(ir::Graph &graph, const device::Hardware &hw, int64_t budget,
                                           const BeamOptions &options,
                                           llvm::function_ref<llvm::Error(ir::Graph &)> scheduler);

}  // namespace pfcomp::sched
