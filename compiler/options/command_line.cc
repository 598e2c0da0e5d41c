#include "compiler/options/command_line.h"

#include "compiler/options/option_schema.h"
#include "support/error.h"

#include "llvm/Support/raw_ostream.h"

namespace pfcomp::options {

OptionSources CommandLineValues::sources() const {
  OptionSources sources;
  for (const auto &spec : compileOptionSchema()) {
    auto it = values.find(spec.name);
    if (it == values.end()) continue;
    for (const auto &value : it->second) sources.commandLine.push_back({spec.name, value});
  }
  sources.optionJsonPath = optionJson;
  sources.environment = codegenEnvironment();
  return sources;
}

namespace {

const char *typeName(ValueKind kind) {
  switch (kind) {
    case ValueKind::Choice: return "NAME";
    case ValueKind::Real: return "NUMBER";
    case ValueKind::Integer: return "INT";
    case ValueKind::Path: return "PATH";
    case ValueKind::InputShape: return "NAME=AxB";
    case ValueKind::ConstantInput: return "NAME=FILE.pb";
  }
  return "VALUE";
}

}  // namespace

void addCompileOptions(CLI::App &app, CommandLineValues &values) {
  app.add_option("--option_json", values.optionJson,
                 "option_json file {\"envs\", \"args\", \"name\"}; options given here win over its args");
  for (const auto &spec : compileOptionSchema()) {
    std::vector<std::string> &slot = values.values[spec.name];
    app.add_option("--" + spec.name, slot, optionHelpText(spec))
        ->type_name(typeName(spec.kind))
        ->type_size(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }
  app.footer(environmentHelp());
}

std::string environmentHelp() {
  std::string text = "Environment (CODEGEN_*; the environment wins over option_json envs):\n";
  for (const auto &spec : codegenEnvSchema()) text += "  " + envHelpText(spec) + "\n";
  return text;
}

llvm::Expected<ParseResult> parseCommandLine(CLI::App &app, int argc, char **argv) {
  app.allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    llvm::outs() << app.help();
    llvm::outs().flush();
    return ParseResult::HelpShown;
  } catch (const CLI::ParseError &e) {
    return makeError(ErrorCode::BadOptionValue, "{0}", e.what());
  }
  for (const auto &extra : app.remaining()) {
    if (llvm::StringRef(extra).startswith("-")) {
      std::string name = llvm::StringRef(extra).split('=').first.str();
      return makeError(ErrorCode::UnknownOption, "unknown option '{0}'", name);
    }
  }
  if (!app.remaining().empty())
    return makeError(ErrorCode::UnknownOption, "unexpected argument '{0}'", app.remaining().front());
  return ParseResult::Parsed;
}

llvm::Expected<StageInvocation> parseStageArgs(llvm::StringRef tool, llvm::StringRef help, int argc,
                                               char **argv) {
  CLI::App app(help.str(), tool.str());
  StageInvocation invocation;
  CommandLineValues values;
  app.add_option("input", invocation.input, "input file")->required();
  app.add_option("-o", invocation.output, "output file")->required();
  app.add_option("--log_dir", invocation.log_dir, "glog directory (\"\" = stderr only)");
  addCompileOptions(app, values);
  auto parsed = parseCommandLine(app, argc, argv);
  if (!parsed) return parsed.takeError();
  if (*parsed == ParseResult::HelpShown) std::exit(0);
  auto options = resolveOptions(values.sources());
  if (!options) return options.takeError();
  invocation.options = std::move(*options);
  return invocation;
}

}  // namespace pfcomp::options
