#include "runtime/device/program_io.h"

#include "support/atomic_file.h"
#include "support/error.h"

namespace pfcomp::device {

llvm::Expected<Program> readProgram(llvm::StringRef path) {
  auto bytes = readWholeFile(path);
  if (!bytes) return bytes.takeError();
  Program program;
  if (!program.ParseFromString(*bytes) || program.tool_version().empty())
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
