#include "compiler/import/importer.h"

#include "compiler/import/constant_inputs.h"
#include "compiler/import/fold.h"
#include "compiler/import/graph_edit.h"
#include "compiler/import/if_conversion.h"
#include "compiler/import/inline_functions.h"
#include "compiler/import/lower.h"
#include "compiler/import/model_loader.h"
#include "compiler/import/rewrite.h"
#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/Path.h"

namespace pfcomp::import {
namespace {

// Stage files must not depend on where the model sits (pfcomp imports a copy in a temporary
// codegen_dir; a hand run reads the original), so the model is identified by its bytes.
void recordMeta(ir::Graph &g, const onnx::ModelProto &original, const ImportOptions &options,
                llvm::StringRef modelSha256) {
  auto &meta = *g.mutable_meta();
  meta["float_dtype"] = options.float_dtype;
  meta["producer_name"] = original.producer_name();
  meta["producer_version"] = original.producer_version();
  meta["opset"] = std::to_string(defaultOpset(original));
  meta["model_sha256"] = modelSha256.str();
  for (const auto &vi : original.graph().input())
    meta["onnx_input_dtype." + vi.name()] = std::to_string(vi.type().tensor_type().elem_type());
  for (const auto &vi : original.graph().output())
    meta["onnx_output_dtype." + vi.name()] = std::to_string(vi.type().tensor_type().elem_type());
}

// Nodes added by rewrites may repeat a name the exporter already used.
void uniquifyNodeNames(ir::Graph &g) {
  llvm::StringSet<> seen;
  for (auto &n : *g.mutable_nodes()) {
    std::string name = n.name().empty() ? n.op_type() : n.name();
    for (int k = 1; seen.contains(name); ++k) name = n.name() + "_" + std::to_string(k);
    seen.insert(name);
    n.set_name(name);
  }
}

// Map fields (MNGraph's meta, ONNX's metadata) have no fixed wire order unless asked for one;
// the same model and options must give byte-identical stage files.
llvm::Expected<std::string> deterministicBytes(const google::protobuf::MessageLite &message,
                                               llvm::StringRef path) {
  std::string bytes;
  bool ok;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    ok = message.SerializeToCodedStream(&coded);
  }  // the coded stream flushes into `bytes` here
  if (!ok) return makeError(ErrorCode::Internal, "cannot serialise {0}", path);
  return bytes;
}

}  // namespace

llvm::Expected<ImportResult> importModel(llvm::StringRef modelPath, const ImportOptions &options) {
  if (auto fdt = floatDType(options.float_dtype); !fdt) return fdt.takeError();
  auto loaded = loadModel(modelPath);
  if (!loaded) return loaded.takeError();
  onnx::ModelProto model = std::move(*loaded);
  normaliseModel(model);
  if (auto inlined = inlineLocalFunctions(model, modelPath); !inlined) return inlined.takeError();
  // Frozen inputs are no model inputs from here on (nor in the MNGraph's input dtypes).
  auto frozen = applyConstantInputs(model, options, modelPath);
  if (!frozen) return frozen.takeError();
  const onnx::ModelProto original = model;

  if (auto err = applyInputShapes(model, options, modelPath)) return std::move(err);
  if (auto err = inferShapes(model, modelPath)) return std::move(err);
  if (auto err = checkStaticInputs(model, modelPath)) return std::move(err);

  auto folded = foldConstants(model, modelPath);
  if (!folded) return folded.takeError();
  // Ifs whose condition folding could not settle: both branches, each output picked by Where.
  if (convertRuntimeIfs(*model.mutable_graph()) > 0) {
    if (auto err = inferShapes(model, modelPath)) return std::move(err);
    auto more = foldConstants(model, modelPath);
    if (!more) return more.takeError();
  }
  // A rewrite needs its operands' shapes; one behind an op whose output shape only shape
  // inference of the rewritten graph knows (an Einsum feeding an Einsum) waits for the next
  // round. Each round rewrites fewer nodes; the bound only guards against a rewrite cycle.
  for (int round = 0; round < 8; ++round) {
    auto rewritten = rewriteForDevice(model);
    if (!rewritten) return rewritten.takeError();
    if (*rewritten == 0) break;
    if (auto err = inferShapes(model, modelPath)) return std::move(err);
    auto more = foldConstants(model, modelPath);
    if (!more) return more.takeError();
  }

  auto graph = lowerModel(model, options, modelPath);
  if (!graph) return graph.takeError();
  ImportResult result{std::move(*graph), std::move(model)};
  ir::Graph &g = result.graph;
  g.set_ir_version(ir::kMNGraphVersion);
  if (g.name().empty()) g.set_name("main");
  g.clear_stages();
  g.add_stages("onnx-import");
  uniquifyNodeNames(g);
  auto bytes = readWholeFile(modelPath);
  if (!bytes) return bytes.takeError();
  recordMeta(g, original, options, llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(*bytes)), true));
  for (const auto &[name, sha256] : *frozen) (*g.mutable_meta())["constant_input_sha256." + name] = sha256;
  return result;
}

llvm::Error runImport(llvm::StringRef modelPath, llvm::StringRef outputPath,
                      const ImportOptions &options) {
  auto result = importModel(modelPath, options);
  if (!result) return result.takeError();
  if (!options.out_onnx.empty()) {
    llvm::SmallString<256> onnxPath(options.out_onnx);
    if (llvm::sys::path::is_relative(onnxPath)) {
      onnxPath = llvm::sys::path::parent_path(outputPath);
      llvm::sys::path::append(onnxPath, options.out_onnx);
    }
    auto bytes = deterministicBytes(result->optimized, onnxPath);
    if (!bytes) return bytes.takeError();
    if (auto err = writeFileAtomically(onnxPath, *bytes)) return err;
  }
  auto graphBytes = deterministicBytes(result->graph, outputPath);
  if (!graphBytes) return graphBytes.takeError();
  if (auto err = writeFileAtomically(outputPath, *graphBytes)) return err;
  return writeFileAtomically((outputPath + ".txt").str(), ir::dumpGraph(result->graph));
}

}  // namespace pfcomp::import
