#define CATCH_CONFIG_MAIN
#include "compiler/driver/report.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <catch2/catch.hpp>

using namespace pfcomp::driver;

namespace {

ReportInputs sampleInputs() {
  ReportInputs in;
  in.argv = {"pfcomp", "m.onnx", "-o", "out"};
  in.inputPath = "m.onnx";
  in.inputSha256 = "00ff";
  in.optionJson = R"({"envs": {}, "args": ["--float_dtype=float"], "name": ""})";
  in.statuses = {{"onnx-import", true, 0.5}, {"layout-plan", true, 0.25}};
  return in;
}

}  // namespace

TEST_CASE("report without emit has no perf keys and lists the phases run") {
  auto report = buildReport(sampleInputs());
  REQUIRE(bool(report));
  CHECK((*report)["schema_version"] == 1);
  CHECK((*report)["tool_version"] == pfcomp::kToolVersion);
  CHECK((*report)["argv"].size() == 4);
  CHECK((*report)["input"]["sha256"] == "00ff");
  CHECK((*report)["options"]["args"][0] == "--float_dtype=float");
  REQUIRE((*report)["compile_statuses"].size() == 2);
  CHECK((*report)["compile_statuses"][1]["phase"] == "layout-plan");
  CHECK((*report)["compile_statuses"][1]["ok"] == true);
  CHECK((*report)["compile_statuses"][1]["seconds"] == 0.25);
  for (const auto &key : perfStatsKeys()) CHECK(!report->contains(key));
}

TEST_CASE("report merges emit's perf stats") {
  ReportInputs in = sampleInputs();
  in.perfStats = nlohmann::ordered_json::parse(R"({
    "hardware": {"name": "mn-core2", "clock_hz": 750000000}, "flops": 10,
    "predicted_cycles": 75, "predicted_time_us": 0.1, "dram_bytes": 64,
    "layers": [{"name": "n0", "op": "Relu"}],
    "perf_stats": {"ALL": {"cycles": 75, "time_us": 0.1, "count": 1}},
    "host_ops": [], "extra": 1})");
  auto report = buildReport(in);
  REQUIRE(bool(report));
  CHECK((*report)["hardware"]["name"] == "mn-core2");
  CHECK((*report)["perf_stats"]["ALL"]["count"] == 1);
  CHECK((*report)["predicted_cycles"] == 75);
  CHECK(!report->contains("extra"));

  in.perfStats->erase("flops");
  auto bad = buildReport(in);
  REQUIRE(!bool(bad));
  CHECK_THAT(llvm::toString(bad.takeError()),
             Catch::Contains("[E302]") && Catch::Contains("flops"));
}

TEST_CASE("sha256 of a file") {
  llvm::SmallString<128> path;
  int fd = -1;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("report_test", "bin", fd, path));
  {
    llvm::raw_fd_ostream out(fd, true);
    out << "abc";
  }
  auto sha = sha256OfFile(path);
  REQUIRE(bool(sha));
  CHECK(*sha == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto missing = sha256OfFile("/nonexistent/file");
  REQUIRE(!bool(missing));
  llvm::consumeError(missing.takeError());
}
