// Merging the option sources (defaults, option_json, environment, command line) into one
// CompileOptions, with the MLSDK precedence.
#pragma once

#include "compiler/options/options.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::options {

// One "--name=value" setting.
struct OptionArg {
  std::string name;  // without "--"
  std::string value;
};

struct OptionSources {
  std::vector<OptionArg> commandLine;               // in the order given; wins over option_json
  std::string optionJsonPath;                       // "" = none
  std::map<std::string, std::string> environment;  // the process's CODEGEN_* variables
};

// Splits command-line words ("--k=v" or "--k" "v") into settings. UnknownOption for a name not in
// the schema, naming `where` when it is not empty; "--option_json" settings are dropped.
llvm::Expected<std::vector<OptionArg>> splitArgs(const std::vector<std::string> &words,
                                                 llvm::StringRef where);

// Defaults, then the option_json args in order, then the command line; CODEGEN_* variables come
// from the environment, else the option_json envs, else their defaults. Refuses unbuilt algorithms.
llvm::Expected<CompileOptions> resolveOptions(const OptionSources &sources);

// The CODEGEN_* variables of this process.
std::map<std::string, std::string> codegenEnvironment();

}  // namespace pfcomp::options
