// Rewrites of ONNX nodes into the device op set that stay valid ONNX: inference
// BatchNormalization -> Mul + Add, Dropout -> Identity, same-type Cast -> Identity, Cast to bool
// -> Not(Equal(x, 0)), old Softmax, and (rewrite_rnn.cc, rewrite_ops.cc) LSTM / GRU / RNN,
// Einsum, variadic Sum / Mean / Max / Min, DepthToSpace / SpaceToDepth, Tile, ReduceL1 / L2 /
// SumSquare / LogSumExp / LogSum, (rewrite_loss.cc) NegativeLogLikelihoodLoss,
// SoftmaxCrossEntropyLoss, GatherElements, ScatterElements, OneHot, GatherND, ScatterND and
// ReverseSequence, MaxUnpool through one-hot
// masks, (rewrite_optim.cc) the training-domain Adagrad / Momentum / Adam,
// (rewrite_norm.cc) BatchNormalization with run-time statistics or training mode, and
// (rewrite_simple.cc) Dropout masks, no-op reductions and window functions of a constant size,
// (rewrite_resize.cc) cubic / tf_crop_and_resize / downsampling linear Resize as MatMuls and
// (rewrite_gridsample.cc) GridSample as a MatMul with kernel weights, and (rewrite_composite.cc)
// Celu, MeanVarianceNormalization, LRN, edge / reflect Pad, 2x2 / 3x3 Det, DFT and a constant
// MelWeightMatrix, (rewrite_pool3d.cc) 3-D MaxPool / AveragePool as two 2-D pools and
// (rewrite_convtranspose3d.cc) 3-D ConvTranspose as two 2-D ConvTransposes and
// (rewrite_conv3d.cc) 3-D Conv as a 2-D Conv and a sum of strided depth slices.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

// Returns the number of nodes rewritten. Dead nodes and unused initializers are removed after.
// UnsupportedOp for forms no stage can run (e.g. LSTM with clip), naming the reason.
llvm::Expected<int> rewriteForDevice(onnx::ModelProto &model);

}  // namespace pfcomp::import
