// Copies of a subgraph (an If branch, one iteration of a Loop or Scan body) made part of the
// enclosing graph, and the few nodes that stitch such copies together.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pfcomp::import {

// What inlining adds to the enclosing graph.
struct InlinedParts {
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> initializers;
  std::vector<onnx::ValueInfoProto> valueInfo;
};

// The graph attribute `name` of `node` (an If's branch, a Loop's body), or nullptr.
const onnx::GraphProto *graphAttr(const onnx::NodeProto &node, const char *name);

// Makes `parts` the graph's node list (the nodes kept and the inlined ones, in order) and adds
// its initializers and value_info to the graph.
void replaceNodes(onnx::GraphProto &graph, InlinedParts &parts);

// Appends a copy of `body` to `parts`: the values it defines (initializers, node outputs) are
// renamed with `prefix`, also where nested subgraphs read them; its inputs are read as
// `inputs[k]` (enclosing-graph names, one per body input); names of the enclosing graph stay.
// Returns the enclosing-graph names of the body's outputs.
std::vector<std::string> inlineSubgraph(const onnx::GraphProto &body, const std::string &prefix,
                                        const std::vector<std::string> &inputs, InlinedParts &parts);

// Nodes appended to `parts` (named `name`/...): a copy of `from` as `to`; `xs` stacked along a
// new axis `axis` of the result (Unsqueeze each, Concat) as `to`, in the form `opset` expects.
void appendIdentity(InlinedParts &parts, const std::string &name, const std::string &from,
                    const std::string &to);
void appendStack(InlinedParts &parts, const std::string &name, const std::vector<std::string> &xs,
                 int64_t axis, int64_t opset, const std::string &to);

}  // namespace pfcomp::import
