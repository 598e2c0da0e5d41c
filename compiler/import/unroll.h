// Loop and Scan with a trip count known at compile time, unrolled at import into one copy of
// their body per iteration (the device runs straight-line programs only). A Loop's trip count
// is known when M is a constant and its condition (when it has one) is constant at every
// iteration, which constant propagation through the body decides; a Scan's is the static
// length of its scan axis. What stays is refused at lowering with the inputs to freeze.
#pragma once

#include "compiler/import/host_tensor.h"
#include "compiler/import/subgraph_inline.h"
#include "compiler/import/value_types.h"

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::import {

// Copies of one body a Loop or Scan may be unrolled into (Scan-8: batch × sequence length),
// and the nodes all copies may hold together, so the graph stays small enough to compile.
constexpr int64_t kMaxUnrolledIterations = 1024;
constexpr int64_t kMaxUnrolledNodes = 16384;

// Unrolls every such Loop and Scan of `graph` (not inside subgraphs: loops in an unrolled body
// are seen by the next call). `opset` is the model's default-domain opset. Returns how many.
int unrollStaticLoops(onnx::GraphProto &graph, int64_t opset);

// The inputs of a Loop that decide how often it runs: M, cond, and the loop-carried initial
// values (and enclosing-graph values) its body's condition is computed from; for a Scan-8 its
// sequence_lens. Empty names are left out.
std::vector<std::string> loopControlInputs(const onnx::NodeProto &node);

// What unrolling one node needs from the enclosing graph.
class UnrollContext {
 public:
  UnrollContext(const onnx::GraphProto &g, int64_t opset);
  int64_t opset() const { return opset_; }
  // The constant behind an enclosing-graph value (an initializer), or nullptr.
  const HostTensor *constant(const std::string &name);
  const ValueType *staticType(const std::string &name) const;
  // A prefix "<base>/" no value of the graph starts with.
  std::string freshPrefix(const std::string &base);

 private:
  std::map<std::string, const onnx::TensorProto *> inits_;
  std::map<std::string, HostTensor> decoded_;
  llvm::StringMap<ValueType> types_;
  llvm::StringSet<> names_;
  int64_t opset_;
};

// unroll_loop.cc / unroll_scan.cc: true when `node` was replaced by the nodes appended to `parts`.
bool unrollLoop(UnrollContext &c, const onnx::NodeProto &node, InlinedParts &parts);
bool unrollScan(UnrollContext &c, const onnx::NodeProto &node, InlinedParts &parts);

}  // namespace pfcomp::import
