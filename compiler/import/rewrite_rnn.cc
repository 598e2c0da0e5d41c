// LSTM, GRU and RNN with a static sequence length, unrolled into device ops. X·Wᵀ (+ biases)
// is one MatMul over all steps; each step slices its row block and adds H·Rᵀ. Weight slicing
// and transposes are emitted as nodes over W / R / B, which constant folding then turns into
// parameters.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"
#include "support/error.h"

namespace pfcomp::import {
namespace {

// One activation function of the `activations` attribute, with its alpha / beta.
struct Activation {
  std::string op;
  float alpha = 0, beta = 0;
  bool hasAlpha = false, hasBeta = false;
};

std::vector<std::string> attrStrings(const onnx::NodeProto &n, llvm::StringRef name) {
  const onnx::AttributeProto *a = findAttr(n, name);
  if (!a) return {};
  return {a->strings().begin(), a->strings().end()};
}

std::vector<float> attrFloats(const onnx::NodeProto &n, llvm::StringRef name) {
  const onnx::AttributeProto *a = findAttr(n, name);
  if (!a) return {};
  return {a->floats().begin(), a->floats().end()};
}

llvm::Error refuse(const onnx::NodeProto &n, const llvm::Twine &why) {
  return makeError(ErrorCode::UnsupportedOp, "{0} ({1}) cannot run on the device: {2}", n.name(),
                   n.op_type(), why.str());
}

// The activations of every direction (gates each), defaults filled in; alphas and betas are
// consumed in order by the functions that take them (as onnxruntime reads them).
llvm::Expected<std::vector<Activation>> activations(const onnx::NodeProto &n, int dirs,
                                                     const std::vector<std::string> &dflt) {
  std::vector<std::string> names = attrStrings(n, "activations");
  if (names.empty())
    for (int d = 0; d < dirs; ++d) names.insert(names.end(), dflt.begin(), dflt.end());
  if (names.size() != dflt.size() * dirs)
    return refuse(n, "activations lists " + std::to_string(names.size()) + " functions, expected " +
                         std::to_string(dflt.size() * dirs));
  std::vector<float> alphas = attrFloats(n, "activation_alpha"), betas = attrFloats(n, "activation_beta");
  size_t ai = 0, bi = 0;
  std::vector<Activation> out;
  for (const auto &name : names) {
    Activation a;
    const std::string lower = llvm::StringRef(name).lower();
    if (lower == "sigmoid") a.op = "Sigmoid";
    else if (lower == "tanh") a.op = "Tanh";
    else if (lower == "relu") a.op = "Relu";
    else if (lower == "softsign") a.op = "Softsign";
    else if (lower == "softplus") a.op = "Softplus";
    else if (lower == "leakyrelu") a.op = "LeakyRelu", a.hasAlpha = true, a.alpha = 0.01f;
    else if (lower == "elu") a.op = "Elu", a.hasAlpha = true, a.alpha = 1.0f;
    else if (lower == "hardsigmoid")
      a.op = "HardSigmoid", a.hasAlpha = a.hasBeta = true, a.alpha = 0.2f, a.beta = 0.5f;
    else return refuse(n, "activation '" + name + "' is not supported");
    if (a.hasAlpha && ai < alphas.size()) a.alpha = alphas[ai++];
    if (a.hasBeta && bi < betas.size()) a.beta = betas[bi++];
    out.push_back(a);
  }
  return out;
}

struct Recurrence {
  const onnx::NodeProto &n;
  NodeBuilder &b;
  int32_t type;        // the float type of X
  int64_t S, B, I, H;  // steps, batch, input size, hidden size
  int layout;          // 0: [S, B, ...]; 1: [B, S, ...]
  int gates;           // 4 (LSTM), 3 (GRU), 1 (RNN)

  std::string act(const Activation &a, const std::string &x) {
    onnx::NodeProto &node = b.node(a.op, {x});
    if (a.hasAlpha) setAttr(node, "alpha", a.alpha);
    if (a.hasBeta) setAttr(node, "beta", a.beta);
    return node.output(0);
  }
  std::string cols(const std::string &x, int64_t from, int64_t to) { return b.slice(x, 1, from * H, to * H); }

