// Running one stage process; its stdout and stderr go straight to the user.
#pragma once

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace pfcomp::driver {

struct StageRun {
  int exitCode = 0;        // -1 when the process could not be started or crashed
  std::string error;       // why it could not be started / how it crashed, "" otherwise
  double seconds = 0;      // wall time
  bool cached = false;     // the stage's files came from the stage cache; it did not run
};

// Runs `exe` with `args` (not including argv[0]) and waits for it.
StageRun runStage(llvm::StringRef exe, const std::vector<std::string> &args);

}  // namespace pfcomp::driver
