#include "runtime/device/program_io.h"

#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/Support/MemoryBuffer.h"

#include <climits>

namespace pfcomp::device {

llvm::Expected<Program> readProgram(llvm::StringRef path) {
  // Parsed straight from the mapped file: programs carry their parameters inline (tens of MB),
  // and a copy of the bytes first would double the memory touched.
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(ErrorCode::StageFileMissing, "cannot read {0}: {1}", path, buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  Program program;
  if (bytes.size() > INT_MAX || !program.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      program.tool_version().empty())
    return makeError(ErrorCode::StageFileCorrupt, "{0}: not a valid GPFNApp program", path);
  return program;
}

llvm::Error writeProgram(const Program &program, llvm::StringRef path) {
  std::string bytes;
  if (!program.SerializeToString(&bytes))
    return makeError(ErrorCode::Internal, "cannot serialise the program for {0}", path);
  return writeFileAtomically(path, bytes);
}

}  // namespace pfcomp::device
