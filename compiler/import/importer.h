// The onnx-import stage as a library: ONNX file -> folded, rewritten, checked MNGraph.
#pragma once

#include "compiler/import/import_options.h"
#include "compiler/ir/mngraph.pb.h"

#include <onnx/onnx_pb.h>

#include "llvm/Support/Error.h"

namespace pfcomp::import {

struct ImportResult {
  ir::Graph graph;
  onnx::ModelProto optimized;  // after folding and rewrites, in the model's own float types
};

// Everything but writing files.
llvm::Expected<ImportResult> importModel(llvm::StringRef modelPath, const ImportOptions &options);

// importModel, then writes the MNGraph to `outputPath` (atomically), its text dump to
// `<outputPath>.txt`, and the optimized ONNX to options.out_onnx when set (relative paths are
// relative to the output's directory).
llvm::Error runImport(llvm::StringRef modelPath, llvm::StringRef outputPath,
                      const ImportOptions &options);

}  // namespace pfcomp::import
