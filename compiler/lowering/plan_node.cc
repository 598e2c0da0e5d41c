#include "compiler/lowering/plan_node.h"

#include "compiler/ir/op_support.h"
#include "compiler/lowering/rules.h"
#include "runtime/device/kernels/kernel.h"

#include <map>

namespace pfcomp::lowering {

GraphView::GraphView(const ir::Graph &graph) : graph_(graph) {
  for (int i = 0; i < graph.values_size(); ++i) index_[graph.values(i).name()] = i;
  auto it = graph.meta().find("opset");
  if (it != graph.meta().end()) opset_ = std::atoi(it->second.c_str());
}

bool GraphView::has(const std::string &name) const { return index_.count(name) != 0; }

const ir::Value &GraphView::value(const std::string &name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return ir::Value::default_instance();
  return graph_.values(it->second);
}

Dims GraphView::shape(const std::string &name) const {
  const ir::Value &v = value(name);
  return Dims(v.shape().begin(), v.shape().end());
}

bool OperandMap::follows_reduction() const {
  for (const auto &a : axes)
    if (a.red_follows() >= 0) return true;
  return false;
}

int64_t OperandMap::elements() const {
  int64_t n = 1;
  for (const auto &a : axes) n *= a.size();
  return n;
}

llvm::Expected<std::vector<LayerPlan>> planNode(const ir::Node &node, const GraphView &graph,
                                                const Tile &tile) {
  using Rule = rules::Layers (*)(rules::RuleContext &);
  static const std::map<std::string, Rule, std::less<>> table = [] {
    std::map<std::string, Rule, std::less<>> t;
    for (const char *op : {"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf",
                           "Reciprocal", "Floor", "Ceil", "LeakyRelu", "Elu", "Softplus", "Clip",
                           "Gelu", "HardSigmoid", "HardSwish", "Sin", "Cos", "Sign", "Softsign",
                           "Selu", "Mish", "Not", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
                           "Asinh", "Acosh", "Atanh", "Round", "IsNaN", "IsInf", "ThresholdedRelu",
                           "Shrink"})
      t[op] = rules::unary;
    for (const char *op : {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu", "Equal", "Less",
                           "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Mod", "BitShift"})
      t[op] = rules::binary;
    t["Where"] = rules::where;
    t["ArgMax"] = rules::argReduce;
    t["ArgMin"] = rules::argReduce;
    t["CumSum"] = rules::cumSum;
    t["Hardmax"] = rules::hardmax;
    t["Trilu"] = rules::trilu;
    t["InstanceNormalization"] = rules::instanceNorm;
    t["Resize"] = rules::resize;
    t["ConvTranspose"] = rules::convTranspose;
    t["Pad"] = rules::pad;
    t["Expand"] = rules::expand;
    t["MatMul"] = rules::matmul;
    t["Gemm"] = rules::gemm;
    t["Conv"] = rules::conv;
    t["MaxPool"] = rules::pool;
    t["AveragePool"] = rules::pool;
    t["GlobalAveragePool"] = rules::globalPool;
    t["GlobalMaxPool"] = rules::globalPool;
    for (const char *op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd"})
      t[op] = rules::reduce;
    t["Softmax"] = rules::softmax;
    t["LogSoftmax"] = rules::softmax;
    t["LayerNormalization"] = rules::layerNorm;
    t["Transpose"] = rules::transpose;
    t["Cast"] = rules::cast;
    t["Slice"] = rules::slice;
    t["Concat"] = rules::concat;
    t["Split"] = rules::split;
    t["Gather"] = rules::gather;
    return t;
  }();
  // Alias ops share their input's DRAM; host ops run on the host: neither has device layers.
  if (ir::isAliasOp(node.op_type()) || node.on_host()) return std::vector<LayerPlan>{};
  // A node whose outputs hold no elements has nothing to compute or move.
  bool anyElements = false;
  for (const std::string &out : node.outputs())
    if (!out.empty()) {
      const ir::Value &v = graph.value(out);
      int64_t n = 1;
      for (int64_t d : v.shape()) n *= d;
      anyElements |= n > 0;
    }
  if (!anyElements) return std::vector<LayerPlan>{};
  auto it = table.find(node.op_type());
  if (it == table.end())
    return makeError(ErrorCode::UnsupportedOp, "node '{0}': op {1} has no device lowering",
                     node.name(), node.op_type());
  rules::RuleContext ctx(node, graph, tile);
  return it->second(ctx);
}

int64_t lmFootprint(const LayerPlan &plan, int64_t elementBytes) {
  auto aligned = [&](const OperandMap *op, int64_t elems) {
    int64_t size = op && op->lm_dtype != device::DT_UNDEFINED ? device::dtypeBytes(op->lm_dtype) : elementBytes;
    return (elems * size + 63) / 64 * 64;
  };
  int64_t bytes = 0;
  for (const OperandMap &in : plan.inputs) bytes += aligned(&in, in.elements());
  if (!plan.kernel_op.empty()) bytes += aligned(nullptr, rules::product(plan.output.kernel_shape));
  for (const Epilogue &e : plan.epilogue) bytes += aligned(&e.operand, e.operand.elements());
  return bytes;
}

}  // namespace pfcomp::lowering
