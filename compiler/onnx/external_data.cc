#include "compiler/onnx/external_data.h"

#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <limits>
#include <map>
#include <memory>

namespace pfcomp::onnx_util {
namespace {

using TensorVisitor = llvm::function_ref<llvm::Error(onnx::TensorProto &)>;

llvm::Error visitGraph(onnx::GraphProto &graph, TensorVisitor visit);

llvm::Error visitAttribute(onnx::AttributeProto &attr, TensorVisitor visit) {
  if (attr.has_t())
    if (auto err = visit(*attr.mutable_t())) return err;
  for (auto &t : *attr.mutable_tensors())
    if (auto err = visit(t)) return err;
  if (attr.has_sparse_tensor()) {
    if (auto err = visit(*attr.mutable_sparse_tensor()->mutable_values())) return err;
    if (auto err = visit(*attr.mutable_sparse_tensor()->mutable_indices())) return err;
  }
  if (attr.has_g())
    if (auto err = visitGraph(*attr.mutable_g(), visit)) return err;
  for (auto &g : *attr.mutable_graphs())
    if (auto err = visitGraph(g, visit)) return err;
  return llvm::Error::success();
}

// Every tensor of the graph and of the graphs nested in its nodes' attributes.
llvm::Error visitGraph(onnx::GraphProto &graph, TensorVisitor visit) {
  for (auto &t : *graph.mutable_initializer())
    if (auto err = visit(t)) return err;
  for (auto &s : *graph.mutable_sparse_initializer()) {
    if (auto err = visit(*s.mutable_values())) return err;
    if (auto err = visit(*s.mutable_indices())) return err;
  }
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute())
      if (auto err = visitAttribute(attr, visit)) return err;
  return llvm::Error::success();
}

bool isExternal(const onnx::TensorProto &t) {
  return t.data_location() == onnx::TensorProto::EXTERNAL;
}

// The external-data keys of a tensor.
struct ExternalRef {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;  // -1: to the end of the file
};

llvm::Expected<ExternalRef> readRef(const onnx::TensorProto &t, llvm::StringRef modelPath) {
  ExternalRef ref;
  for (const auto &entry : t.external_data()) {
    uint64_t number = 0;
    if (entry.key() == "location") {
      ref.location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (llvm::StringRef(entry.value()).getAsInteger(10, number))
        return makeError(ErrorCode::ModelMalformed,
                         "{0}: tensor '{1}': external data {2} '{3}' is not a number", modelPath,
                         t.name(), entry.key(), entry.value());
      if (entry.key() == "offset") ref.offset = number;
      else ref.length = static_cast<int64_t>(number);
    }
  }
  if (ref.location.empty())
    return makeError(ErrorCode::ModelMalformed, "{0}: tensor '{1}': external data has no location",
                     modelPath, t.name());
  // The ONNX rule: a relative path that stays inside the model's directory.
  llvm::StringRef loc(ref.location);
  bool escapes = llvm::sys::path::is_absolute(loc);
  for (auto it = llvm::sys::path::begin(loc), end = llvm::sys::path::end(loc); it != end; ++it)
    escapes |= *it == "..";
  if (escapes)
    return makeError(ErrorCode::ModelMalformed,
                     "{0}: tensor '{1}': external data location '{2}' must be a relative path "
                     "inside the model's directory",
                     modelPath, t.name(), ref.location);
  return ref;
}

}  // namespace

bool hasExternalData(const onnx::ModelProto &model) {
  // The visitor walks mutable graphs; a const_cast is safe as nothing is changed on the way.
  bool found = false;
  llvm::consumeError(visitGraph(const_cast<onnx::GraphProto &>(model.graph()),
                                [&](onnx::TensorProto &t) {
                                  found |= isExternal(t);
                                  return llvm::Error::success();
                                }));
  return found;
}

llvm::Error inlineExternalData(onnx::ModelProto &model, llvm::StringRef modelDir,
                               llvm::StringRef modelPath) {
  std::map<std::string, std::unique_ptr<llvm::MemoryBuffer>> files;  // each file mapped once
  return visitGraph(*model.mutable_graph(), [&](onnx::TensorProto &t) -> llvm::Error {
    if (!isExternal(t)) return llvm::Error::success();
    auto ref = readRef(t, modelPath);
    if (!ref) return ref.takeError();
    llvm::SmallString<256> file(modelDir);
    llvm::sys::path::append(file, ref->location);
    auto &buffer = files[std::string(file)];
    if (!buffer) {
      auto mapped = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                                /*RequiresNullTerminator=*/false);
      if (!mapped)
        return makeError(ErrorCode::ModelNotFound,
                         "{0}: tensor '{1}': external data file {2} cannot be read: {3}", modelPath,
                         t.name(), file, mapped.getError().message());
      buffer = std::move(*mapped);
    }
    uint64_t size = buffer->getBufferSize();
    uint64_t length = ref->length < 0 ? size - std::min(size, ref->offset) : ref->length;
    if (ref->offset > size || length > size - ref->offset)
      return makeError(ErrorCode::ModelMalformed,
                       "{0}: tensor '{1}': external data [{2}, {3}) is past the end of {4} ({5} "
                       "bytes)",
                       modelPath, t.name(), ref->offset, ref->offset + length, file, size);
    t.set_raw_data(buffer->getBufferStart() + ref->offset, length);
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
    return llvm::Error::success();
  });
}

llvm::Expected<bool> copyModelSelfContained(llvm::StringRef from, llvm::StringRef to) {
  auto bytes = readWholeFile(from);
  if (!bytes) return bytes.takeError();
  onnx::ModelProto model;
  // Not an ONNX model, or one without external data: copied as it is (onnx-import judges it).
  if (!model.ParseFromString(*bytes) || !model.has_graph() || !hasExternalData(model)) {
    if (auto err = writeFileAtomically(to, *bytes)) return std::move(err);
    return false;
  }
  llvm::SmallString<256> dir(from);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty()) dir = ".";
  if (auto err = inlineExternalData(model, dir, from)) return std::move(err);
  if (model.ByteSizeLong() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return makeError(ErrorCode::ModelMalformed,
                     "{0}: with its external data the model is over 2 GB, more than one protobuf "
                     "can hold",
                     from);
  std::string self;
  if (!model.SerializeToString(&self))
    return makeError(ErrorCode::Io, "cannot serialise {0} with its external data", from);
  if (auto err = writeFileAtomically(to, self)) return std::move(err);
  return true;
}

}  // namespace pfcomp::onnx_util
