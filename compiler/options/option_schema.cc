#include "compiler/options/option_schema.h"

#include "support/error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pfcomp::options {
namespace {

std::string joinBar(const std::vector<std::string> &values) { return llvm::join(values, "|"); }

llvm::Error badValue(llvm::StringRef option, llvm::StringRef value, llvm::StringRef allowed) {
  return makeError(ErrorCode::BadOptionValue, "bad value '{0}' for --{1}; allowed: {2}", value,
                   option, allowed);
}

OptionSpec choice(std::string name, std::string CompileOptions::*field,
                  std::vector<std::string> choices, std::vector<std::string> built,
                  std::string help) {
  OptionSpec spec;
  spec.name = name;
  spec.kind = ValueKind::Choice;
  spec.choices = choices;
  spec.built = built;
  spec.allowed = joinBar(choices);
  spec.help = std::move(help);
  spec.apply = [name, choices, field](CompileOptions &o, llvm::StringRef v) -> llvm::Error {
    if (!llvm::is_contained(choices, v.str())) return badValue(name, v, joinBar(choices));
    o.*field = v.str();
    return llvm::Error::success();
  };
  spec.render = [field](const CompileOptions &o) { return std::vector<std::string>{o.*field}; };
  return spec;
}

OptionSpec path(std::string name, std::string CompileOptions::*field, std::string help) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.kind = ValueKind::Path;
  spec.allowed = "a path, or empty";
  spec.help = std::move(help);
  spec.apply = [field](CompileOptions &o, llvm::StringRef v) {
    o.*field = v.str();
    return llvm::Error::success();
  };
  spec.render = [field](const CompileOptions &o) { return std::vector<std::string>{o.*field}; };
  return spec;
}

