// ONNX model → the JSON the Graph and Node pages draw: the browser never parses protobuf.
#pragma once

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace pfcomp::dashboard {

// {"name", "opset", "inputs": [{name, dtype, shape}], "outputs": [...],
//  "initializers": [{name, dtype, shape}],
//  "nodes": [{"name", "op", "domain", "inputs": [..], "outputs": [..], "attrs": {k: text}}],
//  "values": {name: {dtype, shape}}}   (shapes: ints, or strings for symbolic dims)
// Node names that are empty become "<op>_<index>". Value shapes come from value_info after
// ONNX shape inference (skipped silently when inference fails).
llvm::Expected<nlohmann::json> onnxToJson(const std::string &bytes, const std::string &what);

}  // namespace pfcomp::dashboard