  // Direction d of a [dirs, ...] weight as a 2-D [rows, cols] matrix.
  std::string weight(const std::string &w, int d, int64_t rows, int64_t cols) {
    return b.reshape(b.slice(w, 0, d, d + 1), {rows, cols});
  }
  // Direction d of initial_h / initial_c as [B, H], or "" when absent.
  std::string initialState(int k, int d) {
    if (n.input_size() <= k || n.input(k).empty()) return "";
    return b.reshape(b.slice(n.input(k), layout ? 1 : 0, d, d + 1), {B, H});
  }
  bool isZero(const std::string &name) {
    HostTensor t;
    if (name.empty()) return true;
    if (!b.context().constant(name, t)) return false;
    for (int64_t k = 0; k < t.numElements(); ++k)
      if (t.getF(k) != 0.0) return false;
    return true;
  }
};

}  // namespace

llvm::Expected<bool> rewriteRecurrent(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const std::string &op = n.op_type();
  const int gates = op == "LSTM" ? 4 : op == "GRU" ? 3 : 1;
  if (n.input_size() < 3) return false;
  const ValueType *x = c.staticType(n.input(0)), *w = c.staticType(n.input(1));
  if (!x || !w || x->dims.size() != 3 || w->dims.size() != 3) return false;
  const int layout = attrInt(n, "layout", 0);
  const std::string direction = [&] {
    const onnx::AttributeProto *a = findAttr(n, "direction");
    return a ? a->s() : std::string("forward");
  }();
  const int dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return refuse(n, "direction '" + direction + "' is unknown");
  if (findAttr(n, "clip")) return refuse(n, "the clip attribute is not supported");
  if (attrInt(n, "input_forget", 0) != 0) return refuse(n, "input_forget=1 is not supported");
  const int64_t S = x->dims[layout ? 1 : 0], B = x->dims[layout ? 0 : 1], I = x->dims[2];
  const int64_t H = w->dims[1] / gates;
  if (n.input_size() > 4 && !n.input(4).empty()) {
    HostTensor lens;
    if (!c.constant(n.input(4), lens)) {
      std::string why = "sequence_lens is computed at run time; only a constant equal to the full length (" +
                        std::to_string(S) + ") is supported";
      // Given as a graph input, it can be frozen (the wording tools/conformance reads).
      for (const auto &vi : c.g.input())
        if (vi.name() == n.input(4))
          why += "; to compile the model for fixed values of them, pass --constant_input=NAME=FILE.pb "
                 "for the graph inputs they are computed from: " + vi.name();
      return refuse(n, why);
    }
    for (int64_t k = 0; k < lens.numElements(); ++k)
      if (lens.getI(k) != S)
        return refuse(n, "sequence_lens holds " + std::to_string(lens.getI(k)) +
                             "; only the full length (" + std::to_string(S) + ") is supported");
  }
  const std::vector<std::string> dflt = op == "LSTM"  ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                        : op == "GRU" ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                                      : std::vector<std::string>{"Tanh"};
  auto acts = activations(n, dirs, dflt);
  if (!acts) return acts.takeError();

  NodeBuilder b(c, n, out);
  Recurrence r{n, b, x->elem_type, S, B, I, H, layout, gates};
  const bool hasBias = n.input_size() > 3 && !n.input(3).empty();
  const bool lbr = op == "GRU" && attrInt(n, "linear_before_reset", 0) != 0;
  const bool wantY = c.isUsed(n.output(0));
  std::vector<std::string> ys, lastH, lastC;  // per direction
  for (int d = 0; d < dirs; ++d) {
    const Activation *a = &(*acts)[d * dflt.size()];
    const std::string wt = b.transpose(r.weight(n.input(1), d, gates * H, I), {1, 0});  // [I, gH]
    const std::string rt = b.transpose(r.weight(n.input(2), d, gates * H, H), {1, 0});  // [H, gH]
    std::string xw = b.op("MatMul", {n.input(0), wt});                                   // [S,B,gH] / [B,S,gH]
    std::string rbh;  // GRU with linear_before_reset: Rbh stays inside the reset gate's product
    if (hasBias) {
      const std::string bd = b.reshape(b.slice(n.input(3), 0, d, d + 1), {2 * gates * H});
      const std::string wb = b.slice(bd, 0, 0, gates * H);
      std::string rb = b.slice(bd, 0, gates * H, 2 * gates * H);
      if (lbr) {
        rbh = b.slice(rb, 0, 2 * H, 3 * H);
        rb = b.concat({b.slice(rb, 0, 0, 2 * H), b.filled(0.0, r.type, {H})}, 0);
      }
      xw = b.op("Add", {xw, b.op("Add", {wb, rb})});
    }
    std::string h = r.initialState(5, d), cell = op == "LSTM" ? r.initialState(6, d) : "";
    bool hZero = r.isZero(n.input_size() > 5 ? n.input(5) : ""), cZero = r.isZero(n.input_size() > 6 ? n.input(6) : "");
    if (h.empty()) h = b.filled(0.0, r.type, {B, H});
    if (op == "LSTM" && cell.empty()) cell = b.filled(0.0, r.type, {B, H});
    // LSTM peepholes P [dirs, 3H] (i, o, f): the cell state's share in those gates.
    std::string pi, po, pf;
    if (op == "LSTM" && n.input_size() > 7 && !n.input(7).empty()) {
      const std::string p = b.reshape(b.slice(n.input(7), 0, d, d + 1), {3 * H});
      pi = b.slice(p, 0, 0, H), po = b.slice(p, 0, H, 2 * H), pf = b.slice(p, 0, 2 * H, 3 * H);
    }
    const bool reverse = direction == "reverse" || d == 1;
    std::vector<std::string> steps(S);
    for (int64_t s = 0; s < S; ++s) {
      const int64_t t = reverse ? S - 1 - s : s;
      const std::string xt = b.reshape(b.slice(xw, layout ? 1 : 0, t, t + 1), {B, gates * H});
      if (op == "LSTM") {
        const std::string g = hZero ? xt : b.op("Add", {xt, b.op("MatMul", {h, rt})});
        std::string gi = r.cols(g, 0, 1), go = r.cols(g, 1, 2), gf = r.cols(g, 2, 3);
        if (!pi.empty() && !cZero) {
          gi = b.op("Add", {gi, b.op("Mul", {pi, cell})});
          gf = b.op("Add", {gf, b.op("Mul", {pf, cell})});
        }
        const std::string i = r.act(a[0], gi), f = r.act(a[0], gf), cc = r.act(a[1], r.cols(g, 3, 4));
        const std::string ic = b.op("Mul", {i, cc});
        cell = cZero ? ic : b.op("Add", {b.op("Mul", {f, cell}), ic});
        if (!po.empty()) go = b.op("Add", {go, b.op("Mul", {po, cell})});
        h = b.op("Mul", {r.act(a[0], go), r.act(a[2], cell)});
        cZero = false;
      } else if (op == "GRU") {
        std::string zr = r.cols(xt, 0, 2), hh;
        const std::string xh = r.cols(xt, 2, 3);
        if (lbr) {
          const std::string hr = hZero ? "" : b.op("MatMul", {h, rt});
          if (!hZero) zr = b.op("Add", {zr, r.cols(hr, 0, 2)});
          std::string rh = hZero ? rbh : r.cols(hr, 2, 3);
          if (!hZero && !rbh.empty()) rh = b.op("Add", {rh, rbh});
          const std::string z = r.act(a[0], r.cols(zr, 0, 1)), rg = r.act(a[0], r.cols(zr, 1, 2));
          hh = r.act(a[1], rh.empty() ? xh : b.op("Add", {xh, b.op("Mul", {rg, rh})}));
          h = hZero ? b.op("Sub", {hh, b.op("Mul", {z, hh})}) : b.op("Add", {hh, b.op("Mul", {z, b.op("Sub", {h, hh})})});
        } else {
          if (!hZero) zr = b.op("Add", {zr, b.op("MatMul", {h, b.slice(rt, 1, 0, 2 * H)})});
          const std::string z = r.act(a[0], r.cols(zr, 0, 1)), rg = r.act(a[0], r.cols(zr, 1, 2));
          hh = r.act(a[1], hZero ? xh : b.op("Add", {xh, b.op("MatMul", {b.op("Mul", {rg, h}), b.slice(rt, 1, 2 * H, 3 * H)})}));
          h = hZero ? b.op("Sub", {hh, b.op("Mul", {z, hh})}) : b.op("Add", {hh, b.op("Mul", {z, b.op("Sub", {h, hh})})});
        }
      } else {
        h = r.act(a[0], hZero ? xt : b.op("Add", {xt, b.op("MatMul", {h, rt})}));
      }
      hZero = false;
      if (wantY) steps[t] = b.reshape(h, layout ? std::vector<int64_t>{B, 1, 1, H} : std::vector<int64_t>{1, 1, B, H});
    }
    if (wantY) ys.push_back(b.concat(steps, layout ? 1 : 0));
    lastH.push_back(h);
    lastC.push_back(cell);
  }
  // Outputs: Y [S, dirs, B, H] / [B, S, dirs, H]; Y_h, Y_c [dirs, B, H] / [B, dirs, H].
  if (wantY) b.concat(ys, layout ? 2 : 1, n.output(0));
  for (int k = 1; k < n.output_size() && k < (op == "LSTM" ? 3 : 2); ++k) {
    if (!c.isUsed(n.output(k))) continue;
    std::vector<std::string> parts;
    for (const auto &v : k == 1 ? lastH : lastC)
      parts.push_back(b.reshape(v, layout ? std::vector<int64_t>{B, 1, H} : std::vector<int64_t>{1, B, H}));
    b.concat(parts, layout ? 1 : 0, n.output(k));
  }
  return true;
}

}  // namespace pfcomp::import
