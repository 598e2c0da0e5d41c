// Every preset resolves with today's built algorithms, and no two presets build the same thing.
#define CATCH_CONFIG_MAIN
#include "compiler/options/resolve.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace pfcomp::options;

TEST_CASE("presets resolve and differ from each other") {
  std::map<std::string, std::string> resolved;  // preset -> option.json without its name
  for (const char *name : {"O0", "O1", "O2", "O3", "O4", "debug"}) {
    OptionSources sources;
    sources.optionJsonPath = std::string("presets/") + name + ".json";
    auto options = resolveOptions(sources);
    if (!options) FAIL(name << ": " << llvm::toString(options.takeError()));
    CHECK(options->name == name);
    options->name.clear();
    std::string text = toOptionJson(*options);
    for (const auto &[other, otherText] : resolved) {
      INFO(name << " vs " << other);
      CHECK(text != otherText);
    }
    resolved[name] = text;
  }
}
