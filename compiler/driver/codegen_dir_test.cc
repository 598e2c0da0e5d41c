#define CATCH_CONFIG_MAIN
#include "compiler/driver/codegen_dir.h"

#include "support/atomic_file.h"

#include "llvm/Support/FileSystem.h"

#include <catch2/catch.hpp>

using namespace pfcomp::driver;
namespace fs = llvm::sys::fs;

namespace {

std::string freshDir() {
  llvm::SmallString<128> dir;
  REQUIRE(!fs::createUniqueDirectory("codegen_dir_test", dir));
  return std::string(dir.str());
}

}  // namespace

TEST_CASE("an unpublished staging dir disappears") {
  std::string root = freshDir();
  std::string staged;
  {
    auto staging = StagingDir::create(root + "/out");
    REQUIRE(bool(staging));
    staged = staging->path();
    CHECK(llvm::StringRef(staged).startswith(root + "/out.tmp-"));
    REQUIRE(!pfcomp::writeFileAtomically(staging->file("a.txt"), "x"));
  }
  CHECK(!fs::exists(staged));
  CHECK(!fs::exists(root + "/out"));
}

TEST_CASE("publish replaces an existing codegen_dir and leaves no siblings") {
  std::string root = freshDir();
  REQUIRE(!fs::create_directories(root + "/out"));
  REQUIRE(!pfcomp::writeFileAtomically(root + "/out/old.txt", "old"));
  auto staging = StagingDir::create(root + "/out/");
  REQUIRE(bool(staging));
  REQUIRE(!copyTree(root + "/out", staging->path()));
  CHECK(fs::exists(staging->file("old.txt")));
  REQUIRE(!pfcomp::writeFileAtomically(staging->file("new.txt"), "new"));
  REQUIRE(!staging->publish());
  CHECK(fs::exists(root + "/out/new.txt"));
  CHECK(fs::exists(root + "/out/old.txt"));
  int entries = 0;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; it != end && !ec; it.increment(ec)) ++entries;
  CHECK(entries == 1);
}
