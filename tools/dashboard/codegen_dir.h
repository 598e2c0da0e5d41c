// A codegen_dir seen by the dashboard: validated at start, files resolved safely inside it,
// *.zst files read decompressed (or raw on request).
#pragma once

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pfcomp::dashboard {

// One served file: its name as the pages use it (".zst" stripped) and how it is stored.
struct DirFile {
  std::string name;    // relative path, '/'-separated, e.g. "glog/codegen.emit.INFO..."
  std::string stored;  // relative path on disk (name or name + ".zst")
  bool zst = false;
  uint64_t bytes = 0;  // size on disk
};

// Why a request path could not be served.
enum class Refusal { None, Forbidden, NotFound };

class CodegenDir {
public:
  // Checks that `path` is a directory holding a readable, valid report.json (or
  // report.json.zst): E601 no such directory, E602 no report.json, E603 not valid JSON.
  static llvm::Expected<CodegenDir> open(const std::string &path);

  const std::string &path() const { return root_; }
  const nlohmann::json &report() const { return report_; }

  // Every regular file inside the directory (recursively, symlinks leaving it skipped),
  // sorted by name.
  std::vector<DirFile> files() const;

  // Maps a request path (already URL-decoded) to a stored file inside the directory.
  // Refuses "..", ".", empty segments, backslashes, NULs and absolute paths (Forbidden) and
  // anything whose real path leaves the directory (Forbidden); a name that does not exist,
  // with or without ".zst", is NotFound.
  Refusal resolve(const std::string &request, DirFile &out) const;

  // Reads a resolved file: decompressed when it is stored as *.zst, unless `raw`.
  llvm::Expected<std::string> read(const DirFile &file, bool raw) const;

private:
  std::string root_;  // real path, no trailing '/'
  nlohmann::json report_;
};

// Reads a whole file, decompressing it with libzstd when `path` ends in ".zst".
llvm::Expected<std::string> readMaybeZst(const std::string &path);

}  // namespace pfcomp::dashboard
