#include "compiler/ir/graph_io.h"

#include "support/atomic_file.h"
#include "support/error.h"

namespace pfcomp::ir {

llvm::Expected<Graph> readGraph(llvm::StringRef path) {
  auto bytes = readWholeFile(path);
  if (!bytes) return bytes.takeError();
  Graph graph;
  if (!graph.ParseFromString(*bytes))
    return makeError(ErrorCode::StageFileCorrupt, "{0}: not a valid MNGraph file", path);
  if (graph.ir_version() != kMNGraphVersion)
    return makeError(ErrorCode::StageFileCorrupt, "{0}: MNGraph version {1}, expected {2}", path,
                     graph.ir_version(), kMNGraphVersion);
  return graph;
}

llvm::Error writeGraph(const Graph &graph, llvm::StringRef path) {
  std::string bytes;
  if (!graph.SerializeToString(&bytes))
    return makeError(ErrorCode::Internal, "cannot serialise MNGraph for {0}", path);
  return writeFileAtomically(path, bytes);
}

}  // namespace pfcomp::ir
