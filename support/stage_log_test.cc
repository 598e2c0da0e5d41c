#define CATCH_CONFIG_MAIN
#include "support/stage_log.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <catch2/catch.hpp>
#include <glog/logging.h>

#include <string>
#include <vector>

TEST_CASE("stage logs land in logDir as codegen.<stage>.* without symlinks") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("stage_log_test", dir));
  std::string logDir = std::string(dir.str()) + "/glog";
  pfcomp::initStageLog("stage_log_test", logDir, "simulate");
  LOG(INFO) << "hello from the test";
  LOG(WARNING) << "a warning";
  google::FlushLogFiles(google::GLOG_INFO);

  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(logDir, ec), end; it != end && !ec; it.increment(ec))
    names.push_back(std::string(llvm::sys::path::filename(it->path())));
  REQUIRE(!names.empty());
  bool sawInfo = false;
  for (const auto &name : names) {
    CHECK(llvm::StringRef(name).startswith("codegen.simulate."));
    sawInfo |= llvm::StringRef(name).startswith("codegen.simulate.INFO.");
    llvm::sys::fs::file_status st;
    REQUIRE(!llvm::sys::fs::status(logDir + "/" + name, st, /*follow=*/false));
    CHECK(st.type() == llvm::sys::fs::file_type::regular_file);
  }
  CHECK(sawInfo);
}
