// What the ONNX-level rewrites share: the graph being rewritten, and a builder that emits the
// replacement nodes of one node in the form the model's opset expects (Slice, ReduceSum and
// friends moved operands from attributes to inputs over the opsets).
#pragma once

#include "compiler/import/host_tensor.h"
#include "compiler/import/value_types.h"

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::import {

using Nodes = google::protobuf::RepeatedPtrField<onnx::NodeProto>;

struct RewriteContext {
  onnx::GraphProto &g;
  int64_t opset;
  std::map<std::string, const onnx::TensorProto *> inits;
  llvm::StringMap<ValueType> types;
  llvm::StringSet<> used;   // values read by some node or listed as graph outputs
  llvm::StringSet<> names;  // every value name taken, including those made by this pass
  std::vector<onnx::TensorProto> newInits;

  const onnx::TensorProto *initOf(const std::string &name) const;
  // The decoded constant behind `name`, if it is an initializer.
  bool constant(const std::string &name, HostTensor &out) const;
  // The static type of `name`, or nullptr.
  const ValueType *staticType(const std::string &name) const;
  bool isUsed(const std::string &name) const { return !name.empty() && used.contains(name); }
};

// Emits nodes replacing `src`; every node and value it makes is named after `src`.
class NodeBuilder {
 public:
  NodeBuilder(RewriteContext &c, const onnx::NodeProto &src, Nodes &out)
      : c_(c), src_(src), out_(out) {}

  std::string fresh(const std::string &suffix);
  // Initializers (type: an ONNX float type for the float ones).
  std::string ints(const std::vector<int64_t> &values);
  std::string tensor(const HostTensor &t);
  std::string scalar(double v, int32_t type);
  std::string filled(double v, int32_t type, const std::vector<int64_t> &dims);

  // A node of `op`; its output is `outName` or a fresh name. Returns the output.
  onnx::NodeProto &node(const std::string &op, const std::vector<std::string> &ins,
                        const std::string &outName = "");
  std::string op(const std::string &op, const std::vector<std::string> &ins,
                 const std::string &outName = "");

  std::string slice(const std::string &x, int64_t axis, int64_t start, int64_t end,
                    const std::string &outName = "");
  std::string reshape(const std::string &x, const std::vector<int64_t> &shape,
                      const std::string &outName = "");
  std::string transpose(const std::string &x, const std::vector<int64_t> &perm,
                        const std::string &outName = "");
  // Identity for a single input.
  std::string concat(const std::vector<std::string> &xs, int64_t axis, const std::string &outName = "");
  // ReduceSum over `axes` (all axes when !hasAxes), as an attribute or input per the opset.
  std::string reduceSum(const std::string &x, const std::vector<int64_t> &axes, bool hasAxes,
                        int64_t keepdims, const std::string &outName = "");

  RewriteContext &context() { return c_; }

 private:
  RewriteContext &c_;
  const onnx::NodeProto &src_;
  Nodes &out_;
  int count_ = 0;
};

void setAttr(onnx::NodeProto &n, const std::string &name, int64_t v);
void setAttr(onnx::NodeProto &n, const std::string &name, float v);
void setAttr(onnx::NodeProto &n, const std::string &name, const std::vector<int64_t> &v);

// The rewrites of rewrite_rnn.cc and rewrite_ops.cc: true when `n` was replaced (its
// replacement appended to `out`), false to keep it, an error (UnsupportedOp) for a form the
// device cannot run that no other stage handles either.
llvm::Expected<bool> rewriteRecurrent(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
llvm::Expected<bool> rewriteEinsum(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteVariadic(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteDepthSpace(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteTile(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteReduce(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteLayerNormStats(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_loss.cc: NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss, GatherElements,
// ScatterElements / Scatter, OneHot.
bool rewriteLoss(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteGatherElements(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteScatterElements(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteOneHot(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteGatherNd(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteScatterNd(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteReverseSequence(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteMaxUnpool(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_optim.cc: Adagrad, Momentum, Adam (ai.onnx.preview.training) as elementwise ops; a
// model importing only that domain gets the default one (for the ops they become).
void addDefaultOpsetForTraining(onnx::ModelProto &model);
bool rewriteOptimizer(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_composite.cc: Celu, MeanVarianceNormalization, LRN, edge / reflect Pad, small Det.
bool rewriteCelu(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteMeanVarianceNorm(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteLrn(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewritePadBorder(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteDet(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteDft(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteMelWeightMatrix(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_norm.cc: BatchNormalization with run-time statistics or in training mode.
bool rewriteBatchNormGeneral(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_resize.cc: cubic, tf_crop_and_resize and downsampling linear Resize as MatMuls.
bool rewriteResizeByMatMul(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_gridsample.cc: GridSample as a MatMul with kernel weights.
bool rewriteGridSample(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_pool3d.cc: 3-D MaxPool / AveragePool as two 2-D pools.
bool rewritePool3d(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_wide_norm.cc: InstanceNormalization, LayerNormalization and Softmax / LogSoftmax
// over instances wider than one PE's LM holds, as reductions and elementwise ops.
bool rewriteWideNormalization(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_convtranspose3d.cc: 3-D ConvTranspose as two 2-D ConvTransposes.
bool rewriteConvTranspose3d(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_conv3d.cc: 3-D Conv as a 2-D Conv and a sum of strided depth slices.
bool rewriteConv3d(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_simple.cc: Dropout with its mask, reductions that are no-ops, window functions.
bool rewriteDropout(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteNoopReduce(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteWindow(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_quant.cc: QuantizeLinear / DequantizeLinear as float ops around Casts.
bool rewriteQuantize(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteDynamicQuantize(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
bool rewriteIntegerProduct(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);
// rewrite_pool_indices.cc: MaxPool's Indices output (int64) from ArgMax over gathered windows.
bool rewriteMaxPoolIndices(RewriteContext &c, const onnx::NodeProto &n, Nodes &out);

}  // namespace pfcomp::import
