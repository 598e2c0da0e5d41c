// report.json: the versioned summary of one compile (argv, input hash, options, phase statuses,
// and emit's perf stats when emit ran).
#pragma once

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <optional>
#include "support/version.h"

#include <string>
#include <vector>

namespace pfcomp::driver {

inline constexpr int kReportSchemaVersion = 1;

struct PhaseStatus {
  std::string phase;
  bool ok = false;
  double seconds = 0;  // wall time of the stage process
  bool cached = false;  // taken from the stage cache (cache_dir/stages) instead of run
};

struct ReportInputs {
  std::vector<std::string> argv;
  std::string inputPath;
  std::string inputSha256;            // lowercase hex
  std::string optionJson;             // option.json text
  std::vector<PhaseStatus> statuses;  // phases run, in order
  std::optional<nlohmann::ordered_json> perfStats;  // emit's perf_stats.json, when emit ran
};

// The keys merged from perf_stats.json into report.json, in report order.
const std::vector<std::string> &perfStatsKeys();

// StageFileCorrupt when the option.json text or perf stats are not what they should be.
llvm::Expected<nlohmann::ordered_json> buildReport(const ReportInputs &inputs);

// Lowercase hex SHA-256 of a file's contents; Io error naming the file.
llvm::Expected<std::string> sha256OfFile(llvm::StringRef path);

// Parses perf_stats.json; StageFileCorrupt naming the file when it is missing or malformed.
llvm::Expected<nlohmann::ordered_json> readPerfStats(llvm::StringRef path);

}  // namespace pfcomp::driver
