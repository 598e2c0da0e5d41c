// CodegenDir: start-up checks, safe path resolution and transparent .zst reading.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "tools/dashboard/codegen_dir.h"

#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace pfcomp::dashboard;
namespace fs = std::filesystem;

namespace {

fs::path makeTemp() {
  std::string tmpl = (fs::temp_directory_path() / "dashXXXXXX").string();
  return fs::path(::mkdtemp(tmpl.data()));
}

void write(const fs::path &p, const std::string &text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string zstd(const std::string &text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
  return out;
}

std::string errorText(llvm::Error e) { return llvm::toString(std::move(e)); }

}  // namespace

TEST_CASE("open checks the directory and its report.json") {
  fs::path root = makeTemp();
  CHECK(errorText(CodegenDir::open((root / "nope").string()).takeError()).find("[E601]") != std::string::npos);
  CHECK(errorText(CodegenDir::open(root.string()).takeError()).find("[E602]") != std::string::npos);
  write(root / "report.json", "{not json");
  CHECK(errorText(CodegenDir::open(root.string()).takeError()).find("[E603]") != std::string::npos);
  write(root / "report.json", "{\"tool_version\": \"x\"}");
  auto dir = CodegenDir::open(root.string());
  REQUIRE(bool(dir));
  CHECK(dir->report()["tool_version"] == "x");
  fs::remove_all(root);
}

TEST_CASE("report.json.zst is enough") {
  fs::path root = makeTemp();
  write(root / "report.json.zst", zstd("{\"flops\": 7}"));
  auto dir = CodegenDir::open(root.string());
  REQUIRE(bool(dir));
  CHECK(dir->report()["flops"] == 7);
  fs::remove_all(root);
}

TEST_CASE("resolve refuses paths that leave the directory") {
  fs::path root = makeTemp();
  fs::path outside = makeTemp();
  write(root / "report.json", "{}");
  write(root / "glog" / "codegen.emit.INFO", "I1 x\n");
  write(outside / "secret.txt", "secret");
  fs::create_symlink(outside / "secret.txt", root / "leak.txt");
  fs::create_symlink(outside, root / "leakdir");
  fs::create_symlink(root / "report.json", root / "alias.json");
  auto dir = CodegenDir::open(root.string());
  REQUIRE(bool(dir));
  DirFile f;
  CHECK(dir->resolve("report.json", f) == Refusal::None);
  CHECK(dir->resolve("glog/codegen.emit.INFO", f) == Refusal::None);
  CHECK(dir->resolve("alias.json", f) == Refusal::None);  // a link that stays inside
  for (const char *bad : {"../secret.txt", "glog/../report.json", "/etc/passwd", "./report.json",
                          "glog//codegen.emit.INFO", "glog\\..\\report.json", "leak.txt",
                          "leakdir/secret.txt", "", "glog/"})
    CHECK(dir->resolve(bad, f) == Refusal::Forbidden);
  CHECK(dir->resolve("missing.txt", f) == Refusal::NotFound);
  CHECK(dir->resolve("glog", f) == Refusal::NotFound);  // a directory is not a file
  // files() lists what can be served and skips the links that leave.
  std::vector<std::string> names;
  for (const DirFile &x : dir->files()) names.push_back(x.name);
  CHECK(names == std::vector<std::string>{"alias.json", "glog/codegen.emit.INFO", "report.json"});
  fs::remove_all(root);
  fs::remove_all(outside);
}

TEST_CASE("zst files read decompressed, or raw on request") {
  fs::path root = makeTemp();
  write(root / "report.json", "{}");
  std::string text = "line one\nline two\n";
  write(root / "l3ir.txt.zst", zstd(text));
  write(root / "bad.txt.zst", "not zstd at all");
  auto dir = CodegenDir::open(root.string());
  REQUIRE(bool(dir));
  DirFile f;
  REQUIRE(dir->resolve("l3ir.txt", f) == Refusal::None);  // the name without .zst
  CHECK(f.zst);
  CHECK(f.name == "l3ir.txt");
  CHECK(*dir->read(f, false) == text);
  CHECK(*dir->read(f, true) == zstd(text));
  REQUIRE(dir->resolve("l3ir.txt.zst", f) == Refusal::None);
  CHECK(*dir->read(f, false) == text);
  REQUIRE(dir->resolve("bad.txt", f) == Refusal::None);
  auto bad = dir->read(f, false);
  CHECK_FALSE(bool(bad));
  llvm::consumeError(bad.takeError());
  fs::remove_all(root);
}
