// CODEGEN_FIND_BEST_COMPILE_OPTIONS / CODEGEN_FIND_BETTER_COMPILE_OPTIONS: compile the model once
// per candidate option set (every built planner x scheduler x simulation mode for BEST, a few
// for BETTER) as separate pfcomp processes, two at a time, keep the one with the shortest
// predicted device time, and list every candidate with its time in report.json.
#pragma once

#include "compiler/driver/driver_args.h"
#include "compiler/options/options.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace pfcomp::driver {

struct SearchCandidate {
  std::string layout_planner, scheduler, simulation_mode;
};

// The candidates for the resolved options (empty when no search is asked for).
std::vector<SearchCandidate> searchCandidates(const options::CompileOptions &options);

llvm::Error compileWithOptionSearch(const DriverRequest &request,
                                    const options::CompileOptions &options,
                                    const std::vector<SearchCandidate> &candidates,
                                    llvm::raw_ostream &progress);

}  // namespace pfcomp::driver
