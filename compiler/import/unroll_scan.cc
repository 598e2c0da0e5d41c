// Scan unrolled over its static sequence length: iteration t reads element t (or L−1−t in
// reverse) of each scan input along its scan axis (a Gather with a constant index, a copy on
// the device), and the scan outputs stack the body's per-iteration values along their axes.
// Scan-8 (opset 8) has a batch axis 0 before the sequence axis 1: each batch entry is its own
// scan, and sequence_lens must be absent or the full length everywhere.
#include "compiler/import/unroll.h"

#include "compiler/import/const_eval.h"

#include <algorithm>

namespace pfcomp::import {
namespace {

std::vector<int64_t> intsOr(const onnx::NodeProto &n, const char *name, size_t count, int64_t dflt) {
  std::vector<int64_t> v = attrInts(n, name);
  return v.empty() ? std::vector<int64_t>(count, dflt) : v;
}

class ScanUnroller {
 public:
  ScanUnroller(UnrollContext &c, const onnx::GraphProto &body, std::string prefix, InlinedParts &parts)
      : c_(c), body_(body), prefix_(std::move(prefix)), parts_(parts) {}

  std::string gather(const std::string &x, int64_t index, int64_t axis) {
    const std::string name = prefix_ + "g" + std::to_string(count_++);
    HostTensor scalar = HostTensor::make(onnx::TensorProto::INT64, {});  // drops the axis
    scalar.i[0] = index;
    parts_.initializers.push_back(encodeTensor(scalar, name + "/index"));
    onnx::NodeProto &g = *parts_.nodes.Add();
    g.set_op_type("Gather");
    g.set_name(name);
    g.add_input(x);
    g.add_input(name + "/index");
    g.add_output(name + "/out");
    auto *a = g.add_attribute();
    a->set_name("axis"), a->set_type(onnx::AttributeProto::INT), a->set_i(axis);
    return g.output(0);
  }

  // One scan of length L: `states` are updated in place; returns per scan output its values in
  // iteration order.
  std::vector<std::vector<std::string>> run(std::vector<std::string> &states,
                                            const std::vector<std::string> &xs,
                                            const std::vector<int64_t> &axes,
                                            const std::vector<int64_t> &reverse, int64_t L) {
    const size_t N = states.size();
    std::vector<std::vector<std::string>> outputs(body_.output_size() - N);
    for (int64_t t = 0; t < L; ++t) {
      std::vector<std::string> ins = states;
      for (size_t i = 0; i < xs.size(); ++i) ins.push_back(gather(xs[i], reverse[i] ? L - 1 - t : t, axes[i]));
      const std::string iter = prefix_ + "iter" + std::to_string(iterations_++) + "/";
      std::vector<std::string> outs = inlineSubgraph(body_, iter, ins, parts_);
      states.assign(outs.begin(), outs.begin() + N);
      for (size_t s = 0; s < outputs.size(); ++s) outputs[s].push_back(outs[N + s]);
    }
    return outputs;
  }

  std::string stack(std::vector<std::string> xs, int64_t axis, const std::string &to = "") {
    const std::string name = prefix_ + "stack" + std::to_string(count_++);
    appendStack(parts_, name, xs, axis, c_.opset(), to.empty() ? name + "/out" : to);
    return to.empty() ? name + "/out" : to;
  }

