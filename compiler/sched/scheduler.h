// Scheduling: the execution order of the nodes and where values live between them. The
// `always_from_dram` scheduler runs nodes in dependency order (ties in graph order), every node
// loading its inputs from DRAM and storing its outputs back.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include "llvm/Support/Error.h"

#include <string>

namespace pfcomp::sched {

llvm::Expected<ir::Schedule> scheduleAlwaysFromDram(const ir::Graph &graph);

// time_slice.txt / .html: the nodes whose values do not fit the PEs at once and are cut over
// time steps, with their tiles, in schedule order.
std::string timeSliceText(const ir::Graph &graph);
std::string timeSliceHtml(const ir::Graph &graph);

}  // namespace pfcomp::sched
