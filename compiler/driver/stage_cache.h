// The stage cache (`cache_dir`/stages): a stage's output files are a pure function of its input
// file, option.json, the hardware descriptor and the stage executable itself (stage files are
// byte-identical across compiles, tests/driver/option_json_roundtrip.test), so a compile that
// finds an entry for that key links the stored files into the codegen_dir instead of running
// the stage. Entries are written to a temp directory and renamed, so concurrent compiles share
// one cache; stored files are read-only and are hard-linked (copied across file systems).
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::driver {

// Size and modification time of each file under a directory (top level and one folder deep),
// to find the files a stage wrote.
using DirSnapshot = std::map<std::string, std::pair<uint64_t, int64_t>>;
DirSnapshot snapshotDir(llvm::StringRef dir);
// Relative paths that are new or changed in `after`.
std::vector<std::string> changedFiles(const DirSnapshot &before, const DirSnapshot &after);

class StageCache {
 public:
  // An empty `cacheDir` disables the cache (every lookup misses, stores do nothing).
  explicit StageCache(std::string cacheDir) : dir_(std::move(cacheDir)) {}
  bool enabled() const { return !dir_.empty(); }

  // Key of one stage run: 16 hex digits over the stage name, the tool version and the bytes of
  // the stage executable, its input file, option.json and every file in `extraInputs`.
  llvm::Expected<std::string> key(llvm::StringRef stage, llvm::StringRef executable,
                                  llvm::StringRef inputFile, llvm::StringRef optionJson,
                                  const std::vector<std::string> &extraInputs) const;

  // Links the entry's files into `codegenDir`; false when there is no entry.
  llvm::Expected<bool> restore(llvm::StringRef stage, llvm::StringRef key,
                               llvm::StringRef codegenDir) const;
  // Stores `files` (relative to `codegenDir`) as the entry for `key`.
  llvm::Error store(llvm::StringRef stage, llvm::StringRef key, llvm::StringRef codegenDir,
                    const std::vector<std::string> &files) const;

 private:
  std::string entryDir(llvm::StringRef stage, llvm::StringRef key) const;
  std::string dir_;
};

}  // namespace pfcomp::driver
