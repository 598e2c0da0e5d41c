// ONNX sequences and optionals whose structure is known at compile time (a sequence's length and
// which value sits at each position, an optional's presence), resolved at import into plain
// tensor values: the device has no sequence type, but such a sequence is only a list of values.
//
// A known sequence is one produced by SequenceConstruct (or SequenceEmpty); a known optional one
// produced by Optional. Every sequence op reading only known structure (and constant positions,
// split sizes) is rewritten into those forms or into tensor ops (Identity, Concat, Split,
// Squeeze, a constant length, the SequenceMap body once per element); the canonical nodes then
// die when nothing reads them. If and Loop over sequences take part once inlined / unrolled.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

#include <cstdint>

namespace pfcomp::import {

// One pass over `graph` (not inside subgraphs) in graph order; a node's rewritten result is
// seen by the nodes after it. A graph output holding a known sequence (or optional) becomes
// one output per element, NAME.0 .. NAME.(K-1) (an optional: none or one), since a device
// output is a tensor. `opset` is the model's default-domain opset. Returns how many nodes and
// outputs were rewritten.
int resolveStaticSequences(onnx::GraphProto &graph, int64_t opset);

// E104 naming every node that still reads or makes a sequence or optional (its structure
// depends on run-time values) and the graph inputs that structure comes from, in the form
// tools/conformance reads ("... for the graph inputs they are computed from: a, b").
llvm::Error checkSequencesResolved(const onnx::GraphProto &graph, llvm::StringRef modelPath);

}  // namespace pfcomp::import
