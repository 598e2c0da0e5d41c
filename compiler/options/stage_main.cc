#include "compiler/options/stage_main.h"

#include "support/error.h"
#include "support/stage_log.h"

#include "llvm/Support/Path.h"

namespace pfcomp::options {

int runStageMain(const char *tool, const char *logName, const char *help, int argc, char **argv,
                 llvm::function_ref<llvm::Error(const StageInvocation &)> run) {
  auto inv = parseStageArgs(tool, help, argc, argv);
  if (!inv) return reportErrorAndExit(tool, inv.takeError());
  initStageLog(argv[0], inv->log_dir, logName);
  if (auto err = run(*inv)) return reportErrorAndExit(tool, std::move(err));
  return 0;
}

std::string besideOutput(llvm::StringRef output, llvm::StringRef name) {
  llvm::SmallString<256> p(output);
  llvm::sys::path::remove_filename(p);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

}  // namespace pfcomp::options
