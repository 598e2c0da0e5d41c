// Finding the stage executables: $PFCOMP_STAGE_DIR, next to pfcomp (bin/ symlinks resolved), or
// the bazel-bin layout compiler/<package>/<name>.
#pragma once

#include "compiler/driver/stage_table.h"

#include <string>
#include <vector>

namespace pfcomp::driver {

// Directories and files to try for `stage`, in order. `argv0` is pfcomp's argv[0], `mainExe` the
// resolved path of the running executable, `stageDirOverride` $PFCOMP_STAGE_DIR ("" = unset; when
// set it is the only place looked at).
std::vector<std::string> stageCandidates(const Stage &stage, llvm::StringRef argv0,
                                         llvm::StringRef mainExe, llvm::StringRef stageDirOverride);

// The first executable candidate; StageFailed listing the places looked at when there is none.
llvm::Expected<std::string> locateStage(const Stage &stage, const char *argv0);

}  // namespace pfcomp::driver
