// Turning the options schema into CLI11 flags, and CLI11 parsing into coded errors. The stages
// (parseStageArgs) and the driver share it.
#pragma once

#include "compiler/options/resolve.h"

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace pfcomp::options {

// Where CLI11 stores the raw compile-option words until they are resolved.
struct CommandLineValues {
  std::map<std::string, std::vector<std::string>> values;  // option name -> values given
  std::string optionJson;
  OptionSources sources() const;  // in schema order; environment read from this process
};

// Adds --option_json and every schema option (as "--name", taking one value per use).
void addCompileOptions(CLI::App &app, CommandLineValues &values);

// Footer listing the CODEGEN_* variables, for --help.
std::string environmentHelp();

enum class ParseResult { Parsed, HelpShown };

// Parses argv; prints help to stdout on --help. Unknown options are UnknownOption, other
// command-line mistakes BadOptionValue.
llvm::Expected<ParseResult> parseCommandLine(CLI::App &app, int argc, char **argv);

}  // namespace pfcomp::options
