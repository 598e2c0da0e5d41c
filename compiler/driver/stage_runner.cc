#include "compiler/driver/stage_runner.h"

#include "llvm/Support/Program.h"

#include <chrono>

namespace pfcomp::driver {

StageRun runStage(llvm::StringRef exe, const std::vector<std::string> &args) {
  std::vector<llvm::StringRef> argv = {exe};
  for (const auto &a : args) argv.push_back(a);
  StageRun run;
  auto start = std::chrono::steady_clock::now();
  bool failedToExecute = false;
  run.exitCode = llvm::sys::ExecuteAndWait(exe, argv, /*Env=*/llvm::None, /*Redirects=*/{},
                                           /*SecondsToWait=*/0, /*MemoryLimit=*/0, &run.error,
                                           &failedToExecute);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failedToExecute && run.exitCode >= 0) run.exitCode = -1;
  return run;
}

}  // namespace pfcomp::driver
