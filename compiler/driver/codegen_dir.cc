#include "compiler/driver/codegen_dir.h"

#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace pfcomp::driver {
namespace fs = llvm::sys::fs;

namespace {

llvm::Error ioError(std::error_code ec, const llvm::Twine &what) {
  return makeError(ErrorCode::Io, "{0}: {1}", what.str(), ec.message());
}

}  // namespace

llvm::Expected<StagingDir> StagingDir::create(llvm::StringRef target) {
  llvm::SmallString<256> absolute(target);
  if (auto ec = fs::make_absolute(absolute)) return ioError(ec, "cannot resolve " + target);
  llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  while (absolute.size() > 1 && llvm::sys::path::is_separator(absolute.back()))
    absolute.pop_back();
  llvm::StringRef parent = llvm::sys::path::parent_path(absolute);
  if (!parent.empty()) {
    if (auto ec = fs::create_directories(parent)) return ioError(ec, "cannot create " + parent);
  }
  llvm::SmallString<256> staging;
  if (auto ec = fs::createUniqueDirectory(absolute + ".tmp", staging))
    return ioError(ec, "cannot create a staging directory next to " + absolute);
  return StagingDir(std::string(absolute.str()), std::string(staging.str()));
}

StagingDir::StagingDir(StagingDir &&other)
    : target_(std::move(other.target_)), path_(std::move(other.path_)),
      published_(other.published_) {
  other.published_ = true;  // the moved-from object owns nothing
}

StagingDir::~StagingDir() {
  if (!published_ && !path_.empty()) fs::remove_directories(path_, /*IgnoreErrors=*/true);
}

std::string StagingDir::file(llvm::StringRef name) const {
  llvm::SmallString<256> p(path_);
  llvm::sys::path::append(p, name);
  return std::string(p.str());
}

llvm::Error StagingDir::publish() {
  std::string old;
  if (fs::exists(target_)) {
    llvm::SmallString<256> aside;
    // Reserve a unique name, then move the old target onto it.
    if (auto ec = fs::createUniqueDirectory(target_ + ".old", aside))
      return ioError(ec, "cannot make room for " + target_);
    fs::remove(aside);
    if (auto ec = fs::rename(target_, aside)) return ioError(ec, "cannot move away " + target_);
    old = std::string(aside.str());
  }
  if (auto ec = fs::rename(path_, target_)) {
    if (!old.empty()) fs::rename(old, target_);
    return ioError(ec, "cannot rename " + path_ + " to " + target_);
  }
  published_ = true;
  if (!old.empty()) fs::remove_directories(old, /*IgnoreErrors=*/true);
  return llvm::Error::success();
}

llvm::Error copyTree(llvm::StringRef from, llvm::StringRef to) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(from, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef source = it->path();
    llvm::SmallString<256> dest(to);
    llvm::sys::path::append(dest, source.drop_front(from.size()));
    auto status = it->status();
    if (!status) return ioError(status.getError(), "cannot read " + source);
    if (status->type() == fs::file_type::directory_file) {
      if (auto e = fs::create_directories(dest)) return ioError(e, "cannot create " + dest);
    } else if (auto e = fs::copy_file(source, dest)) {
      return ioError(e, "cannot copy " + source + " to " + dest);
    }
  }
  if (ec) return ioError(ec, "cannot read " + from);
  return llvm::Error::success();
}

}  // namespace pfcomp::driver
