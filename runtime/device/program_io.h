// Reading and writing GPFNApp program files, with coded errors naming the file.
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <vector>

namespace pfcomp::device {

// A program as read from its file, its parameter bytes left where they are: tens of MB that
// need not be copied before they go to DRAM. Buffer.data of those buffers is empty.
struct ProgramFile {
  Program program;
  // Per buffer: its parameter bytes in `file`; empty where Buffer.data holds them (or none).
  std::vector<llvm::StringRef> params;
  std::unique_ptr<llvm::MemoryBuffer> file;  // the mapped file `params` point into
};

llvm::Expected<ProgramFile> readProgramFile(llvm::StringRef path);
// The same with every parameter copied into its Buffer.data.
llvm::Expected<Program> readProgram(llvm::StringRef path);
llvm::Error writeProgram(const Program &program, llvm::StringRef path);

}  // namespace pfcomp::device
