// The one table of compile options and CODEGEN_* variables: names, allowed values, help text and
// which algorithms are built. The CLI, option_json validation and --help all read it.
#pragma once

#include "compiler/options/options.h"

#include <functional>
#include <string>
#include <vector>

namespace pfcomp::options {

enum class ValueKind { Choice, Real, Integer, Path, InputShape, ConstantInput };

struct OptionSpec {
  std::string name;  // without the leading "--"
  ValueKind kind;
  std::vector<std::string> choices;  // Choice: every value the option names
  std::vector<std::string> built;    // Choice: the values whose algorithm is built
  std::string allowed;               // human-readable allowed values ("mixed|half|...", "(0, 1]")
  std::string help;
  bool repeatable = false;
  // Validates `value` (BadOptionValue) and stores it in the options.
  std::function<llvm::Error(CompileOptions &, llvm::StringRef value)> apply;
  // The option's values in option.json ("--name=" + each); empty = not listed.
  std::function<std::vector<std::string>(const CompileOptions &)> render;
};

// In the fixed order option.json lists them.
const std::vector<OptionSpec> &compileOptionSchema();
const OptionSpec *findOption(llvm::StringRef name);

enum class EnvKind { Flag, Count, Turns };  // Flag: 0|1; Count: integer >= 0; Turns: >= -1 (-1 = unbounded)

struct EnvSpec {
  std::string name;
  EnvKind kind;
  std::string defaultValue;
  std::string help;
  bool built = false;  // false: only the default value is accepted (NotImplementedOption)
};

// Sorted by name.
const std::vector<EnvSpec> &codegenEnvSchema();
const EnvSpec *findEnv(llvm::StringRef name);
// BadOptionValue for a value of the wrong form.
llvm::Error validateEnvValue(const EnvSpec &spec, llvm::StringRef value);

// NotImplementedOption for the first setting whose algorithm is not built yet.
llvm::Error checkBuilt(const CompileOptions &options);

// One help line: "text; allowed: a|b(not built yet)|c; default: x".
std::string optionHelpText(const OptionSpec &spec);
std::string envHelpText(const EnvSpec &spec);

// Parses "NAME=AxBxC" (positive dims) into a name and dims; BadOptionValue otherwise.
llvm::Error parseInputShape(llvm::StringRef text, std::string &name, std::vector<int64_t> &dims);

// The shortest text that reads back as exactly `value`.
std::string formatReal(double value);

}  // namespace pfcomp::options
