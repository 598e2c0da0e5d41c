// Scheduling units: a chain of the schedule (emitted together) or a lone node, in schedule
// order. The annealing and the beam search cost a schedule unit by unit.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <vector>

namespace pfcomp::sched {

using Unit = std::vector<const ir::Node *>;

// Points into `g`'s nodes; valid while `g` is not changed.
std::vector<Unit> schedulingUnits(const ir::Graph &g);

}  // namespace pfcomp::sched
