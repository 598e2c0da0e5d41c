// The compile: validate, stage a codegen_dir, run the phases, write report.json, publish.
#pragma once

#include "compiler/driver/driver_args.h"

#include "llvm/Support/raw_ostream.h"

namespace pfcomp::driver {

inline constexpr const char *kOptionJson = "option.json";
inline constexpr const char *kReportJson = "report.json";
inline constexpr const char *kLogDir = "glog";

// Everything that can be checked is checked before anything is written; on failure nothing is
// left at request.output (an existing codegen_dir stays as it was). Progress lines
// "[k/N] phase ... S s" go to `progress`.
llvm::Error compile(const DriverRequest &request, llvm::raw_ostream &progress);

}  // namespace pfcomp::driver
