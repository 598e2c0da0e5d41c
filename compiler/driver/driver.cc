#include "compiler/driver/driver.h"

#include "compiler/driver/codegen_dir.h"
#include "compiler/driver/option_search.h"
#include "compiler/driver/report.h"
#include "compiler/driver/stage_cache.h"
#include "compiler/driver/stage_locator.h"
#include "compiler/driver/stage_runner.h"
#include "compiler/driver/stage_table.h"
#include "compiler/onnx/external_data.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <chrono>

namespace pfcomp::driver {
namespace fs = llvm::sys::fs;

namespace {

std::string inDir(llvm::StringRef dir, llvm::StringRef name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p.str());
}

// --start-from needs the codegen_dir and the file the first phase reads.
llvm::Error checkResumable(const DriverRequest &request) {
  if (!fs::is_directory(request.output))
    return makeError(ErrorCode::StageFileMissing,
                     "codegen_dir {0} does not exist; --start-from works on an earlier compile's "
                     "codegen_dir",
                     request.output);
  const Stage &first = stageTable()[request.startFrom];
  if (request.startFrom == 0 && !request.model.empty()) return llvm::Error::success();
  std::string needed = inDir(request.output, first.inputFile);
  if (fs::exists(needed)) return llvm::Error::success();
  int maker = stageProducing(first.inputFile);
  std::string madeBy = maker < 0 ? std::string("pfcomp (a copy of the model)")
                                 : "phase '" + stageTable()[maker].name + "'";
  return makeError(ErrorCode::StageFileMissing, "{0} is missing; it is made by {1}", needed,
                   madeBy);
}

// Outputs of the phases about to run are removed from the staging copy, so nothing stale from
// an earlier compile survives next to the new files.
void removeStaleOutputs(const StagingDir &staging, size_t from) {
  const auto &table = stageTable();
  for (size_t i = from; i < table.size(); ++i) {
    fs::remove(staging.file(table[i].outputFile));
    for (const auto &extra : table[i].extraOutputs) fs::remove(staging.file(extra));
  }
  fs::remove(staging.file(kReportJson));
}

// One phase: from the stage cache when it has the entry, else by running the stage process
// (and storing what it wrote). Errors are the cache's own I/O failures.
llvm::Expected<StageRun> runOrRestoreStage(const Stage &stage, const std::string &executable,
                                           const std::string &input, const std::string &output,
                                           const std::string &optionPath, const std::string &logDir,
                                           const StagingDir &staging, const StageCache &cache,
                                           const std::vector<std::string> &extraInputs) {
  auto start = std::chrono::steady_clock::now();
  std::string key;
  if (cache.enabled()) {
    auto optionJson = readWholeFile(optionPath);
    if (!optionJson) return optionJson.takeError();
    auto k = cache.key(stage.name, executable, input, *optionJson, extraInputs);
    if (!k) return k.takeError();
    key = *k;
    auto restored = cache.restore(stage.name, key, staging.path());
    if (!restored) return restored.takeError();
    if (*restored) {
      StageRun run;
      run.cached = true;
      run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return run;
    }
  }
  DirSnapshot before = cache.enabled() ? snapshotDir(staging.path()) : DirSnapshot();
  StageRun run = runStage(executable, {input, "-o", output, "--option_json=" + optionPath,
                                       "--log_dir=" + logDir});
  if (run.exitCode == 0 && cache.enabled())
    if (auto err = cache.store(stage.name, key, staging.path(),
                               changedFiles(before, snapshotDir(staging.path()))))
      return std::move(err);
  return run;
}

// The compile summary names every op that runs on the host and what it costs the timeline.
void printHostOps(const nlohmann::ordered_json &perf, llvm::raw_ostream &progress) {
  if (!perf.contains("host_ops") || !perf["host_ops"].is_array() || perf["host_ops"].empty()) return;
  const auto &ops = perf["host_ops"];
  int64_t bytes = 0;
  double us = 0;
  std::string names;
  for (const auto &o : ops) {
    bytes += o.value("link_bytes", int64_t{0});
    us += o.value("time_us", 0.0);
    names += (names.empty() ? "" : ", ") + o.value("name", std::string()) + " (" + o.value("op", std::string()) + ")";
  }
  progress << "host ops: " << ops.size() << " on the host: " << names << "; "
           << bytes << " bytes over the host link, " << llvm::format("%.3f", us) << " us in all\n";
}

}  // namespace