 private:
  UnrollContext &c_;
  const onnx::GraphProto &body_;
  std::string prefix_;
  InlinedParts &parts_;
  int count_ = 0, iterations_ = 0;
};

bool unrollScan9(UnrollContext &c, const onnx::NodeProto &n, const onnx::GraphProto &body,
                 InlinedParts &parts) {
  const int64_t M = attrInt(n, "num_scan_inputs", -1), N = n.input_size() - M;
  const int64_t S = body.output_size() - N;
  if (M <= 0 || N < 0 || S < 0 || body.input_size() != N + M || n.output_size() > N + S) return false;
  std::vector<int64_t> axes = intsOr(n, "scan_input_axes", M, 0), dirs = intsOr(n, "scan_input_directions", M, 0);
  const std::vector<int64_t> outAxes = intsOr(n, "scan_output_axes", S, 0),
                             outDirs = intsOr(n, "scan_output_directions", S, 0);
  if (int64_t(axes.size()) != M || int64_t(dirs.size()) != M || int64_t(outAxes.size()) != S ||
      int64_t(outDirs.size()) != S)
    return false;
  int64_t L = -1;
  for (int64_t i = 0; i < M; ++i) {
    const ValueType *x = c.staticType(n.input(N + i));
    if (!x) return false;
    const int64_t rank = x->dims.size();
    if (axes[i] < 0) axes[i] += rank;
    if (axes[i] < 0 || axes[i] >= rank || (L >= 0 && x->dims[axes[i]] != L)) return false;
    L = x->dims[axes[i]];
  }
  if (L <= 0 || L > kMaxUnrolledIterations || L * body.node_size() > kMaxUnrolledNodes) return false;
  std::vector<int64_t> stackAxes(S);
  for (int64_t s = 0; s < S; ++s) {
    stackAxes[s] = outAxes[s];
    if (stackAxes[s] >= 0 || N + s >= n.output_size()) continue;
    const ValueType *y = c.staticType(n.output(N + s));
    if (!y) return false;
    stackAxes[s] += y->dims.size();
  }
  ScanUnroller u(c, body, c.freshPrefix(n.name().empty() ? "scan" : n.name()), parts);
  std::vector<std::string> states(n.input().begin(), n.input().begin() + N);
  std::vector<std::string> xs(n.input().begin() + N, n.input().end());
  auto outputs = u.run(states, xs, axes, dirs, L);
  for (int64_t k = 0; k < n.output_size(); ++k) {
    if (n.output(k).empty()) continue;
    if (k < N) {
      appendIdentity(parts, n.output(k) + "/copy", states[k], n.output(k));
      continue;
    }
    std::vector<std::string> items = outputs[k - N];
    if (outDirs[k - N]) std::reverse(items.begin(), items.end());
    u.stack(items, stackAxes[k - N], n.output(k));
  }
  return true;
}

bool unrollScan8(UnrollContext &c, const onnx::NodeProto &n, const onnx::GraphProto &body,
                 InlinedParts &parts) {
  const int64_t M = attrInt(n, "num_scan_inputs", -1), N = n.input_size() - 1 - M;
  const int64_t S = body.output_size() - N;
  if (M <= 0 || N < 0 || S < 0 || body.input_size() != N + M || n.output_size() > N + S) return false;
  const std::vector<int64_t> dirs = intsOr(n, "directions", M, 0);
  if (int64_t(dirs.size()) != M) return false;
  int64_t B = -1, L = -1;
  for (int64_t i = 0; i < M; ++i) {
    const ValueType *x = c.staticType(n.input(1 + N + i));
    if (!x || x->dims.size() < 2 || (B >= 0 && (x->dims[0] != B || x->dims[1] != L))) return false;
    B = x->dims[0], L = x->dims[1];
  }
  if (B <= 0 || L <= 0 || B * L > kMaxUnrolledIterations || B * L * body.node_size() > kMaxUnrolledNodes)
    return false;
  if (!n.input(0).empty()) {  // sequence_lens: only the full length everywhere
    const HostTensor *lens = c.constant(n.input(0));
    if (!lens || lens->numElements() != B) return false;
    for (int64_t b = 0; b < B; ++b)
      if (lens->getI(b) != L) return false;
  }
  ScanUnroller u(c, body, c.freshPrefix(n.name().empty() ? "scan" : n.name()), parts);
  std::vector<std::vector<std::string>> finalStates(N), scanOutputs(S);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<std::string> states, xs;
    for (int64_t j = 0; j < N; ++j) states.push_back(u.gather(n.input(1 + j), b, 0));
    for (int64_t i = 0; i < M; ++i) xs.push_back(u.gather(n.input(1 + N + i), b, 0));
    auto outputs = u.run(states, xs, std::vector<int64_t>(M, 0), dirs, L);
    for (int64_t j = 0; j < N; ++j) finalStates[j].push_back(states[j]);
    for (int64_t s = 0; s < S; ++s) scanOutputs[s].push_back(u.stack(outputs[s], 0));
  }
  for (int64_t k = 0; k < n.output_size(); ++k)
    if (!n.output(k).empty()) u.stack(k < N ? finalStates[k] : scanOutputs[k - N], 0, n.output(k));
  return true;
}

}  // namespace

bool unrollScan(UnrollContext &c, const onnx::NodeProto &n, InlinedParts &parts) {
  const onnx::GraphProto *body = graphAttr(n, "body");
  if (!body) return false;
  return c.opset() < 9 ? unrollScan8(c, n, *body, parts) : unrollScan9(c, n, *body, parts);
}

}  // namespace pfcomp::import
