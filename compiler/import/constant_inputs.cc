#include "compiler/import/constant_inputs.h"

#include "compiler/import/constant_sequences.h"
#include "compiler/import/host_tensor.h"
#include "compiler/import/value_types.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SHA256.h"

namespace pfcomp::import {
namespace {

llvm::Error bad(const std::string &name, const std::string &file, const llvm::Twine &why) {
  return makeError(ErrorCode::BadConstantInput, "--constant_input={0}={1}: {2}", name, file,
                   why.str());
}

std::string typeName(int32_t type) {
  return onnx::TensorProto::DataType_IsValid(type)
             ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(type))
             : "type " + std::to_string(type);
}

}  // namespace

llvm::Expected<std::map<std::string, std::string>> applyConstantInputs(onnx::ModelProto &model,
                                                                       const ImportOptions &options,
                                                                       llvm::StringRef modelPath) {
  std::map<std::string, std::string> digests;
  onnx::GraphProto &g = *model.mutable_graph();
  for (const auto &[name, file] : options.constant_inputs) {
    int index = -1;
    std::string names;
    for (int k = 0; k < g.input_size(); ++k) {
      if (g.input(k).name() == name) index = k;
      names += (names.empty() ? "" : ", ") + g.input(k).name();
    }
    if (index < 0)
      return bad(name, file, llvm::formatv("{0} has no graph input named '{1}'; its inputs are: {2}",
                                           modelPath, name, names.empty() ? "(none)" : names));
    if (!llvm::sys::fs::is_regular_file(file)) return bad(name, file, "no such file");
    auto bytes = readWholeFile(file);
    if (!bytes) return bytes.takeError();
    const std::string digest = llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(*bytes)), true);
    if (isSequenceOrOptional(g.input(index).type())) {
      if (auto err = freezeSequenceInput(g, index, *bytes, file)) return std::move(err);
      digests[name] = digest;
      continue;
    }
    onnx::TensorProto tensor;
    // An empty or foreign file may parse as a TensorProto without a type: that is refused too.
    if (!tensor.ParseFromString(*bytes) || tensor.data_type() == onnx::TensorProto::UNDEFINED)
      return bad(name, file, "not a serialized onnx TensorProto");
    auto decoded = decodeTensor(tensor);
    if (!decoded)
      return bad(name, file, "cannot read the tensor: " + llvm::toString(decoded.takeError()));
    const onnx::ValueInfoProto &input = g.input(index);
    const ValueType want = valueTypeOf(input.type());
    if (want.elem_type != 0 && want.elem_type != tensor.data_type())
      return bad(name, file, llvm::formatv("the tensor is {0}, input '{1}' is {2}",
                                           typeName(tensor.data_type()), name, typeName(want.elem_type)));
    std::vector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
    bool shapeOk = !want.has_shape || want.dims.size() == dims.size();
    for (size_t k = 0; shapeOk && want.has_shape && k < dims.size(); ++k)
      shapeOk = want.dims[k] < 0 || want.dims[k] == dims[k];
    if (!shapeOk)
      return bad(name, file, llvm::formatv("the tensor has shape {0}, input '{1}' has shape {2}",
                                           shapeText(dims), name, shapeText(want.dims)));
    tensor.set_name(name);
    *g.add_initializer() = std::move(tensor);
    g.mutable_input()->DeleteSubrange(index, 1);
    digests[name] = digest;
  }
  return digests;
}

}  // namespace pfcomp::import
