// Reading and writing MNGraph files (binary protobuf), with coded errors naming the file.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include "llvm/Support/Error.h"

namespace pfcomp::ir {

// Schema version written into every graph; a reader refuses other versions.
constexpr int kMNGraphVersion = 1;

llvm::Expected<Graph> readGraph(llvm::StringRef path);
llvm::Error writeGraph(const Graph &graph, llvm::StringRef path);

}  // namespace pfcomp::ir
