// ONNX external data: tensors whose bytes live in files beside the model (`data_location:
// EXTERNAL`, keys location / offset / length), as exporters write models over 2 GB or when
// asked to. The stages read one self-contained model, so the bytes are read into the tensors.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::onnx_util {

// Does any tensor of the model (initializers, Constant attributes, subgraphs) keep its bytes
// in an external file?
bool hasExternalData(const onnx::ModelProto &model);

// Reads every external tensor's bytes from its file, resolved against `modelDir`, into the
// tensor (raw_data, data_location DEFAULT). A location that is absolute or leaves `modelDir`
// is refused (ModelMalformed), as is a range past the file's end; a missing file is
// ModelNotFound. Messages name `modelPath`, the tensor and the file.
llvm::Error inlineExternalData(onnx::ModelProto &model, llvm::StringRef modelDir,
                               llvm::StringRef modelPath);

// Copies the model file `from` to `to` (written atomically). A model with external data is
// written self-contained instead, so `to` can be read without the files beside `from`; the
// result says whether that happened.
llvm::Expected<bool> copyModelSelfContained(llvm::StringRef from, llvm::StringRef to);

}  // namespace pfcomp::onnx_util