std::vector<OptionSpec> buildSchema() {
  std::vector<OptionSpec> schema;
  schema.push_back(choice("float_dtype", &CompileOptions::float_dtype,
                          {"mixed", "half", "float", "double"},
                          {"mixed", "half", "float", "double"},
                          "element type of float tensors on the device"));
  schema.push_back(choice("layout_planner", &CompileOptions::layout_planner,
                          {"lpz", "bidi", "legacy"}, {"lpz", "bidi", "legacy"},
                          "algorithm choosing tensor layouts (lpz: spread over PEs keeping the inner axis; "
                          "bidi: forward/backward passes trading each node's simulated cycles against "
                          "DRAM round trips its neighbours' tilings save; legacy: first tiling that fits)"));
  schema.push_back(choice("scheduler", &CompileOptions::scheduler,
                          {"always_from_dram", "reuse_consecutive", "spill_opt", "auto_recompute_sa"},
                          {"always_from_dram", "reuse_consecutive", "spill_opt", "auto_recompute_sa"},
                          "algorithm ordering nodes and choosing LM/DRAM residency"));
  schema.push_back(choice("simulation_mode", &CompileOptions::simulation_mode,
                          {"auto", "default", "fast", "best", "full", "fake"}, {"auto", "default", "fast", "best", "full", "fake"},
                          "how node costs are simulated"));

  OptionSpec sram;
  sram.name = "sram_budget";
  sram.kind = ValueKind::Real;
  sram.allowed = "a number in (0, 1]";
  sram.help = "fraction of LM the scheduler may fill";
  sram.apply = [](CompileOptions &o, llvm::StringRef v) -> llvm::Error {
    std::string text = v.str();
    char *end = nullptr;
    errno = 0;
    double d = text.empty() ? NAN : std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(d) || d <= 0 || d > 1)
      return badValue("sram_budget", v, "a number in (0, 1]");
    o.sram_budget = d;
    return llvm::Error::success();
  };
  sram.render = [](const CompileOptions &o) {
    return std::vector<std::string>{formatReal(o.sram_budget)};
  };
  schema.push_back(sram);

  OptionSpec iters;
  iters.name = "sa_expected_run_iters";
  iters.kind = ValueKind::Integer;
  iters.allowed = "an integer >= 1";
  iters.help = "how many times the program is expected to run (SA scheduler's trade-off)";
  iters.apply = [](CompileOptions &o, llvm::StringRef v) -> llvm::Error {
    int64_t n = 0;
    if (v.getAsInteger(10, n) || n < 1)
      return badValue("sa_expected_run_iters", v, "an integer >= 1");
    o.sa_expected_run_iters = n;
    return llvm::Error::success();
  };
  iters.render = [](const CompileOptions &o) {
    return std::vector<std::string>{std::to_string(o.sa_expected_run_iters)};
  };
  schema.push_back(iters);

  schema.push_back(path("out_onnx", &CompileOptions::out_onnx,
                        "write the optimized ONNX model here (\"\" = do not write)"));
  schema.push_back(path("cache_dir", &CompileOptions::cache_dir,
                        "node simulation cache directory (\"\" = no cache)"));
  schema.push_back(path("hardware", &CompileOptions::hardware,
                        "hardware descriptor JSON (\"\" = built-in MN-Core 2)"));

  OptionSpec shape;
  shape.name = "input_shape";
  shape.kind = ValueKind::InputShape;
  shape.allowed = "NAME=AxBxC with positive integers";
  shape.help = "fix the shape of a model input (repeatable)";
  shape.repeatable = true;
  shape.apply = [](CompileOptions &o, llvm::StringRef v) -> llvm::Error {
    std::string name;
    std::vector<int64_t> dims;
    if (auto err = parseInputShape(v, name, dims)) return err;
    for (auto &entry : o.input_shapes) {
      if (entry.first == name) {
        entry.second = dims;
        return llvm::Error::success();
      }
    }
    o.input_shapes.emplace_back(name, dims);
    return llvm::Error::success();
  };
  shape.render = [](const CompileOptions &o) {
    std::vector<std::string> out;
    for (const auto &[name, dims] : o.input_shapes) {
      std::vector<std::string> parts;
      for (int64_t d : dims) parts.push_back(std::to_string(d));
      out.push_back(name + "=" + llvm::join(parts, "x"));
    }
    return out;
  };
  schema.push_back(shape);

  // Specialises the model to one value of a graph input (as onnx-mlir's backend runner does for
  // operands like Reshape's shape): onnx-import checks the file, the driver only carries the path.
  OptionSpec frozen;
  frozen.name = "constant_input";
  frozen.kind = ValueKind::ConstantInput;
  frozen.allowed = "NAME=FILE.pb (FILE a serialized onnx TensorProto)";
  frozen.help = "compile graph input NAME as a constant with the value in FILE (repeatable)";
  frozen.repeatable = true;
  frozen.apply = [](CompileOptions &o, llvm::StringRef v) -> llvm::Error {
    auto [name, file] = v.split('=');
    if (!v.contains('=') || name.empty() || file.empty())
      return badValue("constant_input", v, "NAME=FILE.pb (FILE a serialized onnx TensorProto)");
    // Absolute, so option.json reproduces the compile from any working directory.
    llvm::SmallString<256> path(file);
    llvm::sys::fs::make_absolute(path);
    for (auto &entry : o.constant_inputs) {
      if (entry.first == name) {
        entry.second = std::string(path.str());
        return llvm::Error::success();
      }
    }
    o.constant_inputs.emplace_back(name.str(), std::string(path.str()));
    return llvm::Error::success();
  };
  frozen.render = [](const CompileOptions &o) {
    std::vector<std::string> out;
    for (const auto &[name, file] : o.constant_inputs) out.push_back(name + "=" + file);
    return out;
  };
  schema.push_back(frozen);
  return schema;
}

std::vector<EnvSpec> buildEnvSchema() {
  std::vector<EnvSpec> envs = {
      {"CODEGEN_FIND_BEST_COMPILE_OPTIONS", EnvKind::Flag, "0",
       "search every compile option for the fastest program", true},
      {"CODEGEN_FIND_BETTER_COMPILE_OPTIONS", EnvKind::Flag, "0",
       "search a few compile options for a faster program", true},
      {"CODEGEN_SCHEDULE_PP_BEAM_MAX_TURN", EnvKind::Turns, "0",
       "turns of beam-search node reordering in spill_opt / auto_recompute_sa (0 = none, -1 = "
       "unbounded)", true},
      {"CODEGEN_SCHEDULE_PP_BEAM_WIDTH", EnvKind::Count, "1",
       "partial orders the beam keeps per turn (0 or 1 = greedy)", true},
      {"CODEGEN_SCHEDULE_PP_TURN_PRUNE_LIMIT", EnvKind::Count, "0",
       "ready nodes scored per partial order and beam turn (0 = all)", true},
      {"CODEGEN_USE_MERGE", EnvKind::Flag, "0",
       "L1Merge: values passed from one scheduling unit to the next stay in the L1B memories "
       "where the readers' windows lie under the same L1Bs", true},
      {"CODEGEN_USE_PARALLEL_MERGE", EnvKind::Flag, "0",
       "L1Merge with its candidates costed on a thread pool and combined in O(log N) rounds (the "
       "same merges; implies CODEGEN_USE_MERGE)", true},
  };
  std::sort(envs.begin(), envs.end(),
            [](const EnvSpec &a, const EnvSpec &b) { return a.name < b.name; });
  return envs;
}

}  // namespace

