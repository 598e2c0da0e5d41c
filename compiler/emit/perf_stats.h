// perf_stats.json: what the driver merges into report.json — FLOPs, predicted device time,
// per-node layers (shapes, dtype, layout, time) and time per op attribute with `ALL`.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include <nlohmann/json.hpp>

namespace pfcomp::emit {

nlohmann::json perfStats(const ir::Graph &graph, const device::Program &program,
                         const device::Timeline &timeline, const device::Hardware &hw);

}  // namespace pfcomp::emit
