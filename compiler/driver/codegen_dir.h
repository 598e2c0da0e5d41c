// A codegen_dir is published whole or not at all: it is built in a temporary sibling
// (DIR.tmp-XXXXXX) that is renamed into place at the end, or removed on failure.
#pragma once

#include "llvm/Support/Error.h"

#include <string>

namespace pfcomp::driver {

class StagingDir {
 public:
  // Creates an empty sibling of `target` (made absolute).
  static llvm::Expected<StagingDir> create(llvm::StringRef target);
  StagingDir(StagingDir &&other);
  StagingDir &operator=(StagingDir &&) = delete;
  ~StagingDir();  // removes the staging dir unless published

  const std::string &path() const { return path_; }
  const std::string &target() const { return target_; }
  std::string file(llvm::StringRef name) const;

  // Replaces `target` by the staging dir: an existing target is renamed away first and deleted
  // only after the new one is in place (and put back if that fails).
  llvm::Error publish();

 private:
  StagingDir(std::string target, std::string path) : target_(target), path_(path) {}
  std::string target_, path_;
  bool published_ = false;
};

// Copies every file and folder under `from` into the existing directory `to`.
llvm::Error copyTree(llvm::StringRef from, llvm::StringRef to);

}  // namespace pfcomp::driver
