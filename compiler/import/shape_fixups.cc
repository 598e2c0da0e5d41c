#include "compiler/import/shape_fixups.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/value_types.h"

#include <map>

namespace pfcomp::import {
namespace {

// A 1-D int list from a constant input, or from the attribute of older opsets.
bool intsOperand(const onnx::NodeProto &n, int k, const char *attr,
                 const std::map<std::string, const onnx::TensorProto *> &inits, std::vector<int64_t> &out) {
  if (n.input_size() > k && !n.input(k).empty()) {
    auto it = inits.find(n.input(k));
    if (it == inits.end()) return false;
    auto t = decodeTensor(*it->second);
    if (!t || t->isFloat()) {
      if (!t) llvm::consumeError(t.takeError());
      return false;
    }
    out = t->i;
    return true;
  }
  if (!findAttr(n, attr)) return false;
  out = attrInts(n, attr);
  return true;
}

void setType(onnx::ValueInfoProto &vi, int32_t elemType, const std::vector<int64_t> &dims) {
  auto *tensor = vi.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elemType);
  auto *shape = tensor->mutable_shape();
  shape->clear_dim();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

}  // namespace

bool completeShapes(onnx::ModelProto &model) {
  onnx::GraphProto &g = *model.mutable_graph();
  const llvm::StringMap<ValueType> types = collectValueTypes(g);
  std::map<std::string, const onnx::TensorProto *> inits;
  for (const auto &t : g.initializer()) inits[t.name()] = &t;
  std::map<std::string, std::pair<int32_t, std::vector<int64_t>>> found;
  for (const auto &n : g.node()) {
    if (n.op_type() != "Slice" || n.input_size() < 1 || n.output_size() < 1) continue;
    auto in = types.find(n.input(0));
    auto out = types.find(n.output(0));
    if (in == types.end() || !in->second.isStatic()) continue;
    if (out != types.end() && out->second.isStatic()) continue;
    std::vector<int64_t> starts, ends, axes, steps;
    if (!intsOperand(n, 1, "starts", inits, starts) || !intsOperand(n, 2, "ends", inits, ends)) continue;
    intsOperand(n, 3, "axes", inits, axes);
    intsOperand(n, 4, "steps", inits, steps);
    auto b = sliceBounds(in->second.dims, starts, ends, axes, steps);
    if (!b) {
      llvm::consumeError(b.takeError());
      continue;
    }
    found[n.output(0)] = {in->second.elem_type, b->dims};
  }
  if (found.empty()) return false;
  for (auto *list : {g.mutable_value_info(), g.mutable_output()})
    for (auto &vi : *list) {
      auto it = found.find(vi.name());
      if (it == found.end()) continue;
      setType(vi, it->second.first, it->second.second);
      it->second.first = -1;  // done
    }
  for (const auto &[name, t] : found) {
    if (t.first < 0) continue;
    onnx::ValueInfoProto *vi = g.add_value_info();
    vi->set_name(name);
    setType(*vi, t.first, t.second);
  }
  return true;
}

}  // namespace pfcomp::import