llvm::Error compile(const DriverRequest &request, llvm::raw_ostream &progress) {
  const auto &table = stageTable();
  // 1. Validate everything before writing anything.
  if (request.resume)
    if (auto err = checkResumable(request)) return err;
  if (!request.model.empty() && !fs::is_regular_file(request.model))
    return makeError(ErrorCode::ModelNotFound, "model file {0} not found", request.model);
  options::OptionSources sources = request.sources;
  std::string previousOptions = inDir(request.output, kOptionJson);
  if (request.resume && sources.optionJsonPath.empty() && fs::exists(previousOptions))
    sources.optionJsonPath = previousOptions;
  auto options = options::resolveOptions(sources);
  if (!options) return options.takeError();
  auto candidates = searchCandidates(*options);
  if (!candidates.empty() && !request.resume && request.stopAfter == table.size() - 1)
    return compileWithOptionSearch(request, *options, candidates, progress);
  std::vector<std::string> executables(table.size());
  for (size_t i = request.startFrom; i <= request.stopAfter; ++i) {
    auto exe = locateStage(table[i], request.argv0.c_str());
    if (!exe) return exe.takeError();
    executables[i] = *exe;
  }

  // 2. Stage the codegen_dir.
  auto staging = StagingDir::create(request.output);
  if (!staging) return staging.takeError();
  if (request.resume) {
    if (auto err = copyTree(request.output, staging->path())) return err;
    removeStaleOutputs(*staging, request.startFrom);
  }
  std::string modelCopy = staging->file("model.onnx");
  bool modelHasExternalData = false;
  if (!request.model.empty()) {
    fs::remove(modelCopy);
    // Self-contained: tensors kept in files beside the model are read into the copy, so the
    // stages and the stage cache's key see every byte the model needs.
    auto rewritten = onnx_util::copyModelSelfContained(request.model, modelCopy);
    if (!rewritten) return rewritten.takeError();
    modelHasExternalData = *rewritten;
  }
  std::string optionJson = options::toOptionJson(*options);
  std::string optionPath = staging->file(kOptionJson);
  if (auto err = writeFileAtomically(optionPath, optionJson)) return err;
  std::string logDir = staging->file(kLogDir);
  if (auto ec = fs::create_directories(logDir))
    return makeError(ErrorCode::Io, "cannot create {0}: {1}", logDir, ec.message());

  // 3. Run the phases (or take their files from the stage cache).
  StageCache stageCache(request.useStageCache ? options->cache_dir : "");
  std::vector<std::string> extraInputs;
  // Files options name: their bytes are inputs of the stages as much as the model's.
  if (!options->hardware.empty()) extraInputs.push_back(options->hardware);
  for (const auto &entry : options->constant_inputs) extraInputs.push_back(entry.second);
  ReportInputs report;
  for (size_t i = request.startFrom; i <= request.stopAfter; ++i) {
    const Stage &stage = table[i];
    std::string output = staging->file(stage.outputFile);
    // The import reads the user's own file, so its errors name the path the user gave.
    std::string input = i == 0 && !request.model.empty() ? request.model : staging->file(stage.inputFile);
    // The import's key covers the weights kept beside the model: the self-contained copy.
    std::vector<std::string> keyInputs = extraInputs;
    if (i == 0 && modelHasExternalData) keyInputs.push_back(modelCopy);
    auto ran = runOrRestoreStage(stage, executables[i], input, output, optionPath, logDir,
                                 *staging, stageCache, keyInputs);
    progress << "[" << i + 1 << "/" << table.size() << "] " << stage.name << " ... ";
    if (!ran) {
      progress << "FAILED\n";
      progress.flush();
      return ran.takeError();
    }
    StageRun &run = *ran;
    if (run.exitCode != 0) {
      progress << "FAILED\n";
      progress.flush();
      std::string why = run.exitCode == -1 && !run.error.empty()
                            ? run.error
                            : "exit code " + std::to_string(run.exitCode);
      return makeError(ErrorCode::StageFailed, "phase '{0}' failed ({1}); {2} left unchanged",
                       stage.name, why, request.output);
    }
    progress << llvm::format("%.2f", run.seconds) << " s" << (run.cached ? " (cached)" : "") << "\n";
    progress.flush();
    if (!fs::exists(output))
      return makeError(ErrorCode::StageFileMissing, "phase '{0}' succeeded but did not write {1}",
                       stage.name, stage.outputFile);
    report.statuses.push_back({stage.name, true, run.seconds, run.cached});
  }

  // 4. report.json, then publish.
  report.argv = request.argv;
  llvm::SmallString<256> inputPath(request.model.empty() ? inDir(request.output, "model.onnx")
                                                         : request.model);
  fs::make_absolute(inputPath);
  report.inputPath = std::string(inputPath.str());
  if (fs::exists(modelCopy)) {
    auto sha = sha256OfFile(modelCopy);
    if (!sha) return sha.takeError();
    report.inputSha256 = *sha;
  }
  report.optionJson = optionJson;
  if (request.stopAfter == table.size() - 1) {
    auto perf = readPerfStats(staging->file("perf_stats.json"));
    if (!perf) return perf.takeError();
    report.perfStats = std::move(*perf);
    printHostOps(*report.perfStats, progress);
  }
  auto json = buildReport(report);
  if (!json) return json.takeError();
  if (auto err = writeFileAtomically(staging->file(kReportJson), json->dump(2) + "\n")) return err;
  return staging->publish();
}

}  // namespace pfcomp::driver
