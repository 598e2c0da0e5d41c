#include "support/error.h"

#include "llvm/Support/raw_ostream.h"

namespace pfcomp {

std::string errorCodeName(ErrorCode code) {
  return llvm::formatv("E{0:d3}", static_cast<int>(code)).str();
}

llvm::Error makeError(ErrorCode code, const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(
      "[" + errorCodeName(code) + "] " + message.str(), llvm::inconvertibleErrorCode());
}

int reportErrorAndExit(llvm::StringRef tool, llvm::Error err) {
  llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase &info) {
    llvm::errs() << tool << ": error: " << info.message() << "\n";
  });
  return 1;
}

void exitOnError(llvm::StringRef tool, llvm::Error err) {
  if (err) std::exit(reportErrorAndExit(tool, std::move(err)));
}

}  // namespace pfcomp
