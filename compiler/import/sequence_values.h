// Which values of an ONNX graph are sequences or optionals, and which ops make or read them:
// shared by the resolver of static sequences and the check that none is left.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringSet.h"

#include <string>

namespace pfcomp::import {

// Sequence* ops, SplitToSequence, ConcatFromSequence and the Optional* ops.
bool isSequenceOp(const std::string &op);

// Values typed as sequences or optionals (graph inputs, outputs, value_info) or made by an op
// that makes one.
llvm::StringSet<> sequenceValues(const onnx::GraphProto &graph);

// Whether `graph` holds any such value or op (not looking into subgraphs).
bool hasSequenceValues(const onnx::GraphProto &graph);

}  // namespace pfcomp::import
