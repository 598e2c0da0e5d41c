// Loading an ONNX model from disk and making its inputs static: checker, --input_shape fixes,
// shape inference, and the refusal of dynamic input dimensions.
#pragma once

#include "compiler/import/import_options.h"

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

// ModelNotFound / ModelMalformed / ModelCheckFailed, each naming `path`.
llvm::Expected<onnx::ModelProto> loadModel(llvm::StringRef path);

// Initializers listed as graph inputs (old exporters) become plain parameters; nameless nodes
// get "OpType_<index>" (index in the original node list); duplicate names get a suffix.
void normaliseModel(onnx::ModelProto &model);

// Applies NAME=dims fixes to graph inputs (BadInputShapeOption on unknown names or rank mismatch).
llvm::Error applyInputShapes(onnx::ModelProto &model, const ImportOptions &options,
                             llvm::StringRef modelPath);

// ONNX shape inference, strict mode off; keeps what it can infer. ShapeInference on failure.
llvm::Error inferShapes(onnx::ModelProto &model, llvm::StringRef modelPath);

// DynamicShape for every graph input dimension that is still unknown.
llvm::Error checkStaticInputs(const onnx::ModelProto &model, llvm::StringRef modelPath);

// Version of the default ("" / "ai.onnx") domain the model imports.
int64_t defaultOpset(const onnx::ModelProto &model);

}  // namespace pfcomp::import
