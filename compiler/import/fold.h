// Constant folding on the host: every node whose inputs are all constant (initializers or
// Constant nodes) and whose op the host evaluator knows is replaced by its result.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

// One pass in graph order. Shape of a value with a fully known static shape folds too.
// Returns the number of nodes folded away; folded values become initializers.
llvm::Expected<int> foldConstantsOnce(onnx::ModelProto &model);

// Folds and re-runs shape inference until nothing more folds (newly static shapes can make
// more Shape nodes foldable).
llvm::Expected<int> foldConstants(onnx::ModelProto &model, llvm::StringRef modelPath);

}  // namespace pfcomp::import
