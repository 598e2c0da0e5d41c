#include "compiler/options/resolve.h"

#include "compiler/options/option_json.h"
#include "compiler/options/option_schema.h"
#include "support/error.h"

extern char **environ;

namespace pfcomp::options {
namespace {

std::string inFile(llvm::StringRef where) {
  return where.empty() ? std::string() : " in " + where.str();
}

llvm::Error applyArg(CompileOptions &options, const OptionArg &arg, llvm::StringRef where) {
  const OptionSpec *spec = findOption(arg.name);
  if (!spec)
    return makeError(ErrorCode::UnknownOption, "unknown option '--{0}'{1}", arg.name,
                     inFile(where));
  if (auto err = spec->apply(options, arg.value)) {
    if (where.empty()) return err;
    std::string message = llvm::toString(std::move(err));
    // Keep the code prefix and say which file the value came from.
    return llvm::make_error<llvm::StringError>(message + " (" + where.str() + ")",
                                               llvm::inconvertibleErrorCode());
  }
  return llvm::Error::success();
}

}  // namespace

llvm::Expected<std::vector<OptionArg>> splitArgs(const std::vector<std::string> &words,
                                                 llvm::StringRef where) {
  std::vector<OptionArg> out;
  for (size_t i = 0; i < words.size(); ++i) {
    llvm::StringRef word = words[i];
    if (!word.startswith("--"))
      return makeError(ErrorCode::UnknownOption, "unexpected argument '{0}'{1}", word,
                       inFile(where));
    llvm::StringRef body = word.drop_front(2);
    auto [name, value] = body.split('=');
    bool hasValue = body.contains('=');
    bool isOptionJson = name == "option_json";
    if (!isOptionJson && !findOption(name))
      return makeError(ErrorCode::UnknownOption, "unknown option '--{0}'{1}", name, inFile(where));
    std::string text = value.str();
    if (!hasValue) {
      if (i + 1 >= words.size())
        return makeError(ErrorCode::BadOptionValue, "option '--{0}' needs a value{1}", name,
                         inFile(where));
      text = words[++i];
    }
    if (!isOptionJson) out.push_back({name.str(), text});
  }
  return out;
}

llvm::Expected<CompileOptions> resolveOptions(const OptionSources &sources) {
  CompileOptions options;
  OptionFile file;
  if (!sources.optionJsonPath.empty()) {
    auto read = readOptionFile(sources.optionJsonPath);
    if (!read) return read.takeError();
    file = std::move(*read);
    auto fileArgs = splitArgs(file.args, file.path);
    if (!fileArgs) return fileArgs.takeError();
    for (const auto &arg : *fileArgs)
      if (auto err = applyArg(options, arg, file.path)) return std::move(err);
    options.name = file.name;
  }
  for (const auto &arg : sources.commandLine)
    if (auto err = applyArg(options, arg, "")) return std::move(err);

  for (const auto &[var, value] : file.envs)
    if (!findEnv(var))
      return makeError(ErrorCode::UnknownOption, "unknown variable {0} in envs of {1}", var,
                       file.path);
  for (const auto &[var, value] : sources.environment)
    if (llvm::StringRef(var).startswith("CODEGEN_") && !findEnv(var))
      return makeError(ErrorCode::UnknownOption, "unknown environment variable {0}", var);
  for (const auto &spec : codegenEnvSchema()) {
    std::string value = spec.defaultValue;
    std::string where = "default";
    if (auto it = sources.environment.find(spec.name); it != sources.environment.end()) {
      value = it->second;
      where = "environment";
    } else if (auto it = file.envs.find(spec.name); it != file.envs.end()) {
      value = it->second;
      where = file.path;
    }
    if (auto err = validateEnvValue(spec, value)) {
      std::string message = llvm::toString(std::move(err));
      return llvm::make_error<llvm::StringError>(message + " (" + where + ")",
                                                 llvm::inconvertibleErrorCode());
    }
    options.codegen_env[spec.name] = value;
  }
  if (auto err = checkBuilt(options)) return std::move(err);
  return options;
}

std::map<std::string, std::string> codegenEnvironment() {
  std::map<std::string, std::string> env;
  for (char **entry = environ; entry && *entry; ++entry) {
    auto [name, value] = llvm::StringRef(*entry).split('=');
    if (name.startswith("CODEGEN_")) env[name.str()] = value.str();
  }
  return env;
}

bool CompileOptions::operator==(const CompileOptions &o) const {
  return float_dtype == o.float_dtype && layout_planner == o.layout_planner &&
         scheduler == o.scheduler && simulation_mode == o.simulation_mode &&
         sram_budget == o.sram_budget && sa_expected_run_iters == o.sa_expected_run_iters &&
         out_onnx == o.out_onnx && cache_dir == o.cache_dir && hardware == o.hardware &&
         input_shapes == o.input_shapes && constant_inputs == o.constant_inputs &&
         codegen_env == o.codegen_env && name == o.name;
}

}  // namespace pfcomp::options
