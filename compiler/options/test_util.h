// Small helpers for the options tests: temporary option_json files and error text.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace pfcomp::options::testing {

// Writes `text` to a fresh temporary .json file and returns its path.
inline std::string writeTempJson(const std::string &text) {
  llvm::SmallString<128> path;
  int fd = -1;
  if (llvm::sys::fs::createTemporaryFile("option", "json", fd, path)) return "";
  llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
  out << text;
  return std::string(path.str());
}

// True on success; otherwise prints and consumes the error (so Catch can show what went wrong).
template <typename T>
bool succeeded(llvm::Expected<T> &value) {
  if (value) return true;
  llvm::errs() << "unexpected error: " << llvm::toString(value.takeError()) << "\n";
  return false;
}
template <typename T>
bool succeeded(llvm::Expected<T> &&value) {
  return succeeded(value);
}

template <typename T>
std::string errorText(llvm::Expected<T> value) {
  if (value) return "";
  return llvm::toString(value.takeError());
}

}  // namespace pfcomp::options::testing
