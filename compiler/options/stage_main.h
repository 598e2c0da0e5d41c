// What every stage executable's main does: parse the stage command line, set up its glog files,
// run, and print a failure once with the tool's name. Plus where a stage's extra outputs go.
#pragma once

#include "compiler/options/options.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace pfcomp::options {

// Returns the process exit code. `logName` names the glog files (codegen.<logName>.*).
int runStageMain(const char *tool, const char *logName, const char *help, int argc, char **argv,
                 llvm::function_ref<llvm::Error(const StageInvocation &)> run);

// A file named `name` in the folder of the stage's output file `output`.
std::string besideOutput(llvm::StringRef output, llvm::StringRef name);

}  // namespace pfcomp::options
