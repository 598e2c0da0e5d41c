#include "tools/dashboard/onnx_json.h"

#include "support/error.h"

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <sstream>

namespace pfcomp::dashboard {
namespace {

using nlohmann::json;

std::string dtypeName(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return "float32";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    case onnx::TensorProto::DOUBLE: return "float64";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::UINT32: return "uint32";
    case onnx::TensorProto::UINT64: return "uint64";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::STRING: return "string";
    default: return "type" + std::to_string(t);
  }
}

json valueJson(const onnx::ValueInfoProto &v) {
  json j = {{"name", v.name()}};
  if (!v.type().has_tensor_type()) return j;
  const auto &t = v.type().tensor_type();
  j["dtype"] = dtypeName(t.elem_type());
  if (t.has_shape()) {
    json shape = json::array();
    for (const auto &d : t.shape().dim()) {
      if (d.has_dim_value()) shape.push_back(d.dim_value());
      else shape.push_back(d.dim_param().empty() ? "?" : d.dim_param());
    }
    j["shape"] = shape;
  }
  return j;
}

template <typename List>
std::string joinList(const List &list) {
  std::ostringstream ss;
  ss << "[";
  bool first = true;
  for (const auto &x : list) {
    ss << (first ? "" : ", ") << x;
    first = false;
  }
  ss << "]";
  return ss.str();
}

std::string tensorSummary(const onnx::TensorProto &t) {
  std::ostringstream ss;
  ss << "tensor " << dtypeName(t.data_type()) << joinList(t.dims());
  return ss.str();
}

// Attributes as short text: Netron shows values, not protobuf.
std::string attrText(const onnx::AttributeProto &a) {
  using A = onnx::AttributeProto;
  switch (a.type()) {
    case A::FLOAT: { std::ostringstream ss; ss << a.f(); return ss.str(); }
    case A::INT: return std::to_string(a.i());
    case A::STRING: return a.s();
    case A::FLOATS: return joinList(a.floats());
    case A::INTS: return joinList(a.ints());
    case A::STRINGS: return joinList(a.strings());
    case A::TENSOR: return tensorSummary(a.t());
    case A::GRAPH: return "graph " + a.g().name() + " (" + std::to_string(a.g().node_size()) + " nodes)";
    default: return "(attribute type " + std::to_string(a.type()) + ")";
  }
}

}  // namespace

llvm::Expected<json> onnxToJson(const std::string &bytes, const std::string &what) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    return makeError(ErrorCode::ModelMalformed, "{0}: not an ONNX model", what);
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception &) {
    // Shapes stay as the file has them.
  }
  const auto &g = model.graph();
  json out;
  out["name"] = g.name();
  out["producer"] = model.producer_name();
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") out["opset"] = op.version();
  json values = json::object();
  auto addValue = [&](const onnx::ValueInfoProto &v) {
    json j = valueJson(v);
    j.erase("name");
    values[v.name()] = j;
  };
  json inputs = json::array(), outputs = json::array(), inits = json::array();
  for (const auto &v : g.input()) { inputs.push_back(valueJson(v)); addValue(v); }
  for (const auto &v : g.output()) { outputs.push_back(valueJson(v)); addValue(v); }
  for (const auto &v : g.value_info()) addValue(v);
  for (const auto &t : g.initializer()) {
    json shape(std::vector<int64_t>(t.dims().begin(), t.dims().end()));
    inits.push_back({{"name", t.name()}, {"dtype", dtypeName(t.data_type())}, {"shape", shape}});
    values[t.name()] = {{"dtype", dtypeName(t.data_type())}, {"shape", shape}, {"initializer", true}};
  }
  json nodes = json::array();
  int index = 0;
  for (const auto &n : g.node()) {
    json attrs = json::object();
    for (const auto &a : n.attribute()) attrs[a.name()] = attrText(a);
    nodes.push_back({{"name", n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name()},
                     {"op", n.op_type()},
                     {"domain", n.domain()},
                     {"inputs", json(std::vector<std::string>(n.input().begin(), n.input().end()))},
                     {"outputs", json(std::vector<std::string>(n.output().begin(), n.output().end()))},
                     {"attrs", attrs}});
    ++index;
  }
  out["inputs"] = inputs;
  out["outputs"] = outputs;
  out["initializers"] = inits;
  out["nodes"] = nodes;
  out["values"] = values;
  return out;
}

}  // namespace pfcomp::dashboard
