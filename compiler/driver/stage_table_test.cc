#define CATCH_CONFIG_MAIN
#include "compiler/driver/stage_table.h"

#include <catch2/catch.hpp>

using namespace pfcomp::driver;

TEST_CASE("the stage table chains each phase's output into the next phase's input") {
  const auto &table = stageTable();
  REQUIRE(table.size() == 5);
  CHECK(table.front().inputFile == "model.onnx");
  CHECK(table.back().outputFile == "program.gpfnapp");
  for (size_t i = 1; i < table.size(); ++i) CHECK(table[i].inputFile == table[i - 1].outputFile);
  CHECK(stageProducing("mngraph.layout.pb") == 1);
  CHECK(stageProducing("model.onnx") == -1);
}

TEST_CASE("stages are found by name and alias") {
  const std::vector<std::pair<std::string, size_t>> names = {
      {"onnx-import", 0}, {"import", 0}, {"layout-plan", 1}, {"layout", 1}, {"simulate", 2},
      {"sim", 2},         {"schedule", 3}, {"sched", 3},     {"emit", 4}};
  for (const auto &[name, index] : names) {
    auto found = findStage(name, "stop-after");
    REQUIRE(bool(found));
    CHECK(*found == index);
  }
  auto bad = findStage("link", "start-from");
  REQUIRE(!bool(bad));
  std::string message = llvm::toString(bad.takeError());
  CHECK_THAT(message, Catch::Contains("[E202]") && Catch::Contains("--start-from") &&
                          Catch::Contains("link") && Catch::Contains("layout-plan|layout"));
}
