#include "compiler/import/unroll.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/graph_edit.h"

namespace pfcomp::import {
namespace {

using Known = std::map<std::string, HostTensor>;

// The part of a Loop body its condition depends on, across iterations: the cone of cond_out
// and, for every loop-carried input in it, the cone of that value's next iteration.
struct ConditionCone {
  std::vector<bool> nodes;      // body nodes, by index
  std::vector<bool> carried;    // loop-carried values, by index
  std::vector<std::string> outer;  // enclosing-graph values read
};

ConditionCone conditionCone(const onnx::GraphProto &body, int carriedCount) {
  ConditionCone cone{std::vector<bool>(body.node_size()), std::vector<bool>(carriedCount), {}};
  std::map<std::string, int> producer, input;
  for (int k = 0; k < body.node_size(); ++k)
    for (const auto &o : body.node(k).output()) producer[o] = k;
  for (int k = 0; k < body.input_size(); ++k) input[body.input(k).name()] = k;
  llvm::StringSet<> inits, seen;
  for (const auto &t : body.initializer()) inits.insert(t.name());
  std::vector<std::string> work;
  if (body.output_size()) work.push_back(body.output(0).name());
  while (!work.empty()) {
    std::string v = work.back();
    work.pop_back();
    if (v.empty() || !seen.insert(v).second || inits.contains(v)) continue;
    if (auto p = producer.find(v); p != producer.end()) {
      cone.nodes[p->second] = true;
      for (const auto &i : body.node(p->second).input()) work.push_back(i);
    } else if (auto in = input.find(v); in != input.end()) {
      const int j = in->second - 2;
      if (j >= 0 && j < carriedCount && 1 + j < body.output_size()) {
        cone.carried[j] = true;
        work.push_back(body.output(1 + j).name());
      }
    } else {
      cone.outer.push_back(v);
    }
  }
  return cone;
}

// Evaluates the cone's nodes whose inputs are known (body values in `known`, enclosing-graph
// constants from `c`); their results join `known`.
void propagate(const onnx::GraphProto &body, const std::vector<bool> &cone, Known &known,
               UnrollContext &c) {
  for (int k = 0; k < body.node_size(); ++k) {
    const onnx::NodeProto &n = body.node(k);
    if (!cone[k] || !canEvaluate(n.op_type())) continue;
    std::vector<const HostTensor *> ins;
    bool ready = true;
    for (const auto &name : n.input()) {
      const HostTensor *t = nullptr;
      if (!name.empty()) {
        auto it = known.find(name);
        t = it != known.end() ? &it->second : c.constant(name);
        ready &= t != nullptr;
      }
      ins.push_back(t);
    }
    if (!ready) continue;
    auto outs = evaluateNode(n, ins);
    if (!outs) {
      llvm::consumeError(outs.takeError());
      continue;
    }
    for (int o = 0; o < n.output_size() && o < static_cast<int>(outs->size()); ++o)
      known[n.output(o)] = std::move((*outs)[o]);
  }
}

HostTensor scalarOf(int32_t type, int64_t v) {
  HostTensor t = HostTensor::make(type, {});
  if (t.isFloat()) t.f[0] = static_cast<double>(v);
  else t.i[0] = v;
  return t;
}

int32_t elemTypeOf(const onnx::ValueInfoProto &vi, int32_t dflt) {
  const int32_t t = vi.type().tensor_type().elem_type();
  return t && isHostSupportedType(t) ? t : dflt;
}

// How often the Loop runs (an iteration runs while its condition is true, so its cond_in is
// true); false when that is not known at compile time.
bool tripCount(UnrollContext &c, const onnx::NodeProto &n, const onnx::GraphProto &body,
               int carriedCount, int64_t &trips) {
  const bool hasM = !n.input(0).empty(), hasCond = n.input_size() > 1 && !n.input(1).empty();
  int64_t M = 0;
  bool cond = true;
  if (hasM) {
    const HostTensor *m = c.constant(n.input(0));
    if (!m || m->numElements() != 1) return false;
    M = m->getI(0);
  }
  if (hasCond) {
    const HostTensor *t = c.constant(n.input(1));
    if (!t || t->numElements() != 1) return false;
    cond = t->getF(0) != 0;
  }
  if (!hasM && !hasCond) return false;  // runs forever
  // Without a cond input the body's condition is ignored (ONNX: a for loop).
  const ConditionCone cone = hasCond ? conditionCone(body, carriedCount) : ConditionCone{};
  Known carried;
  for (int j = 0; hasCond && j < carriedCount; ++j)
    if (const HostTensor *t = cone.carried[j] ? c.constant(n.input(2 + j)) : nullptr)
      carried[body.input(2 + j).name()] = *t;
  Known inits;  // those the condition reads (a body may hold large weights)
  llvm::StringSet<> read;
  for (int k = 0; k < body.node_size(); ++k)
    for (const auto &i : body.node(k).input())
      if (cone.nodes.size() > size_t(k) && cone.nodes[k]) read.insert(i);
  for (int k = 0; hasCond && k <= carriedCount && k < body.output_size(); ++k)
    if (k == 0 || cone.carried[k - 1]) read.insert(body.output(k).name());  // outputs may be initializers
  for (const auto &t : body.initializer()) {
    if (!read.contains(t.name())) continue;
    auto decoded = decodeTensor(t);
    if (decoded) inits[t.name()] = std::move(*decoded);
    else llvm::consumeError(decoded.takeError());
  }
  for (trips = 0; cond && (!hasM || trips < M); ++trips) {
    if (trips >= kMaxUnrolledIterations) return false;
    if (!hasCond) continue;
    Known known = inits;
    known.insert(carried.begin(), carried.end());
    known[body.input(0).name()] = scalarOf(elemTypeOf(body.input(0), onnx::TensorProto::INT64), trips);
    known[body.input(1).name()] = scalarOf(onnx::TensorProto::BOOL, 1);
    propagate(body, cone.nodes, known, c);
    auto next = known.find(body.output(0).name());
    const HostTensor *value = next != known.end() ? &next->second : c.constant(body.output(0).name());
    if (!value || value->numElements() != 1) return false;
    cond = value->getF(0) != 0;
    carried.clear();
    for (int j = 0; j < carriedCount; ++j)
      if (auto it = known.find(body.output(1 + j).name()); cone.carried[j] && it != known.end())
        carried[body.input(2 + j).name()] = it->second;
  }
  return true;
}

}  // namespace

UnrollContext::UnrollContext(const onnx::GraphProto &g, int64_t opset)
    : types_(collectValueTypes(g)), opset_(opset) {
  for (const auto &t : g.initializer()) inits_[t.name()] = &t;
  names_ = usedValueNames(g);
  for (const auto &vi : g.input()) names_.insert(vi.name());
  for (const auto &t : g.initializer()) names_.insert(t.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output()) names_.insert(o);
}

const HostTensor *UnrollContext::constant(const std::string &name) {
  if (auto d = decoded_.find(name); d != decoded_.end()) return &d->second;
  auto it = inits_.find(name);
  if (it == inits_.end()) return nullptr;
  auto t = decodeTensor(*it->second);
  if (!t) {
    llvm::consumeError(t.takeError());
    return nullptr;
  }
  return &(decoded_[name] = std::move(*t));
}

const ValueType *UnrollContext::staticType(const std::string &name) const {
  auto it = types_.find(name);
  return it == types_.end() || !it->second.isStatic() ? nullptr : &it->second;
}

std::string UnrollContext::freshPrefix(const std::string &base) {
  auto taken = [&](const std::string &prefix) {
    for (const auto &n : names_)
      if (n.getKey().startswith(prefix)) return true;
    return false;
  };
  std::string prefix = base + "/";
  for (int k = 1; taken(prefix); ++k) prefix = base + "_" + std::to_string(k) + "/";
  names_.insert(prefix);
  return prefix;
}

bool unrollLoop(UnrollContext &c, const onnx::NodeProto &n, InlinedParts &parts) {
  const onnx::GraphProto *body = graphAttr(n, "body");
  if (!body || n.input_size() < 2) return false;
  const int K = n.input_size() - 2, S = body->output_size() - 1 - K;
  if (body->input_size() != K + 2 || S < 0 || n.output_size() > K + S) return false;
  int64_t trips = 0;
  if (!tripCount(c, n, *body, K, trips)) return false;
  if (trips == 0 && S > 0) return false;  // empty scan outputs have no device form
  if (trips * body->node_size() > kMaxUnrolledNodes) return false;
  const std::string prefix = c.freshPrefix(n.name().empty() ? "loop" : n.name());
  std::vector<std::string> carried(n.input().begin() + 2, n.input().end());
  std::vector<std::vector<std::string>> scans(S);
  for (int64_t k = 0; k < trips; ++k) {
    const std::string iter = prefix + "iter" + std::to_string(k) + "/";
    std::vector<std::string> ins{iter + body->input(0).name(), iter + body->input(1).name()};
    parts.initializers.push_back(encodeTensor(
        scalarOf(elemTypeOf(body->input(0), onnx::TensorProto::INT64), k), ins[0]));
    parts.initializers.push_back(encodeTensor(scalarOf(onnx::TensorProto::BOOL, 1), ins[1]));
    ins.insert(ins.end(), carried.begin(), carried.end());
    std::vector<std::string> outs = inlineSubgraph(*body, iter, ins, parts);
    carried.assign(outs.begin() + 1, outs.begin() + 1 + K);
    for (int s = 0; s < S; ++s) scans[s].push_back(outs[1 + K + s]);
  }
  for (int k = 0; k < n.output_size(); ++k) {
    if (n.output(k).empty()) continue;
    const std::string name = prefix + "out" + std::to_string(k);
    if (k < K) appendIdentity(parts, name, carried[k], n.output(k));
    else appendStack(parts, name, scans[k - K], 0, c.opset(), n.output(k));
  }
  return true;
}

std::vector<std::string> loopControlInputs(const onnx::NodeProto &n) {
  std::vector<std::string> control;
  const onnx::GraphProto *body = graphAttr(n, "body");
  if (n.op_type() != "Loop" || !body || n.input_size() < 2) return control;
  if (!n.input(0).empty()) control.push_back(n.input(0));
  if (n.input(1).empty()) return control;
  control.push_back(n.input(1));
  const ConditionCone cone = conditionCone(*body, n.input_size() - 2);
  for (int j = 0; j < n.input_size() - 2; ++j)
    if (cone.carried[j] && !n.input(2 + j).empty()) control.push_back(n.input(2 + j));
  control.insert(control.end(), cone.outer.begin(), cone.outer.end());
  return control;
}

int unrollStaticLoops(onnx::GraphProto &g, int64_t opset) {
  bool any = false;
  for (const auto &node : g.node()) any |= node.op_type() == "Loop" || node.op_type() == "Scan";
  if (!any) return 0;  // the common case: no type and name tables to build
  UnrollContext c(g, opset);
  InlinedParts parts;
  int unrolled = 0;
  for (const auto &node : g.node()) {
    const bool done = (node.op_type() == "Loop" && unrollLoop(c, node, parts)) ||
                      (node.op_type() == "Scan" && unrollScan(c, node, parts));
    if (done) ++unrolled;
    else *parts.nodes.Add() = node;
  }
  if (unrolled == 0) return 0;
  replaceNodes(g, parts);
  return unrolled;
}

}  // namespace pfcomp::import
