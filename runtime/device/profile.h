// Profiles of a program's timeline (predicted by emit, or as executed by pfvm): per-layer time,
// and Chrome trace events with one track per engine (DMA loads, DMA stores, PE array).
#pragma once

#include "runtime/device/cost_model.h"
#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pfcomp::device {

struct LayerTime {
  std::string name, op_type;
  int64_t start = 0, end = 0;        // cycles
  int64_t transfer_cycles = 0, compute_cycles = 0;
  int64_t instructions = 0;
  double flops = 0;
};

std::vector<LayerTime> layerTimes(const Program &program, const Timeline &timeline);
// {"total_cycles", "time_us", "layers": [{name, op, start_us, end_us, time_us, ...}]}
nlohmann::json profileJson(const Program &program, const Timeline &timeline, const Hardware &hw);
// Chrome trace event format ("traceEvents"), loadable by chrome://tracing and Perfetto.
nlohmann::json traceJson(const Program &program, const Timeline &timeline, const Hardware &hw);

}  // namespace pfcomp::device
