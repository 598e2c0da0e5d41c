#define CATCH_CONFIG_MAIN
#include "compiler/options/resolve.h"

#include "compiler/options/test_util.h"

#include <catch2/catch.hpp>

using namespace pfcomp::options;
using pfcomp::options::testing::errorText;
using pfcomp::options::testing::succeeded;
using pfcomp::options::testing::writeTempJson;

TEST_CASE("defaults resolve to the documented values") {
  auto options = resolveOptions({});
  REQUIRE(succeeded(options));
  CHECK(options->float_dtype == "float");
  CHECK(options->layout_planner == "lpz");
  CHECK(options->scheduler == "always_from_dram");
  CHECK(options->simulation_mode == "auto");
  CHECK(options->sram_budget == 1.0);
  CHECK(options->sa_expected_run_iters == 1000);
  CHECK(options->codegen_env.size() == 7);
  CHECK(options->codegen_env.at("CODEGEN_USE_MERGE") == "0");
}

TEST_CASE("command line wins over option_json args; file args apply in order") {
  std::string path = writeTempJson(
      R"({"envs": {}, "args": ["--float_dtype=half", "--float_dtype", "mixed", "--sram_budget=0.5"],
          "name": "O1"})");
  OptionSources sources;
  sources.optionJsonPath = path;
  auto fileOnly = resolveOptions(sources);
  REQUIRE(succeeded(fileOnly));
  CHECK(fileOnly->float_dtype == "mixed");
  CHECK(fileOnly->sram_budget == 0.5);
  CHECK(fileOnly->name == "O1");

  sources.commandLine = {{"float_dtype", "float"}};
  auto both = resolveOptions(sources);
  REQUIRE(succeeded(both));
  CHECK(both->float_dtype == "float");
  CHECK(both->sram_budget == 0.5);
}

TEST_CASE("input_shape: command line replaces the same name, keeps others") {
  std::string path =
      writeTempJson(R"({"args": ["--input_shape=x=1x3x224x224", "--input_shape=y=2"]})");
  OptionSources sources;
  sources.optionJsonPath = path;
  sources.commandLine = {{"input_shape", "y=4x5"}, {"input_shape", "z=7"}};
  auto options = resolveOptions(sources);
  REQUIRE(succeeded(options));
  REQUIRE(options->input_shapes.size() == 3);
  CHECK(options->input_shapes[0].second == std::vector<int64_t>{1, 3, 224, 224});
  CHECK(options->input_shapes[1].second == std::vector<int64_t>{4, 5});
  CHECK(options->input_shapes[2].first == "z");
}

TEST_CASE("option_json inside args is ignored") {
  std::string path = writeTempJson(R"({"args": ["--option_json=/nonexistent.json", "--sram_budget=0.25"]})");
  OptionSources sources;
  sources.optionJsonPath = path;
  auto options = resolveOptions(sources);
  REQUIRE(succeeded(options));
  CHECK(options->sram_budget == 0.25);
}

TEST_CASE("env: the environment wins over option_json envs") {
  std::string path = writeTempJson(
      R"({"envs": {"CODEGEN_USE_MERGE": "0", "CODEGEN_SCHEDULE_PP_BEAM_WIDTH": 1}})");
  OptionSources sources;
  sources.optionJsonPath = path;
  auto options = resolveOptions(sources);
  REQUIRE(succeeded(options));
  CHECK(options->codegen_env.at("CODEGEN_SCHEDULE_PP_BEAM_WIDTH") == "1");

  // The file turns L1Merge on, the environment turns it off again.
  std::string path2 = writeTempJson(R"({"envs": {"CODEGEN_USE_MERGE": "1"}})");
  sources.optionJsonPath = path2;
  auto merged = resolveOptions(sources);
  REQUIRE(succeeded(merged));
  CHECK(merged->codegen_env.at("CODEGEN_USE_MERGE") == "1");
  sources.environment = {{"CODEGEN_USE_MERGE", "0"}};
  auto plain = resolveOptions(sources);
  REQUIRE(succeeded(plain));
  CHECK(plain->codegen_env.at("CODEGEN_USE_MERGE") == "0");
}

