// Small edits of ONNX graphs shared by folding and rewrites: use sets, dead-node removal,
// pruning of unused initializers and value_info.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringSet.h"

namespace pfcomp::import {

// Every value name read by a node (also inside subgraphs) or listed as a graph output.
llvm::StringSet<> usedValueNames(const onnx::GraphProto &graph);

// Removes nodes none of whose outputs are used, repeatedly; returns how many went.
int removeDeadNodes(onnx::GraphProto &graph);

// Drops initializers and value_info entries nothing refers to any more.
void pruneUnused(onnx::GraphProto &graph);

// A value name not yet used in `graph`, derived from `base`.
std::string freshValueName(const onnx::GraphProto &graph, const std::string &base);

}  // namespace pfcomp::import
