#include "compiler/driver/option_search.h"

#include "compiler/driver/codegen_dir.h"
#include "compiler/driver/driver.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>

extern char **environ;

namespace pfcomp::driver {
namespace fs = llvm::sys::fs;

namespace {

bool envOn(const options::CompileOptions &o, const char *name) {
  auto it = o.codegen_env.find(name);
  return it != o.codegen_env.end() && it->second == "1";
}

std::string inDir(llvm::StringRef dir, llvm::StringRef name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

struct Running {
  SearchCandidate candidate;
  std::string dir, log;
  llvm::sys::ProcessInfo process;
  std::chrono::steady_clock::time_point start;
  double seconds = 0;
  int exitCode = -1;
  int64_t cycles = -1;
};

}  // namespace

std::vector<SearchCandidate> searchCandidates(const options::CompileOptions &o) {
  if (envOn(o, "CODEGEN_FIND_BEST_COMPILE_OPTIONS")) {
    std::vector<SearchCandidate> all;
    for (const char *planner : {"lpz", "legacy"})
      for (const char *scheduler : {"auto_recompute_sa", "spill_opt", "reuse_consecutive", "always_from_dram"})
        for (const char *mode : {"fast", "default", "best"}) all.push_back({planner, scheduler, mode});
    return all;
  }
  if (envOn(o, "CODEGEN_FIND_BETTER_COMPILE_OPTIONS"))
    return {{o.layout_planner, o.scheduler, o.simulation_mode},
            {"lpz", "auto_recompute_sa", "default"},
            {"legacy", "auto_recompute_sa", "default"},
            {"lpz", "always_from_dram", "fast"}};
  return {};
}

llvm::Error compileWithOptionSearch(const DriverRequest &request, const options::CompileOptions &options,
                                    const std::vector<SearchCandidate> &candidates,
                                    llvm::raw_ostream &progress) {
  std::string self = fs::getMainExecutable(request.argv0.c_str(), reinterpret_cast<void *>(&compile));
  auto staging = StagingDir::create(request.output);
  if (!staging) return staging.takeError();
  // Each candidate is the resolved options with three of them replaced, and no search of its own.
  std::string base = staging->file("search_base_option.json");
  if (auto err = writeFileAtomically(base, options::toOptionJson(options))) return err;
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e) {
    llvm::StringRef kv(*e);
    if (!kv.startswith("CODEGEN_FIND_")) env.push_back(kv.str());
  }
  env.push_back("CODEGEN_FIND_BEST_COMPILE_OPTIONS=0");
  env.push_back("CODEGEN_FIND_BETTER_COMPILE_OPTIONS=0");
  std::vector<llvm::StringRef> envRefs(env.begin(), env.end());

  std::vector<Running> runs(candidates.size());
  const size_t parallel = 2;  // the machines have two cores
  size_t next = 0, done = 0;
  std::vector<size_t> active;
  auto launch = [&](size_t i) -> llvm::Error {
    Running &r = runs[i];
    r.candidate = candidates[i];
    r.dir = staging->file("candidate_" + std::to_string(i));
    r.log = r.dir + ".log";
    std::vector<std::string> args = {self, request.model.empty() ? inDir(request.output, "model.onnx") : request.model,
                                     "-o", r.dir, "--option_json=" + base,
                                     "--layout_planner=" + r.candidate.layout_planner,
                                     "--scheduler=" + r.candidate.scheduler,
                                     "--simulation_mode=" + r.candidate.simulation_mode};
    std::vector<llvm::StringRef> argv(args.begin(), args.end());
    llvm::Optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(r.log), llvm::StringRef(r.log)};
    std::string error;
    r.start = std::chrono::steady_clock::now();
    r.process = llvm::sys::ExecuteNoWait(self, argv, llvm::ArrayRef<llvm::StringRef>(envRefs), redirects, 0, &error);
    if (r.process.Pid == llvm::sys::ProcessInfo::InvalidPid)
      return makeError(ErrorCode::StageFailed, "cannot start candidate compile: {0}", error);
    active.push_back(i);
    return llvm::Error::success();
  };
  while (done < runs.size()) {
    while (active.size() < parallel && next < runs.size())
      if (auto err = launch(next++)) return err;
    size_t i = active.front();
    active.erase(active.begin());
    Running &r = runs[i];
    llvm::sys::ProcessInfo result = llvm::sys::Wait(r.process, 0, /*WaitUntilTerminates=*/true);
    r.exitCode = result.ReturnCode;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.start).count();
    if (r.exitCode == 0) {
      auto text = readWholeFile(inDir(r.dir, kReportJson));
      if (text) {
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (!j.is_discarded() && j.contains("predicted_cycles")) r.cycles = j["predicted_cycles"].get<int64_t>();
      } else {
        llvm::consumeError(text.takeError());
      }
    }
    ++done;
    progress << llvm::formatv("[search {0}/{1}] layout_planner={2} scheduler={3} simulation_mode={4} ... {5}\n",
                              done, runs.size(), r.candidate.layout_planner, r.candidate.scheduler,
                              r.candidate.simulation_mode,
                              r.cycles >= 0 ? llvm::formatv("{0} cycles, {1:f2} s", r.cycles, r.seconds).str()
                                            : std::string("FAILED"));
    progress.flush();
  }
  const Running *best = nullptr;
  for (const Running &r : runs)
    if (r.cycles >= 0 && (!best || r.cycles < best->cycles)) best = &r;
  if (!best)
    return makeError(ErrorCode::StageFailed, "every candidate of the option search failed; see {0}",
                     runs.front().log);
  // The winner's codegen_dir becomes the result, its report listing every candidate.
  nlohmann::json list = nlohmann::json::array();
  for (const Running &r : runs)
    list.push_back({{"layout_planner", r.candidate.layout_planner},
                    {"scheduler", r.candidate.scheduler},
                    {"simulation_mode", r.candidate.simulation_mode},
                    {"ok", r.cycles >= 0},
                    {"predicted_cycles", r.cycles},
                    {"compile_seconds", r.seconds},
                    {"chosen", &r == best}});
  auto text = readWholeFile(inDir(best->dir, kReportJson));
  if (!text) return text.takeError();
  nlohmann::ordered_json report = nlohmann::ordered_json::parse(*text);
  report["option_search"] = {{"mode", envOn(options, "CODEGEN_FIND_BEST_COMPILE_OPTIONS") ? "best" : "better"},
                             {"candidates", list}};
  if (auto err = writeFileAtomically(inDir(best->dir, kReportJson), report.dump(2) + "\n")) return err;
  progress << llvm::formatv("option search: kept layout_planner={0} scheduler={1} simulation_mode={2} ({3} cycles)\n",
                            best->candidate.layout_planner, best->candidate.scheduler,
                            best->candidate.simulation_mode, best->cycles);
  auto result = StagingDir::create(request.output);
  if (!result) return result.takeError();
  if (auto err = copyTree(best->dir, result->path())) return err;
  return result->publish();  // the candidates' scratch folder goes with `staging`
}

}  // namespace pfcomp::driver
