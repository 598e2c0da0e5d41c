#include "compiler/ir/graph_io.h"

#include "support/atomic_file.h"
#include "support/error.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

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
  // Deterministic: map fields (meta) in key order, so equal graphs give equal files.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!graph.SerializeToCodedStream(&coded))
      return makeError(ErrorCode::Internal, "cannot serialise MNGraph for {0}", path);
  }
  return writeFileAtomically(path, bytes);
}

}  // namespace pfcomp::ir
