#include "compiler/import/value_types.h"

namespace pfcomp::import {

bool ValueType::isStatic() const {
  if (!has_shape) return false;
  for (int64_t d : dims)
    if (d < 0) return false;
  return true;
}

ValueType valueTypeOf(const onnx::TypeProto &type) {
  ValueType v;
  if (!type.has_tensor_type()) return v;
  v.elem_type = type.tensor_type().elem_type();
  if (!type.tensor_type().has_shape()) return v;
  v.has_shape = true;
  for (const auto &d : type.tensor_type().shape().dim()) {
    v.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    v.dim_names.push_back(d.has_dim_param() ? d.dim_param() : "");
  }
  return v;
}

llvm::StringMap<ValueType> collectValueTypes(const onnx::GraphProto &g) {
  llvm::StringMap<ValueType> out;
  auto add = [&](const onnx::ValueInfoProto &vi) {
    ValueType t = valueTypeOf(vi.type());
    auto it = out.find(vi.name());
    // Prefer the more complete description when a value is listed twice.
    if (it == out.end() || (!it->second.isStatic() && t.isStatic()) ||
        (!it->second.has_shape && t.has_shape) || it->second.elem_type == 0)
      out[vi.name()] = t;
  };
  for (const auto &vi : g.input()) add(vi);
  for (const auto &vi : g.value_info()) add(vi);
  for (const auto &vi : g.output()) add(vi);
  for (const auto &t : g.initializer()) {
    ValueType v;
    v.elem_type = t.data_type();
    v.has_shape = true;
    v.dims.assign(t.dims().begin(), t.dims().end());
    v.dim_names.assign(v.dims.size(), "");
    out[t.name()] = v;
  }
  return out;
}

std::string shapeText(const std::vector<int64_t> &dims) {
  std::string s;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (k) s += "x";
    s += dims[k] < 0 ? "?" : std::to_string(dims[k]);
  }
  return s;
}

}  // namespace pfcomp::import
