#include "compiler/driver/report.h"

#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

namespace pfcomp::driver {

const std::vector<std::string> &perfStatsKeys() {
  static const std::vector<std::string> keys = {
      "hardware",          "flops",      "layers",  "perf_stats", "predicted_cycles",
      "predicted_time_us", "dram_bytes", "host_ops"};
  return keys;
}

llvm::Expected<nlohmann::ordered_json> buildReport(const ReportInputs &inputs) {
  nlohmann::ordered_json report;
  report["schema_version"] = kReportSchemaVersion;
  report["tool_version"] = kToolVersion;
  report["argv"] = inputs.argv;
  report["input"] = {{"path", inputs.inputPath}, {"sha256", inputs.inputSha256}};
  auto options = nlohmann::ordered_json::parse(inputs.optionJson, nullptr, false);
  if (options.is_discarded() || !options.is_object())
    return makeError(ErrorCode::StageFileCorrupt, "option.json is not a JSON object");
  report["options"] = options;
  nlohmann::ordered_json statuses = nlohmann::ordered_json::array();
  for (const auto &s : inputs.statuses)
    statuses.push_back(
        {{"phase", s.phase}, {"ok", s.ok}, {"seconds", s.seconds}, {"cached", s.cached}});
  report["compile_statuses"] = statuses;
  if (inputs.perfStats) {
    for (const auto &key : perfStatsKeys()) {
      if (!inputs.perfStats->contains(key))
        return makeError(ErrorCode::StageFileCorrupt, "perf_stats.json has no \"{0}\"", key);
      report[key] = (*inputs.perfStats)[key];
    }
    // Optional statistics newer emitters add.
    for (const char *key : {"roofline", "instructions", "lm_bytes_per_pe", "dram_traffic_bytes", "l1_merges"})
      if (inputs.perfStats->contains(key)) report[key] = (*inputs.perfStats)[key];
  }
  return report;
}

llvm::Expected<std::string> sha256OfFile(llvm::StringRef path) {
  auto text = readWholeFile(path);
  if (!text) return text.takeError();
  auto digest = llvm::SHA256::hash(llvm::arrayRefFromStringRef(*text));
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest.data(), digest.size()), /*LowerCase=*/true);
}

llvm::Expected<nlohmann::ordered_json> readPerfStats(llvm::StringRef path) {
  auto text = readWholeFile(path);
  if (!text) {
    llvm::consumeError(text.takeError());
    return makeError(ErrorCode::StageFileCorrupt, "emit did not write {0}", path);
  }
  auto doc = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return makeError(ErrorCode::StageFileCorrupt, "{0} is not a JSON object", path);
  return doc;
}

}  // namespace pfcomp::driver
