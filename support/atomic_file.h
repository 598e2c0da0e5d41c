// Writes that never leave a half-written file: write to a temp sibling, then rename.
#pragma once

#include "llvm/Support/Error.h"

#include <string>

namespace pfcomp {

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);
llvm::Expected<std::string> readWholeFile(llvm::StringRef path);

}  // namespace pfcomp
