// Element type and shape of every value of an ONNX graph, as known after shape inference.
#pragma once

#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pfcomp::import {

struct ValueType {
  int32_t elem_type = 0;       // ONNX TensorProto::DataType; 0 = unknown
  bool has_shape = false;      // rank known
  std::vector<int64_t> dims;   // -1 = unknown dimension
  std::vector<std::string> dim_names;  // symbolic names ("" when none)
  bool isStatic() const;
};

ValueType valueTypeOf(const onnx::TypeProto &type);
// Graph inputs, initializers, value_info and graph outputs, by value name.
llvm::StringMap<ValueType> collectValueTypes(const onnx::GraphProto &graph);

std::string shapeText(const std::vector<int64_t> &dims);  // "1x3x224x224", "?" for unknown

}  // namespace pfcomp::import
