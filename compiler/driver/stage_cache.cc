#include "compiler/driver/stage_cache.h"

#include "support/atomic_file.h"
#include "support/error.h"
#include "support/version.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

namespace pfcomp::driver {
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

constexpr const char *kManifest = "MANIFEST";

std::string joinPath(llvm::StringRef a, llvm::StringRef b) {
  llvm::SmallString<256> p(a);
  path::append(p, b);
  return std::string(p.str());
}

// Regular files directly under `dir`/`sub`, as paths relative to `dir`.
void listFiles(llvm::StringRef dir, llvm::StringRef sub, int depth, std::vector<std::string> &out) {
  std::error_code ec;
  std::string from = sub.empty() ? dir.str() : joinPath(dir, sub);
  for (fs::directory_iterator it(from, ec), end; it != end && !ec; it.increment(ec)) {
    std::string name = path::filename(it->path()).str();
    std::string rel = sub.empty() ? name : joinPath(sub, name);
    if (it->type() == fs::file_type::directory_file) {
      if (depth > 0) listFiles(dir, rel, depth - 1, out);
    } else {
      out.push_back(rel);
    }
  }
}

llvm::Error linkOrCopy(llvm::StringRef from, llvm::StringRef to) {
  fs::remove(to);
  if (!fs::create_hard_link(from, to)) return llvm::Error::success();
  if (auto ec = fs::copy_file(from, to))
    return makeError(ErrorCode::Io, "cannot copy {0} to {1}: {2}", from, to, ec.message());
  return llvm::Error::success();
}

}  // namespace

DirSnapshot snapshotDir(llvm::StringRef dir) {
  std::vector<std::string> files;
  listFiles(dir, "", 1, files);
  DirSnapshot snap;
  for (const auto &rel : files) {
    fs::file_status st;
    if (fs::status(joinPath(dir, rel), st)) continue;
    snap[rel] = {st.getSize(),
                 st.getLastModificationTime().time_since_epoch().count()};
  }
  return snap;
}

std::vector<std::string> changedFiles(const DirSnapshot &before, const DirSnapshot &after) {
  std::vector<std::string> changed;
  for (const auto &[rel, stamp] : after) {
    auto it = before.find(rel);
    if (it == before.end() || it->second != stamp) changed.push_back(rel);
  }
  return changed;
}

llvm::Expected<std::string> StageCache::key(llvm::StringRef stage, llvm::StringRef executable,
                                            llvm::StringRef inputFile, llvm::StringRef optionJson,
                                            const std::vector<std::string> &extraInputs) const {
  // One xxHash64 per part, folded with its size: cheap next to a stage (45 MB in ~10 ms).
  std::string material = (stage + "\n" + kToolVersion + "\n" + optionJson + "\n").str();
  auto addFile = [&](llvm::StringRef file) -> llvm::Error {
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (!buffer)
      return makeError(ErrorCode::Io, "cannot read {0}: {1}", file, buffer.getError().message());
    // Contents only: the same model under another name is the same compile.
    material += llvm::formatv("{0:x16}:{1}\n", llvm::xxHash64((*buffer)->getBuffer()),
                              (*buffer)->getBufferSize())
                    .str();
    return llvm::Error::success();
  };
  if (auto err = addFile(executable)) return std::move(err);
  if (auto err = addFile(inputFile)) return std::move(err);
  for (const auto &file : extraInputs)
    if (auto err = addFile(file)) return std::move(err);
  return llvm::formatv("{0:x16}", llvm::xxHash64(material)).str();
}

std::string StageCache::entryDir(llvm::StringRef stage, llvm::StringRef key) const {
  return joinPath(joinPath(joinPath(dir_, "stages"), stage), key);
}

llvm::Expected<bool> StageCache::restore(llvm::StringRef stage, llvm::StringRef key,
                                         llvm::StringRef codegenDir) const {
  if (!enabled()) return false;
  std::string entry = entryDir(stage, key);
  if (!fs::is_directory(entry)) return false;
  // The manifest is written last inside the temp entry, so an entry without it, or missing one
  // of its files (removed by hand), is a miss; it is dropped so this run can store a whole one.
  auto manifest = llvm::MemoryBuffer::getFile(joinPath(entry, kManifest));
  std::vector<std::string> files;
  bool whole = bool(manifest);
  if (whole) {
    llvm::SmallVector<llvm::StringRef, 16> lines;
    (*manifest)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
    for (auto line : lines) {
      files.push_back(line.str());
      whole = whole && fs::exists(joinPath(entry, line));
    }
  }
  if (!whole) {
    fs::remove_directories(entry);
    return false;
  }
  for (const auto &rel : files) {
    std::string to = joinPath(codegenDir, rel);
    if (auto ec = fs::create_directories(path::parent_path(to)))
      return makeError(ErrorCode::Io, "cannot create {0}: {1}", path::parent_path(to), ec.message());
    if (auto err = linkOrCopy(joinPath(entry, rel), to)) return std::move(err);
  }
  return true;
}

llvm::Error StageCache::store(llvm::StringRef stage, llvm::StringRef key,
                              llvm::StringRef codegenDir,
                              const std::vector<std::string> &files) const {
  if (!enabled()) return llvm::Error::success();
  std::string entry = entryDir(stage, key);
  if (fs::is_directory(entry)) return llvm::Error::success();
  std::string parent = path::parent_path(entry).str();
  if (auto ec = fs::create_directories(parent))
    return makeError(ErrorCode::Io, "cannot create cache directory {0}: {1}", parent, ec.message());
  llvm::SmallString<256> temp;
  if (auto ec = fs::createUniqueDirectory(entry + ".tmp", temp))
    return makeError(ErrorCode::Io, "cannot create {0}.tmp-*: {1}", entry, ec.message());
  auto discard = [&](llvm::Error err) {
    fs::remove_directories(temp);
    return err;
  };
  for (const auto &rel : files) {
    std::string to = joinPath(temp, rel);
    if (auto ec = fs::create_directories(path::parent_path(to)))
      return discard(makeError(ErrorCode::Io, "cannot create {0}: {1}", path::parent_path(to), ec.message()));
    if (auto err = linkOrCopy(joinPath(codegenDir, rel), to)) return discard(std::move(err));
    // Read-only: an in-place edit of a linked codegen_dir file must not change the cache.
    fs::setPermissions(to, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  }
  std::string list;
  for (const auto &rel : files) list += rel + "\n";
  if (auto err = writeFileAtomically(joinPath(temp, kManifest), list)) return discard(std::move(err));
  // Another compile may have stored the same entry meanwhile; its copy is as good as ours.
  if (fs::rename(temp, entry)) return discard(llvm::Error::success());
  return llvm::Error::success();
}

}  // namespace pfcomp::driver
