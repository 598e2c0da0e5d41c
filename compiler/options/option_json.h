// Reading and writing option_json files: {"envs": {...}, "args": ["--k=v", ...], "name": ...}.
#pragma once

#include "compiler/options/options.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::options {

struct OptionFile {
  std::string path;                         // where it was read from, for messages
  std::map<std::string, std::string> envs;  // applied where the environment does not set them
  std::vector<std::string> args;            // command-line words, in order
  std::string name;
  std::string description;  // free text, ignored by the compiler
};

// BadOptionJson naming `path` when the text is not JSON or has the wrong structure.
llvm::Expected<OptionFile> parseOptionFile(llvm::StringRef text, llvm::StringRef path);
llvm::Expected<OptionFile> readOptionFile(llvm::StringRef path);

}  // namespace pfcomp::options
