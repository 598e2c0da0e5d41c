#include "compiler/driver/stage_locator.h"

#include "support/error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

namespace pfcomp::driver {
namespace {

std::string join(llvm::StringRef a, llvm::StringRef b, llvm::StringRef c = "",
                 llvm::StringRef d = "") {
  llvm::SmallString<256> path(a);
  for (llvm::StringRef part : {b, c, d})
    if (!part.empty()) llvm::sys::path::append(path, part);
  return std::string(path.str());
}

void addAround(std::vector<std::string> &out, llvm::StringRef exePath, const Stage &stage) {
  if (exePath.empty()) return;
  llvm::StringRef dir = llvm::sys::path::parent_path(exePath);
  if (dir.empty()) dir = ".";
  out.push_back(join(dir, stage.name));
  // bazel-bin/compiler/driver/pfcomp -> bazel-bin/compiler/<package>/<name>
  out.push_back(join(llvm::sys::path::parent_path(dir), stage.package, stage.name));
  // <root>/bin/pfcomp -> <root>/bazel-bin/compiler/<package>/<name>
  llvm::StringRef root = llvm::sys::path::parent_path(dir);
  out.push_back(join(root.empty() ? "." : root, "bazel-bin", "compiler", stage.package) + "/" +
                stage.name);
}

}  // namespace

std::vector<std::string> stageCandidates(const Stage &stage, llvm::StringRef argv0,
                                         llvm::StringRef mainExe,
                                         llvm::StringRef stageDirOverride) {
  if (!stageDirOverride.empty()) return {join(stageDirOverride, stage.name)};
  std::vector<std::string> out;
  addAround(out, argv0, stage);  // unresolved: <root>/bin symlinks sit next to each other
  addAround(out, mainExe, stage);
  std::vector<std::string> unique;
  for (auto &c : out)
    if (!llvm::is_contained(unique, c)) unique.push_back(c);
  return unique;
}

llvm::Expected<std::string> locateStage(const Stage &stage, const char *argv0) {
  static int anchor;
  std::string mainExe = llvm::sys::fs::getMainExecutable(argv0, &anchor);
  std::string invoked = argv0 ? argv0 : "";
  if (!invoked.empty() && !llvm::StringRef(invoked).contains('/')) {
    if (auto found = llvm::sys::findProgramByName(invoked)) invoked = *found;
  }
  const char *override = std::getenv("PFCOMP_STAGE_DIR");
  auto candidates = stageCandidates(stage, invoked, mainExe, override ? override : "");
  for (const auto &c : candidates)
    if (llvm::sys::fs::can_execute(c) && !llvm::sys::fs::is_directory(c)) return c;
  return makeError(ErrorCode::StageFailed,
                   "cannot find the '{0}' executable (looked at: {1}); build //compiler/{2}:{0} "
                   "or set PFCOMP_STAGE_DIR",
                   stage.name, llvm::join(candidates, ", "), stage.package);
}

}  // namespace pfcomp::driver
