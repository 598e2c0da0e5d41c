#include "compiler/import/lower.h"

#include "compiler/import/host_placement.h"
#include "compiler/import/host_tensor.h"
#include "compiler/import/model_loader.h"
#include "compiler/import/node_lowering.h"
#include "compiler/import/unroll.h"
#include "compiler/import/value_types.h"
#include "compiler/ir/dtype.h"
#include "compiler/ir/op_support.h"
#include "support/error.h"

#include "llvm/ADT/StringSet.h"

#include <map>

namespace pfcomp::import {
namespace {

std::string listText(const std::vector<std::string> &items) {
  std::string s;
  for (const auto &i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// Inputs the canonical form of an op keeps (docs/CONTRACT.md); its other operands must be
// constants: folded into attributes, or params the lowering reads (Trilu's k).
int dataInputsOf(const std::string &op) {
  static const llvm::StringSet<> oneDataInput = {
      "Resize", "Pad", "Expand", "CumSum", "Slice", "Squeeze", "Unsqueeze", "Reshape", "Split",
      "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "Trilu", "Tile",
      "Upsample", "OneHot", "TopK", "Dropout"};
  // Ops whose every operand must be known: they only build a tensor from them.
  // If: its condition decides which nodes exist, so it must be known (then the branch is inlined).
  static const llvm::StringSet<> noDataInput = {"Range", "ConstantOfShape", "HannWindow",
                                                "HammingWindow", "BlackmanWindow", "MelWeightMatrix", "If"};
  if (noDataInput.contains(op)) return 0;
  return oneDataInput.contains(op) ? 1 : 1 << 30;
}

// Whether operand k of `op` must be a constant: those from dataInputsOf on, and STFT's
// frame_step and frame_length (the host sizes its frames from them; its window is data).
bool needsConstantOperand(const std::string &op, int k) {
  if (op == "STFT") return k == 1 || k == 3;
  return k >= dataInputsOf(op);
}

// The graph inputs `roots` are computed from (through any nodes), in graph input order.
std::vector<std::string> graphInputsFeeding(const ir::Graph &g,
                                            const std::map<std::string, int> &valueIndex,
                                            std::vector<std::string> roots) {
  std::map<std::string, const ir::Node *> producer;
  for (const ir::Node &n : g.nodes())
    for (const auto &o : n.outputs()) producer[o] = &n;
  llvm::StringSet<> seen, feeding;
  while (!roots.empty()) {
    std::string v = roots.back();
    roots.pop_back();
    if (v.empty() || !seen.insert(v).second) continue;
    auto it = valueIndex.find(v);
    if (it != valueIndex.end() && g.values(it->second).kind() == ir::Value::INPUT) feeding.insert(v);
    if (auto p = producer.find(v); p != producer.end())
      roots.insert(roots.end(), p->second->inputs().begin(), p->second->inputs().end());
  }
  std::vector<std::string> out;
  for (const auto &i : g.inputs())
    if (feeding.contains(i)) out.push_back(i);
  return out;
}

// Ops the device runs on integer tiles too: data movement on any integer type and bfloat16
// (byte copies, Cast converting on the load), and elementwise ops, selection and reductions on
// every signed and unsigned integer width (exact, wrapping per type as numpy does).
bool movesIntegers(const std::string &op) {
  static const llvm::StringSet<> ops = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity",
                                        "Transpose", "Concat", "Slice", "Split", "Gather", "Pad",
                                        "Expand", "Cast"};
  return ops.contains(op);
}
bool computesIntegers(const std::string &op) {
  static const llvm::StringSet<> ops = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Neg", "Abs",
                                        "Sign", "Relu", "Clip", "Where", "Equal", "Less", "Greater",
                                        "LessOrEqual", "GreaterOrEqual", "ReduceSum", "ReduceMax",
                                        "ReduceMin", "ReduceProd", "CumSum", "Pow", "Hardmax",
                                        "Trilu", "Mod", "BitShift", "MaxPool", "MatMul", "Conv"};
  return ops.contains(op);
}

// Why the device cannot run a node as it stands: an op it does not know, tensors of a type it
// has no form of the op for (`intNames`), or operands computed at run time (`operands`).
struct DeviceCheck {
  bool ok = true;
  std::string intNames, operands;
  std::vector<std::string> runtimeOperands;
  bool runs() const { return ok && operands.empty(); }
};

// Loop / Scan nodes by their first output: the inputs that decide their trip count.
using LoopControl = std::map<std::string, std::vector<std::string>>;

DeviceCheck checkOnDevice(const ir::Graph &g, const std::map<std::string, int> &valueIndex,
                          const LoopControl &loops, const ir::Node &n) {
  DeviceCheck c;
  c.ok = ir::isDeviceOp(n.op_type());
  if (n.op_type() == "Loop" || n.op_type() == "Scan") {  // left because not unrollable
    c.ok = false;
    auto control = n.outputs_size() ? loops.find(n.outputs(0)) : loops.end();
    for (const auto &name : control == loops.end() ? std::vector<std::string>{} : control->second) {
      auto it = valueIndex.find(name);
      if (it != valueIndex.end() && g.values(it->second).kind() == ir::Value::PARAM) continue;
      c.operands += (c.operands.empty() ? "" : " ") + name;
      c.runtimeOperands.push_back(name);
    }
    return c;
  }
  auto checkValue = [&](const std::string &name, bool gatherIndices) {
    auto it = valueIndex.find(name);
    if (name.empty() || it == valueIndex.end()) return;
    const ir::Value &v = g.values(it->second);
    if (ir::isFloat(v.dtype())) return;
    if (gatherIndices) return;  // constant ones are folded into copies, run-time ones read indirectly
    const bool known = v.dtype() != ir::DT_UNDEFINED;  // strings, complex, ... are not
    if (known && movesIntegers(n.op_type())) return;
    if (ir::isInteger(v.dtype()) && computesIntegers(n.op_type())) return;
    c.ok = false;
    c.intNames += (c.intNames.empty() ? "" : " ") + name + ":" + ir::dtypeName(v.dtype());
  };
  for (int k = 0; k < n.inputs_size(); ++k) checkValue(n.inputs(k), n.op_type() == "Gather" && k == 1);
  for (const auto &o : n.outputs()) checkValue(o, false);
  for (int k = 0; k < n.inputs_size(); ++k) {
    if (!needsConstantOperand(n.op_type(), k)) continue;
    auto it = valueIndex.find(n.inputs(k));
    if (it == valueIndex.end() || g.values(it->second).kind() == ir::Value::PARAM) continue;
    c.operands += (c.operands.empty() ? "" : " ") + n.inputs(k);
    c.runtimeOperands.push_back(n.inputs(k));
  }
  return c;
}

// Nodes the device cannot run, except those placed on the host, in one error.
llvm::Error checkDeviceOps(const ir::Graph &g, const std::map<std::string, int> &valueIndex,
                           const LoopControl &loops, llvm::StringRef modelPath) {
  std::vector<std::string> bad, intUses, operandUses, runtimeOperands;
  bool loopLeft = false;
  for (const ir::Node &n : g.nodes()) {
    if (n.on_host()) continue;
    DeviceCheck c = checkOnDevice(g, valueIndex, loops, n);
    loopLeft |= n.op_type() == "Loop" || n.op_type() == "Scan";
    if (!c.operands.empty()) operandUses.push_back(n.name() + " [" + c.operands + "]");
    runtimeOperands.insert(runtimeOperands.end(), c.runtimeOperands.begin(), c.runtimeOperands.end());
    if (c.runs()) continue;
    bad.push_back(n.name() + " (" + n.op_type() + ")");
    if (!c.intNames.empty()) intUses.push_back(n.name() + " [" + c.intNames + "]");
  }
  if (bad.empty()) return llvm::Error::success();
  std::string msg = "unsupported ops in " + modelPath.str() + ": " + listText(bad);
  if (!intUses.empty())
    msg += "; the device computes float tensors only for these ops (their integer, bfloat16 or "
           "string tensors have no device form): " + listText(intUses);
  if (loopLeft)
    msg += "; Loop and Scan run only unrolled at import: a Loop needs a constant trip count M and a "
           "condition constant at every iteration, a Scan static sequence lengths, at most " +
           std::to_string(kMaxUnrolledIterations) + " iterations and " +
           std::to_string(kMaxUnrolledNodes) + " body nodes in all";
  if (!operandUses.empty()) {
    msg += "; operands these ops need as constants are computed at run time: " + listText(operandUses);
    // Kept last and in this form: tools/conformance reads the names after the final ": ".
    auto inputs = graphInputsFeeding(g, valueIndex, runtimeOperands);
    if (!inputs.empty())
      msg += "; to compile the model for fixed values of them, pass --constant_input=NAME=FILE.pb "
             "for the graph inputs they are computed from: " + listText(inputs);
  }
  return makeError(ErrorCode::UnsupportedOp, msg);
}

// Graph outputs must be produced by a node: an output that is an input or a param is copied.
void produceOutputsByNodes(ir::Graph &g, std::map<std::string, int> &valueIndex) {
  llvm::StringSet<> names;
  for (const auto &v : g.values()) names.insert(v.name());
  for (const auto &n : g.nodes()) names.insert(n.name());
  auto fresh = [&](const std::string &base) {
    std::string name = base;
    for (int k = 1; names.contains(name); ++k) name = base + "_" + std::to_string(k);
    names.insert(name);
    return name;
  };
  for (int k = 0; k < g.outputs_size(); ++k) {
    const std::string out = g.outputs(k);
    auto it = valueIndex.find(out);
    if (it == valueIndex.end()) continue;
    ir::Value &v = *g.mutable_values(it->second);
    if (v.kind() == ir::Value::ACTIVATION) continue;
    ir::Node &copy = *g.add_nodes();
    copy.set_op_type("Identity");
    copy.set_name(fresh("Identity_output_" + out));
    ir::Value produced = v;
    produced.set_kind(ir::Value::ACTIVATION);
    produced.clear_data();
    if (v.kind() == ir::Value::PARAM) {  // keep the output's name, rename the param
      const std::string param = fresh(out + "_const");
      v.set_name(param);
      valueIndex[param] = it->second;
      for (auto &n : *g.mutable_nodes())
        for (auto &i : *n.mutable_inputs())
          if (i == out) i = param;
      copy.add_inputs(param);
    } else {  // an input cannot be renamed: the output gets a new name
      produced.set_name(fresh(out + "_out"));
      g.set_outputs(k, produced.name());
      (*g.mutable_meta())["onnx_output_name." + produced.name()] = out;
      copy.add_inputs(out);
    }
    copy.add_outputs(produced.name());
    valueIndex[produced.name()] = g.values_size();
    *g.add_values() = produced;
  }
}

// Values the device holds in the float type although ONNX types them otherwise: every bool
// (masks as 0 / 1), the indices ArgMax / ArgMin compute, and what only moves or casts those.
// Integer constants compared with such values are converted with them. Other integer tensors
// stay integers (and are refused unless folded).
llvm::StringSet<> valuesHeldAsFloat(const onnx::GraphProto &og, const llvm::StringMap<ValueType> &types,
                                    const std::map<std::string, const onnx::TensorProto *> &inits) {
  static const llvm::StringSet<> moves = {"Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
                                          "Transpose", "Slice", "Split", "Expand", "Cast", "Gather",
                                          "Concat", "Pad", "Tile"};
  static const llvm::StringSet<> compares = {"Equal", "Less", "Greater", "LessOrEqual",
                                             "GreaterOrEqual", "Concat", "Where"};
  llvm::StringSet<> held, gatherIndices;
  for (const auto &entry : types)
    if (entry.second.elem_type == onnx::TensorProto::BOOL) held.insert(entry.getKey());
  for (const auto &n : og.node())
    if (n.op_type() == "Gather" && n.input_size() > 1) gatherIndices.insert(n.input(1));
  for (const auto &n : og.node()) {
    const std::string &op = n.op_type();
    bool heldIn = false;
    for (int k = 0; k < n.input_size(); ++k)
      if (held.contains(n.input(k)) && !(op == "Where" && k == 0)) heldIn = true;
    if (op == "ArgMax" || op == "ArgMin" || (moves.contains(op) && n.input_size() && held.contains(n.input(0))))
      for (const auto &o : n.output()) held.insert(o);
    if (!heldIn || !compares.contains(op)) continue;
    for (int k = 0; k < n.input_size(); ++k) {
      const std::string &i = n.input(k);
      if (inits.count(i) && !gatherIndices.contains(i) && !(op == "Where" && k == 0)) held.insert(i);
    }
    if (op == "Where" || op == "Concat")
      for (const auto &o : n.output()) held.insert(o);
  }
  return held;
}

// A Cast between two values of the same device dtype (bool <-> float masks) only copies.
void castsToIdentity(ir::Graph &g, const std::map<std::string, int> &valueIndex) {
  auto dtypeOf = [&](const std::string &name) {
    auto it = valueIndex.find(name);
    return it == valueIndex.end() ? ir::DT_UNDEFINED : g.values(it->second).dtype();
  };
  for (auto &n : *g.mutable_nodes()) {
    if (n.op_type() != "Cast" || n.inputs_size() != 1 || n.outputs_size() != 1) continue;
    if (dtypeOf(n.inputs(0)) != dtypeOf(n.outputs(0))) continue;
    n.set_op_type("Identity");
    n.clear_attrs();
  }
}

}  // namespace

llvm::Expected<ir::DType> floatDType(llvm::StringRef floatDtype) {
  if (floatDtype == "float" || floatDtype == "mixed") return ir::F32;
  if (floatDtype == "double") return ir::F64;
  if (floatDtype == "half") return ir::F16;
  return makeError(ErrorCode::BadOptionValue,
                   "--float_dtype={0}: expected one of mixed, half, float, double", floatDtype);
}

llvm::Expected<ir::Graph> lowerModel(const onnx::ModelProto &model, const ImportOptions &options,
                                     llvm::StringRef modelPath) {
  auto fdt = floatDType(options.float_dtype);
  if (!fdt) return fdt.takeError();
  const onnx::GraphProto &og = model.graph();
  const llvm::StringMap<ValueType> types = collectValueTypes(og);

  std::map<std::string, const onnx::TensorProto *> inits;
  for (const auto &t : og.initializer()) inits[t.name()] = &t;
  std::map<std::string, HostTensor> decoded;
  llvm::Error firstDecodeError = llvm::Error::success();
  auto constant = [&](const std::string &name) -> const HostTensor * {
    auto d = decoded.find(name);
    if (d != decoded.end()) return &d->second;
    auto it = inits.find(name);
    if (it == inits.end()) return nullptr;
    auto t = decodeTensor(*it->second);
    if (!t) {
      if (!firstDecodeError) firstDecodeError = t.takeError();
      else llvm::consumeError(t.takeError());
      return nullptr;
    }
    return &(decoded[name] = std::move(*t));
  };

  ir::Graph g;
  g.set_name(og.name());
  g.set_ir_version(1);
  const int64_t opset = defaultOpset(model);
  LoopControl loops;
  for (const auto &n : og.node()) {
    *g.add_nodes() = lowerNode(n, constant, types, opset);
    if (n.op_type() == "Loop" && n.output_size()) loops[n.output(0)] = loopControlInputs(n);
  }

  // Values: inputs, then params and activations in first-use order.
  std::map<std::string, int> valueIndex;
  std::vector<std::string> notStatic;
  const llvm::StringSet<> heldAsFloat = valuesHeldAsFloat(og, types, inits);
  auto addValue = [&](const std::string &name, ir::Value::Kind kind) -> llvm::Error {
    if (name.empty() || valueIndex.count(name)) return llvm::Error::success();
    ir::Value v;
    v.set_name(name);
    v.set_kind(kind);
    auto t = types.find(name);
    const ValueType vt = t == types.end() ? ValueType{} : t->second;
    v.set_dtype(isOnnxFloatType(vt.elem_type) || heldAsFloat.contains(name) ? *fdt
                                                                            : ir::fromOnnxType(vt.elem_type));
    if (!vt.isStatic()) notStatic.push_back(name + " (" + (vt.has_shape ? shapeText(vt.dims) : "unknown rank") + ")");
    for (int64_t d : vt.dims) v.add_shape(d);
    if (kind == ir::Value::PARAM) {
      const HostTensor *c = constant(name);
      if (!c) return makeError(ErrorCode::ModelMalformed, "{0}: cannot read initializer '{1}'", modelPath, name);
      v.set_data(encodeParamBytes(*c, v.dtype()));
    }
    valueIndex[name] = g.values_size();
    *g.add_values() = std::move(v);
    return llvm::Error::success();
  };
  auto kindOf = [&](const std::string &name) {
    return inits.count(name) ? ir::Value::PARAM : ir::Value::ACTIVATION;
  };
  for (const auto &vi : og.input()) {
    g.add_inputs(vi.name());
    if (auto err = addValue(vi.name(), ir::Value::INPUT)) return std::move(err);
  }
  for (const auto &n : g.nodes()) {
    for (const auto &i : n.inputs())
      if (auto err = addValue(i, kindOf(i))) return std::move(err);
    for (const auto &o : n.outputs())
      if (auto err = addValue(o, ir::Value::ACTIVATION)) return std::move(err);
  }
  for (const auto &vi : og.output()) {
    g.add_outputs(vi.name());
    if (auto err = addValue(vi.name(), kindOf(vi.name()))) return std::move(err);
  }
  if (firstDecodeError) return std::move(firstDecodeError);
  castsToIdentity(g, valueIndex);

  auto hostValues = placeHostOps(g, valueIndex, [&](const ir::Node &n) {
    return checkOnDevice(g, valueIndex, loops, n).runs();
  }, modelPath);
  if (!hostValues) return hostValues.takeError();
  if (auto err = checkDeviceOps(g, valueIndex, loops, modelPath)) return std::move(err);
  // Host ops give their results a shape (or an upper bound) where shape inference could not.
  llvm::erase_if(notStatic, [&](const std::string &entry) {
    return hostValues->contains(llvm::StringRef(entry).split(" (").first);
  });
  if (!notStatic.empty())
    return makeError(ErrorCode::ShapeInference,
                     "{0}: shape inference left {1} value(s) without a static shape: {2}", modelPath,
                     notStatic.size(), listText(notStatic));
  produceOutputsByNodes(g, valueIndex);
  return g;
}

}  // namespace pfcomp::import
