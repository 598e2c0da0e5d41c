#include "compiler/import/model_loader.h"

#include "compiler/import/shape_fixups.h"
#include "compiler/onnx/external_data.h"
#include "compiler/import/value_types.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace pfcomp::import {

llvm::Expected<onnx::ModelProto> loadModel(llvm::StringRef path) {
  if (!llvm::sys::fs::exists(path) || llvm::sys::fs::is_directory(path))
    return makeError(ErrorCode::ModelNotFound, "model file not found: {0}", path);
  auto bytes = readWholeFile(path);
  if (!bytes) return bytes.takeError();
  onnx::ModelProto model;
  if (bytes->empty() || !model.ParseFromString(*bytes) || !model.has_graph())
    return makeError(ErrorCode::ModelMalformed,
                     "{0}: not a valid ONNX model (truncated, empty or not an ONNX protobuf)", path);
  if (onnx_util::hasExternalData(model)) {
    llvm::SmallString<256> dir(path);
    llvm::sys::path::remove_filename(dir);
    if (auto err = onnx_util::inlineExternalData(model, dir.empty() ? "." : dir.str(), path))
      return std::move(err);
  }
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return makeError(ErrorCode::ModelCheckFailed, "{0}: ONNX checker: {1}", path, e.what());
  }
  return model;
}

void normaliseModel(onnx::ModelProto &model) {
  onnx::GraphProto &g = *model.mutable_graph();
  llvm::StringSet<> inits;
  for (const auto &t : g.initializer()) inits.insert(t.name());
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> inputs;
  for (const auto &vi : g.input())
    if (!inits.contains(vi.name())) *inputs.Add() = vi;
  g.mutable_input()->Swap(&inputs);
  // IR < 4 requires initializers to be inputs (shape inference ignores the others there);
  // with them removed from the inputs the model is IR 4 (the opsets are unchanged).
  if (model.ir_version() < 4) model.set_ir_version(4);

  llvm::StringSet<> taken;
  for (const auto &n : g.node())
    if (!n.name().empty()) taken.insert(n.name());
  llvm::StringSet<> used;
  for (int k = 0; k < g.node_size(); ++k) {
    onnx::NodeProto &n = *g.mutable_node(k);
    std::string name = n.name().empty() ? n.op_type() + "_" + std::to_string(k) : n.name();
    if (used.contains(name) || (n.name().empty() && taken.contains(name))) {
      int suffix = 1;
      while (used.contains(name + "_" + std::to_string(suffix)) ||
             taken.contains(name + "_" + std::to_string(suffix)))
        ++suffix;
      name += "_" + std::to_string(suffix);
    }
    used.insert(name);
    n.set_name(name);
    // STFT's onesided defaults to 1, but ONNX 1.12's shape inference reads a missing one as 0
    // (and then contradicts the output shape the model declares); the default is made explicit.
    if (n.op_type() == "STFT" && (n.domain().empty() || n.domain() == "ai.onnx")) {
      bool has = false;
      for (const auto &a : n.attribute()) has |= a.name() == "onesided";
      if (!has) {
        auto *a = n.add_attribute();
        a->set_name("onesided"), a->set_type(onnx::AttributeProto::INT), a->set_i(1);
      }
    }
  }
}

llvm::Error applyInputShapes(onnx::ModelProto &model, const ImportOptions &options,
                             llvm::StringRef modelPath) {
  onnx::GraphProto &g = *model.mutable_graph();
  for (const auto &[name, dims] : options.input_shapes) {
    onnx::ValueInfoProto *input = nullptr;
    std::string names;
    for (auto &vi : *g.mutable_input()) {
      if (vi.name() == name) input = &vi;
      names += (names.empty() ? "" : ", ") + vi.name();
    }
    if (!input)
      return makeError(ErrorCode::BadInputShapeOption,
                       "--input_shape: {0} has no graph input named '{1}'; its inputs are: {2}",
                       modelPath, name, names);
    auto *tensor = input->mutable_type()->mutable_tensor_type();
    const ValueType old = valueTypeOf(input->type());
    if (old.has_shape && old.dims.size() != dims.size())
      return makeError(ErrorCode::BadInputShapeOption,
                       "--input_shape: input '{0}' has rank {1} (shape {2}) but {3} dims were given ({4})",
                       name, old.dims.size(), shapeText(old.dims), dims.size(), shapeText(dims));
    auto *shape = tensor->mutable_shape();
    shape->clear_dim();
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }
  if (!options.input_shapes.empty()) {
    // Intermediate shapes recorded by the exporter may contradict the fixed inputs.
    g.clear_value_info();
    for (auto &vi : *g.mutable_output())
      if (vi.type().has_tensor_type()) vi.mutable_type()->mutable_tensor_type()->clear_shape();
  }
  return llvm::Error::success();
}

llvm::Error inferShapes(onnx::ModelProto &model, llvm::StringRef modelPath) {
  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
    for (int round = 0; round < 8 && completeShapes(model); ++round)
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception &e) {
    return makeError(ErrorCode::ShapeInference, "{0}: shape inference failed: {1}", modelPath, e.what());
  }
  return llvm::Error::success();
}

llvm::Error checkStaticInputs(const onnx::ModelProto &model, llvm::StringRef modelPath) {
  for (const auto &vi : model.graph().input()) {
    // Sequences and optionals have no shape of their own: static_sequences.cc decides.
    if (vi.type().has_sequence_type() || vi.type().has_optional_type()) continue;
    const ValueType t = valueTypeOf(vi.type());
    if (!t.has_shape)
      return makeError(ErrorCode::DynamicShape,
                       "{0}: input '{1}' has an unknown rank; pass --input_shape={1}=AxB", modelPath,
                       vi.name());
    std::vector<int64_t> suggestion = t.dims;
    for (auto &d : suggestion)
      if (d < 0) d = 1;
    for (size_t k = 0; k < t.dims.size(); ++k) {
      if (t.dims[k] >= 0) continue;
      std::string sym = t.dim_names[k].empty() ? "" : " ('" + t.dim_names[k] + "')";
      return makeError(ErrorCode::DynamicShape,
                       "{0}: input '{1}' has dynamic dimension {2}{3} in shape {4}; pass "
                       "--input_shape={1}={5} (with the size you need)",
                       modelPath, vi.name(), k, sym, shapeText(t.dims), shapeText(suggestion));
    }
  }
  return llvm::Error::success();
}

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") return op.version();
  return 1;
}

}  // namespace pfcomp::import
