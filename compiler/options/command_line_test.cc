#define CATCH_CONFIG_MAIN
#include "compiler/options/command_line.h"

#include "compiler/options/test_util.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace pfcomp::options;
using pfcomp::options::testing::errorText;
using pfcomp::options::testing::succeeded;
using pfcomp::options::testing::writeTempJson;

namespace {

llvm::Expected<StageInvocation> parse(std::vector<std::string> words) {
  words.insert(words.begin(), "stage");
  std::vector<char *> argv;
  for (auto &w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  return parseStageArgs("stage", "a test stage", static_cast<int>(words.size()), argv.data());
}

}  // namespace

TEST_CASE("stage args: positional input, -o, --log_dir and both option spellings") {
  unsetenv("CODEGEN_USE_MERGE");
  auto inv = parse({"in.pb", "-o", "out.pb", "--log_dir", "logs", "--float_dtype", "half",
                    "--sram_budget=0.5", "--input_shape", "x=1x2", "--input_shape=y=3"});
  REQUIRE(succeeded(inv));
  CHECK(inv->input == "in.pb");
  CHECK(inv->output == "out.pb");
  CHECK(inv->log_dir == "logs");
  CHECK(inv->options.float_dtype == "half");
  CHECK(inv->options.sram_budget == 0.5);
  CHECK(inv->options.input_shapes.size() == 2);
}

TEST_CASE("stage args: a positional after an option given as --k v") {
  auto inv = parse({"--float_dtype", "double", "--input_shape", "x=3", "in.pb", "-o", "out.pb"});
  REQUIRE(succeeded(inv));
  CHECK(inv->input == "in.pb");
  CHECK(inv->options.float_dtype == "double");
  CHECK(inv->options.input_shapes.size() == 1);
}

TEST_CASE("stage args: --option_json then a command-line override") {
  std::string path = writeTempJson(R"({"args": ["--float_dtype=half", "--sa_expected_run_iters=5"],
                                       "name": "O1"})");
  auto inv = parse({"--option_json=" + path, "--float_dtype=float", "in.pb", "-o", "out.pb"});
  REQUIRE(succeeded(inv));
  CHECK(inv->options.float_dtype == "float");
  CHECK(inv->options.sa_expected_run_iters == 5);
  CHECK(inv->options.name == "O1");
}

TEST_CASE("stage args: errors") {
  CHECK_THAT(errorText(parse({"in.pb", "-o", "out.pb", "--no_such_option=1"})),
             Catch::Contains("[E201]") && Catch::Contains("--no_such_option"));
  CHECK_THAT(errorText(parse({"in.pb", "-o", "out.pb", "--scheduler", "bogus"})),
             Catch::Contains("[E202]") && Catch::Contains("bogus"));
  CHECK_THAT(errorText(parse({"in.pb"})), Catch::Contains("[E202]"));
  setenv("CODEGEN_USE_MERGE", "2", 1);
  CHECK_THAT(errorText(parse({"in.pb", "-o", "out.pb"})), Catch::Contains("[E202]"));
  unsetenv("CODEGEN_USE_MERGE");
}

TEST_CASE("stage args: CODEGEN_USE_MERGE reaches the stage") {
  setenv("CODEGEN_USE_MERGE", "1", 1);
  auto inv = parse({"in.pb", "-o", "out.pb"});
  unsetenv("CODEGEN_USE_MERGE");
  REQUIRE(static_cast<bool>(inv));
  CHECK(inv->options.codegen_env.at("CODEGEN_USE_MERGE") == "1");
}

TEST_CASE("help lists every option, its allowed values and the environment") {
  CLI::App app("desc", "tool");
  CommandLineValues values;
  addCompileOptions(app, values);
  std::string help = app.help();
  CHECK_THAT(help, Catch::Contains("--layout_planner") && Catch::Contains("lpz|bidi|legacy") &&
                       Catch::Contains("--option_json") && Catch::Contains("CODEGEN_USE_MERGE"));
}