const std::vector<OptionSpec> &compileOptionSchema() {
  static const std::vector<OptionSpec> schema = buildSchema();
  return schema;
}

const OptionSpec *findOption(llvm::StringRef name) {
  for (const auto &spec : compileOptionSchema())
    if (spec.name == name) return &spec;
  return nullptr;
}

const std::vector<EnvSpec> &codegenEnvSchema() {
  static const std::vector<EnvSpec> envs = buildEnvSchema();
  return envs;
}

const EnvSpec *findEnv(llvm::StringRef name) {
  for (const auto &spec : codegenEnvSchema())
    if (spec.name == name) return &spec;
  return nullptr;
}

llvm::Error validateEnvValue(const EnvSpec &spec, llvm::StringRef value) {
  int64_t n = 0;
  const int64_t least = spec.kind == EnvKind::Turns ? -1 : 0;
  bool ok = !value.getAsInteger(10, n) && n >= least && (spec.kind != EnvKind::Flag || n <= 1);
  if (ok) return llvm::Error::success();
  return makeError(ErrorCode::BadOptionValue, "bad value '{0}' for {1}; allowed: {2}", value,
                   spec.name,
                   spec.kind == EnvKind::Flag    ? "0|1"
                   : spec.kind == EnvKind::Turns ? "an integer >= -1 (-1 = unbounded)"
                                                 : "an integer >= 0");
}

llvm::Error checkBuilt(const CompileOptions &options) {
  for (const auto &spec : compileOptionSchema()) {
    if (spec.kind != ValueKind::Choice) continue;
    std::string value = spec.render(options).front();
    if (!llvm::is_contained(spec.built, value))
      return makeError(ErrorCode::NotImplementedOption, "--{0}={1} is not built yet; available: {2}",
                       spec.name, value, joinBar(spec.built));
  }
  for (const auto &spec : codegenEnvSchema()) {
    auto it = options.codegen_env.find(spec.name);
    if (spec.built || it == options.codegen_env.end()) continue;
    int64_t given = 0, dflt = 0;
    llvm::StringRef(it->second).getAsInteger(10, given);
    llvm::StringRef(spec.defaultValue).getAsInteger(10, dflt);
    if (given != dflt)
      return makeError(ErrorCode::NotImplementedOption, "{0}={1} is not built yet; available: {2}",
                       spec.name, it->second, spec.defaultValue);
  }
  return llvm::Error::success();
}

std::string optionHelpText(const OptionSpec &spec) {
  std::string allowed = spec.allowed;
  if (spec.kind == ValueKind::Choice) {
    std::vector<std::string> marked;
    for (const auto &c : spec.choices)
      marked.push_back(llvm::is_contained(spec.built, c) ? c : c + "(not built yet)");
    allowed = joinBar(marked);
  }
  CompileOptions defaults;
  std::vector<std::string> dflt = spec.render(defaults);
  std::string text = spec.help + "; allowed: " + allowed;
  if (!spec.repeatable) text += "; default: " + (dflt.front().empty() ? "\"\"" : dflt.front());
  return text;
}

std::string envHelpText(const EnvSpec &spec) {
  return spec.name + ": " + spec.help + "; allowed: " +
         (spec.kind == EnvKind::Flag ? "0|1" : "an integer >= 0") +
         "; default: " + spec.defaultValue + (spec.built ? "" : " (other values not built yet)");
}

llvm::Error parseInputShape(llvm::StringRef text, std::string &name, std::vector<int64_t> &dims) {
  auto bad = [&] { return badValue("input_shape", text, "NAME=AxBxC with positive integers"); };
  size_t eq = text.rfind('=');
  if (eq == llvm::StringRef::npos || eq == 0 || eq + 1 == text.size()) return bad();
  name = text.take_front(eq).str();
  llvm::SmallVector<llvm::StringRef, 8> parts;
  text.drop_front(eq + 1).split(parts, 'x');
  dims.clear();
  for (llvm::StringRef part : parts) {
    int64_t d = 0;
    if (part.empty() || !llvm::all_of(part, llvm::isDigit) || part.getAsInteger(10, d) || d < 1)
      return bad();
    dims.push_back(d);
  }
  return llvm::Error::success();
}

std::string formatReal(double value) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

}  // namespace pfcomp::options
