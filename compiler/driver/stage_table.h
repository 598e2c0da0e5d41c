// The one table of compile phases: names, executables and the codegen_dir files between them.
// --stop-after / --start-from, the [k/5] progress lines and report.json's statuses all read it.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace pfcomp::driver {

struct Stage {
  std::string name;        // phase name = executable name, e.g. "layout-plan"
  std::string alias;       // short name accepted by --stop-after/--start-from, e.g. "layout"
  std::string package;     // Bazel package under compiler/, e.g. "layout"
  std::string inputFile;   // read from the codegen_dir
  std::string outputFile;  // written to the codegen_dir
  std::vector<std::string> extraOutputs;  // also written next to outputFile
};

// In execution order.
const std::vector<Stage> &stageTable();

// Index of the stage named `name` (phase name or alias); BadOptionValue naming the choices.
llvm::Expected<size_t> findStage(llvm::StringRef name, llvm::StringRef option);

// Index of the stage whose output is `file`, or -1.
int stageProducing(llvm::StringRef file);

}  // namespace pfcomp::driver
