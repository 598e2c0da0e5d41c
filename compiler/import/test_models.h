// Helpers for the import tests: ONNX models from ONNX text, written to temporary files.
#pragma once

#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <stdexcept>
#include <string>

namespace pfcomp::import::testing {

inline onnx::ModelProto parseModel(const std::string &text) {
  onnx::ModelProto model;
  auto status = onnx::OnnxParser::Parse(model, text.c_str());
  if (!status.IsOK()) throw std::runtime_error("bad test model: " + status.ErrorMessage());
  return model;
}

// Writes `bytes` to a fresh temporary file with `suffix` and returns its path.
inline std::string writeTempFile(const std::string &bytes, const char *suffix = "onnx") {
  llvm::SmallString<128> path;
  int fd = -1;
  if (llvm::sys::fs::createTemporaryFile("import_test", suffix, fd, path))
    throw std::runtime_error("cannot create a temporary file");
  llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
  out << bytes;
  return std::string(path.str());
}

inline std::string writeModel(const onnx::ModelProto &model) {
  return writeTempFile(model.SerializeAsString());
}

inline std::string writeModelText(const std::string &text) { return writeModel(parseModel(text)); }

template <typename T>
std::string errorText(llvm::Expected<T> value) {
  if (value) return "";
  return llvm::toString(value.takeError());
}

inline std::string errorText(llvm::Error err) { return err ? llvm::toString(std::move(err)) : ""; }

}  // namespace pfcomp::import::testing
