#include "compiler/ir/op_support.h"

#include "llvm/ADT/StringSet.h"

namespace pfcomp::ir {
namespace {

const char *const kDeviceOps[] = {
    // tensor algebra
    "Conv", "MatMul", "Gemm",
    // pooling
    "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    // elementwise unary
    "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf", "Reciprocal", "Floor",
    "Ceil", "LeakyRelu", "Elu", "Softplus", "Clip", "Gelu", "HardSigmoid", "HardSwish", "Sin",
    "Cos", "Sign", "Softsign", "Selu", "Mish", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
    "Asinh", "Acosh", "Atanh", "Round", "IsNaN", "IsInf", "ThresholdedRelu", "Shrink",
    // elementwise binary (numpy broadcasting)
    "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mod", "BitShift",
    // normalisation and reductions over trailing axes
    "Softmax", "LogSoftmax", "LayerNormalization", "ReduceMean", "ReduceSum", "ReduceMax",
    "ReduceMin", "ReduceProd",
    // comparisons and logic: booleans live on the device as 0 / 1 in the float type
    "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "Where",
    // more compute ops (attribute forms in docs/CONTRACT.md)
    "PRelu", "InstanceNormalization", "ArgMax", "ArgMin", "CumSum", "ConvTranspose", "Resize",
    "Hardmax", "Trilu",
    // data movement
    "Transpose", "Concat", "Slice", "Split", "Gather", "Identity", "Pad", "Expand", "Cast",
    "Reshape", "Flatten", "Squeeze", "Unsqueeze",
};

const char *const kAliasOps[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};

}  // namespace

bool isDeviceOp(llvm::StringRef opType) {
  static const llvm::StringSet<> ops = [] {
    llvm::StringSet<> s;
    for (const char *op : kDeviceOps) s.insert(op);
    return s;
  }();
  return ops.contains(opType);
}

bool isAliasOp(llvm::StringRef opType) {
  for (const char *op : kAliasOps)
    if (opType == op) return true;
  return false;
}


}  // namespace pfcomp::ir
