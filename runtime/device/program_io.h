// Reading and writing GPFNApp program files, with coded errors naming the file.
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

namespace pfcomp::device {

llvm::Expected<Program> readProgram(llvm::StringRef path);
llvm::Error writeProgram(const Program &program, llvm::StringRef path);

}  // namespace pfcomp::device
