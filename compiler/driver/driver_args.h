// pfcomp's command line: MODEL -o CODEGEN_DIR [compile options] [--stop-after=S] [--start-from=S].
#pragma once

#include "compiler/options/resolve.h"

#include <optional>
#include <string>
#include <vector>

namespace pfcomp::driver {

struct DriverRequest {
  std::string model;             // "" allowed only with --start-from (then DIR/model.onnx)
  std::string output;            // the codegen_dir
  size_t startFrom = 0;          // first stage run (index into stageTable())
  size_t stopAfter = 0;          // last stage run
  bool resume = false;           // --start-from given: work on the existing codegen_dir
  bool useStageCache = true;     // --no-stage-cache clears it: only node costs are cached
  options::OptionSources sources;
  std::vector<std::string> argv;
  std::string argv0;
};

// std::nullopt when --help was printed. Errors for bad stage names or a start after the stop.
llvm::Expected<std::optional<DriverRequest>> parseDriverArgs(int argc, char **argv);

}  // namespace pfcomp::driver
