// --constant_input for a graph input of sequence or optional type: its file (an ONNX
// SequenceProto or OptionalProto, as the backend tests store them) becomes initializers and the
// SequenceConstruct / SequenceEmpty / Optional node rebuilding the value, whose structure the
// resolver of static sequences then knows.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

#include <string>

namespace pfcomp::import {

bool isSequenceOrOptional(const onnx::TypeProto &type);

// Replaces graph input `index` by those nodes (first in the graph). BadConstantInput when
// `bytes` hold no such proto of the input's type, or an element's type differs from the input's.
llvm::Error freezeSequenceInput(onnx::GraphProto &graph, int index, const std::string &bytes,
                                const std::string &file);

}  // namespace pfcomp::import
