// glog set-up for a stage process: files glog/codegen.<stage>.<SEVERITY>.<time>.<pid> in a
// codegen_dir, errors also on stderr.
#pragma once

#include "llvm/ADT/StringRef.h"

namespace pfcomp {

// With a non-empty `logDir` (created if needed), every severity goes to files named
// "codegen.<stage>.<SEVERITY>...." there (no symlinks) and ERROR+ also to stderr. With an empty
// `logDir`, only WARNING+ is logged, to stderr. Safe to call more than once per process.
void initStageLog(const char *argv0, llvm::StringRef logDir, llvm::StringRef stage);

}  // namespace pfcomp
