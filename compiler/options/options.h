// Compile options: the resolved settings every stage and the driver agree on.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pfcomp::options {

struct CompileOptions {
  std::string float_dtype = "float";           // mixed|half|float|double
  std::string layout_planner = "lpz";          // lpz|bidi|legacy
  std::string scheduler = "always_from_dram";  // always_from_dram|reuse_consecutive|spill_opt|auto_recompute_sa
  std::string simulation_mode = "auto";        // auto|default|fast|best|full|fake
  double sram_budget = 1.0;                    // fraction of LM the scheduler may use, (0, 1]
  int64_t sa_expected_run_iters = 1000;        // runs the SA scheduler optimises for, >= 1
  std::string out_onnx;                        // "" = do not write
  std::string cache_dir;                       // "" = no cache
  std::string hardware;                        // hardware descriptor JSON path, "" = built-in
  // --input_shape=NAME=AxBxC (repeatable); first-given order, a later NAME replaces an earlier one.
  std::vector<std::pair<std::string, std::vector<int64_t>>> input_shapes;
  // --constant_input=NAME=FILE.pb (repeatable): graph input NAME becomes a constant holding the
  // serialized onnx TensorProto in FILE (an absolute path once resolved); first-given order, a
  // later NAME replaces an earlier one.
  std::vector<std::pair<std::string, std::string>> constant_inputs;
  // Every recognised CODEGEN_* variable with its resolved value (defaults included).
  std::map<std::string, std::string> codegen_env;
  std::string name;  // preset / option_json name, "" = none

  bool operator==(const CompileOptions &o) const;
  bool operator!=(const CompileOptions &o) const { return !(*this == o); }
};

struct StageInvocation {
  std::string input, output, log_dir;
  CompileOptions options;
};

// For the five stage executables: positional INPUT, -o OUTPUT, --log_dir, and every compile
// option (including --option_json=FILE). Prints --help (with `help` as description) and exits 0
// on --help. CODEGEN_* variables are read from the process environment.
llvm::Expected<StageInvocation> parseStageArgs(llvm::StringRef tool, llvm::StringRef help, int argc,
                                               char **argv);

// option.json text ({"envs": {...}, "args": ["--k=v", ...], "name": ...}) listing every resolved
// option, deterministic (sorted envs, fixed arg order); passing it back reproduces the compile.
std::string toOptionJson(const CompileOptions &options);

}  // namespace pfcomp::options