TEST_CASE("errors carry codes and name what is wrong") {
  OptionSources sources;
  sources.commandLine = {{"float_dtype", "quad"}};
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E202]") && Catch::Contains("quad") &&
                 Catch::Contains("--float_dtype") && Catch::Contains("mixed|half|float|double"));

  for (const char *planner : {"lpz", "bidi", "legacy"}) {
    sources.commandLine = {{"layout_planner", planner}};
    CHECK(succeeded(resolveOptions(sources)));
  }
  for (const char *scheduler : {"always_from_dram", "reuse_consecutive", "spill_opt", "auto_recompute_sa"}) {
    sources.commandLine = {{"scheduler", scheduler}};
    CHECK(succeeded(resolveOptions(sources)));
  }
  for (const char *mode : {"fake", "fast", "default", "best", "full", "auto"}) {
    sources.commandLine = {{"simulation_mode", mode}};
    CHECK(succeeded(resolveOptions(sources)));
  }

  for (const char *bad : {"0", "1.5", "-1", "abc", "", "nan"}) {
    sources.commandLine = {{"sram_budget", bad}};
    CHECK_THAT(errorText(resolveOptions(sources)),
               Catch::Contains("[E202]") && Catch::Contains("sram_budget"));
  }
  sources.commandLine = {{"sram_budget", "1"}};
  CHECK(succeeded(resolveOptions(sources)));
  sources.commandLine = {{"sa_expected_run_iters", "0"}};
  CHECK_THAT(errorText(resolveOptions(sources)), Catch::Contains("[E202]"));

  for (const char *bad : {"x", "x=", "=1x2", "x=1x0", "x=1xx2", "x=-1", "x=1x2.5", "x=a"}) {
    sources.commandLine = {{"input_shape", bad}};
    CHECK_THAT(errorText(resolveOptions(sources)),
               Catch::Contains("[E202]") && Catch::Contains("input_shape"));
  }

  sources.commandLine = {};
  sources.environment = {{"CODEGEN_NO_SUCH_THING", "1"}};
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E201]") && Catch::Contains("CODEGEN_NO_SUCH_THING"));
  sources.environment = {{"CODEGEN_USE_MERGE", "2"}};
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E202]") && Catch::Contains("CODEGEN_USE_MERGE"));
  sources.environment = {{"CODEGEN_SCHEDULE_PP_BEAM_WIDTH", "four"}};
  CHECK_THAT(errorText(resolveOptions(sources)), Catch::Contains("[E202]"));
  sources.environment = {{"CODEGEN_USE_PARALLEL_MERGE", "1"}};
  auto parallel = resolveOptions(sources);
  REQUIRE(succeeded(parallel));
  CHECK(parallel->codegen_env.at("CODEGEN_USE_PARALLEL_MERGE") == "1");
  // Beam reordering is built: any width, and -1 (unbounded) turns but nothing below.
  sources.environment = {{"CODEGEN_SCHEDULE_PP_BEAM_WIDTH", "4"}, {"CODEGEN_SCHEDULE_PP_BEAM_MAX_TURN", "-1"}};
  CHECK(succeeded(resolveOptions(sources)));
  sources.environment = {{"CODEGEN_SCHEDULE_PP_BEAM_MAX_TURN", "-2"}};
  CHECK_THAT(errorText(resolveOptions(sources)), Catch::Contains("[E202]") && Catch::Contains(">= -1"));
  sources.environment = {{"CODEGEN_SCHEDULE_PP_BEAM_WIDTH", "-1"}};
  CHECK_THAT(errorText(resolveOptions(sources)), Catch::Contains("[E202]"));
  sources.environment = {{"PATH", "/bin"}};
  CHECK(succeeded(resolveOptions(sources)));
}

TEST_CASE("option_json errors name the file") {
  OptionSources sources;
  sources.optionJsonPath = "/nonexistent/dir/o.json";
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E203]") && Catch::Contains("/nonexistent/dir/o.json"));

  std::string notJson = writeTempJson("{\"args\": [");
  sources.optionJsonPath = notJson;
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E203]") && Catch::Contains(notJson) && Catch::Contains("not valid JSON"));

  std::string wrongShape = writeTempJson(R"({"args": "--float_dtype=half"})");
  sources.optionJsonPath = wrongShape;
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E203]") && Catch::Contains("\"args\" must be an array"));

  std::string unknownKey = writeTempJson(R"({"argz": []})");
  sources.optionJsonPath = unknownKey;
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E203]") && Catch::Contains("argz"));

  std::string unknownArg = writeTempJson(R"({"args": ["--float_type=half"]})");
  sources.optionJsonPath = unknownArg;
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E201]") && Catch::Contains("--float_type") &&
                 Catch::Contains(unknownArg));

  std::string badValue = writeTempJson(R"({"args": ["--float_dtype=quad"]})");
  sources.optionJsonPath = badValue;
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E202]") && Catch::Contains(badValue));

  std::string unknownEnv = writeTempJson(R"({"envs": {"CODEGEN_FOO": "1"}})");
  sources.optionJsonPath = unknownEnv;
  CHECK_THAT(errorText(resolveOptions(sources)),
             Catch::Contains("[E201]") && Catch::Contains("CODEGEN_FOO") &&
                 Catch::Contains(unknownEnv));

  std::string described = writeTempJson(R"({"name": "x", "description": "why", "args": []})");
  sources.optionJsonPath = described;
  CHECK(succeeded(resolveOptions(sources)));
}

TEST_CASE("toOptionJson round-trips every option") {
  OptionSources sources;
  sources.commandLine = {{"float_dtype", "double"},      {"simulation_mode", "fake"},
                         {"sram_budget", "0.1"},         {"sa_expected_run_iters", "77"},
                         {"out_onnx", "/tmp/a b.onnx"},  {"cache_dir", "/tmp/cache"},
                         {"hardware", "hw.json"},        {"input_shape", "in:0=1x2x3"},
                         {"input_shape", "mask=8"}};
  sources.environment = {{"CODEGEN_SCHEDULE_PP_BEAM_WIDTH", "1"}};
  auto options = resolveOptions(sources);
  REQUIRE(succeeded(options));
  std::string text = toOptionJson(*options);
  CHECK(text == toOptionJson(*options));

  OptionSources back;
  back.optionJsonPath = writeTempJson(text);
  auto again = resolveOptions(back);
  REQUIRE(succeeded(again));
  CHECK(*again == *options);
  CHECK(toOptionJson(*again) == text);
  CHECK_THAT(text, Catch::Contains("\"--sram_budget=0.1\"") &&
                       Catch::Contains("\"--input_shape=in:0=1x2x3\""));
}

TEST_CASE("splitArgs accepts --k=v and --k v") {
  auto args = splitArgs({"--float_dtype", "half", "--sram_budget=0.5"}, "");
  REQUIRE(succeeded(args));
  REQUIRE(args->size() == 2);
  CHECK((*args)[0].value == "half");
  CHECK_THAT(errorText(splitArgs({"--float_dtype"}, "f.json")), Catch::Contains("needs a value"));
  CHECK_THAT(errorText(splitArgs({"half"}, "f.json")), Catch::Contains("[E201]"));
}
