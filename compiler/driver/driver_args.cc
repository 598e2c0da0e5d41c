#include "compiler/driver/driver_args.h"

#include "compiler/driver/stage_table.h"
#include "compiler/options/command_line.h"
#include "support/error.h"

namespace pfcomp::driver {

llvm::Expected<std::optional<DriverRequest>> parseDriverArgs(int argc, char **argv) {
  std::string stages;
  for (const auto &s : stageTable()) stages += (stages.empty() ? "" : ", ") + s.name;
  CLI::App app("pfcomp: compiles an ONNX model into a codegen_dir by running the stages " +
                   stages + ".",
               "pfcomp");
  DriverRequest request;
  std::string stopAfter, startFrom;
  options::CommandLineValues values;
  app.add_option("model", request.model, "ONNX model (optional with --start-from)");
  app.add_option("-o", request.output, "codegen_dir to create or replace")->required();
  app.add_option("--stop-after", stopAfter, "last phase to run (name or alias)");
  app.add_option("--start-from", startFrom,
                 "first phase to run, on the existing codegen_dir given by -o (its option.json "
                 "is reused unless --option_json is given; options given here still win)");
  bool noStageCache = false;
  app.add_flag("--no-stage-cache", noStageCache,
               "with cache_dir, cache only node costs: run every stage even when cache_dir has "
               "its files from an identical earlier run");
  options::addCompileOptions(app, values);
  auto parsed = options::parseCommandLine(app, argc, argv);
  if (!parsed) return parsed.takeError();
  if (*parsed == options::ParseResult::HelpShown) return std::nullopt;

  request.stopAfter = stageTable().size() - 1;
  if (!stopAfter.empty()) {
    auto index = findStage(stopAfter, "stop-after");
    if (!index) return index.takeError();
    request.stopAfter = *index;
  }
  if (!startFrom.empty()) {
    auto index = findStage(startFrom, "start-from");
    if (!index) return index.takeError();
    request.startFrom = *index;
    request.resume = true;
  }
  if (request.startFrom > request.stopAfter)
    return makeError(ErrorCode::BadOptionValue, "--start-from={0} comes after --stop-after={1}",
                     stageTable()[request.startFrom].name, stageTable()[request.stopAfter].name);
  if (request.model.empty() && !request.resume)
    return makeError(ErrorCode::ModelNotFound, "no model given (pfcomp MODEL.onnx -o DIR)");
  request.useStageCache = !noStageCache;
  request.sources = values.sources();
  for (int i = 0; i < argc; ++i) request.argv.push_back(argv[i]);
  request.argv0 = argc > 0 ? argv[0] : "pfcomp";
  return request;
}

}  // namespace pfcomp::driver
