#include "support/atomic_file.h"

#include "support/error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace pfcomp {

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  llvm::SmallString<256> tmp;
  int fd = -1;
  llvm::SmallString<256> model(path);
  model += ".tmp-%%%%%%";
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp))
    return makeError(ErrorCode::Io, "cannot create {0}: {1}", model, ec.message());
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << contents;
    out.close();
    if (out.has_error()) {
      llvm::sys::fs::remove(tmp);
      return makeError(ErrorCode::Io, "cannot write {0}: {1}", path, out.error().message());
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    return makeError(ErrorCode::Io, "cannot rename {0} to {1}: {2}", tmp, path, ec.message());
  }
  return llvm::Error::success();
}

llvm::Expected<std::string> readWholeFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(ErrorCode::StageFileMissing, "cannot read {0}: {1}", path,
                     buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

}  // namespace pfcomp
