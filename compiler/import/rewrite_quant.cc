// QuantizeLinear and DequantizeLinear (per tensor or per axis) as float device ops around Casts:
//   q = Cast<T>(Clip(Round(x / scale) + zero_point, Tmin, Tmax))   (Round: half to even)
//   y = (Cast<F>(x) - Cast<F>(zero_point)) * scale
// Scale and zero point may be computed at run time: DynamicQuantizeLinear is rewritten into its
// ONNX function body (uint8, range widened to include 0) around a QuantizeLinear.
// MatMulInteger / ConvInteger run as int32 MatMul / Conv of the zero-point-shifted operands
// (exact, on integer tiles); QLinearMatMul / QLinearConv requantize that int32 result in float.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {
namespace {

using TP = onnx::TensorProto;

// A per-axis scale / zero point [C] reshaped to broadcast along `axis` of an input of `rank`.
std::string alongAxis(NodeBuilder &b, const std::string &v, const ValueType &vt, int64_t axis,
                      size_t rank) {
  if (vt.dims.size() != 1 || rank <= 1) return v;
  std::vector<int64_t> shape(rank, 1);
  shape[axis] = vt.dims[0];
  return b.reshape(v, shape);
}

std::string cast(NodeBuilder &b, const std::string &v, int32_t to, const std::string &outName = "") {
  onnx::NodeProto &n = b.node("Cast", {v}, outName);
  setAttr(n, "to", static_cast<int64_t>(to));
  return n.output(0);
}

// Cast<int32>(v) - Cast<int32>(zero point), the zero point reshaped along `axis` when per-axis.
std::string shifted(RewriteContext &c, NodeBuilder &b, const onnx::NodeProto &n, int in, int zp,
                    int64_t axis, size_t rank) {
  std::string v = cast(b, n.input(in), TP::INT32);
  if (zp >= n.input_size() || n.input(zp).empty()) return v;
  const ValueType *zt = c.staticType(n.input(zp));
  if (!zt) return "";
  std::string z = zt->dims.size() == 1 && zt->dims[0] > 1 ? alongAxis(b, n.input(zp), *zt, axis, rank)
                                                           : n.input(zp);
  return b.op("Sub", {v, cast(b, z, TP::INT32)});
}

// The integer product of `n` (MatMul or Conv with n's attributes) on shifted operands.
std::string integerProduct(RewriteContext &c, NodeBuilder &b, const onnx::NodeProto &n, bool conv,
                           int a, int za, int w, int zw, const std::string &outName = "") {
  const ValueType *at = c.staticType(n.input(a)), *wt = c.staticType(n.input(w));
  if (!at || !wt) return "";
  // A's zero point is per row (axis rank-2 of A) for MatMulInteger, per tensor for convolutions;
  // W's is per output channel: the last axis of B, axis 0 of a conv weight.
  const std::string x = shifted(c, b, n, a, za, at->dims.size() - 2, at->dims.size());
  const std::string y = shifted(c, b, n, w, zw, conv ? 0 : wt->dims.size() - 1, wt->dims.size());
  if (x.empty() || y.empty()) return "";
  onnx::NodeProto &p = b.node(conv ? "Conv" : "MatMul", {x, y}, outName);
  if (conv)
    for (const auto &attr : n.attribute()) *p.add_attribute() = attr;
  return p.output(0);
}

}  // namespace

bool rewriteIntegerProduct(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const bool conv = n.op_type() == "ConvInteger" || n.op_type() == "QLinearConv";
  const bool qlinear = n.op_type() == "QLinearMatMul" || n.op_type() == "QLinearConv";
  if (n.output_size() != 1 || n.input_size() < (qlinear ? 8 : 2)) return false;
  NodeBuilder b(c, n, out);
  if (!qlinear)
    return !integerProduct(c, b, n, conv, 0, 2, 1, 3, n.output(0)).empty();
  // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point[, bias]
  const ValueType *zy = c.staticType(n.input(7)), *sb = c.staticType(n.input(4));
  const ValueType *y = c.staticType(n.output(0));
  if (!zy || !sb || !y || (zy->elem_type != TP::UINT8 && zy->elem_type != TP::INT8)) return false;
  std::string acc = integerProduct(c, b, n, conv, 0, 2, 3, 5);
  if (acc.empty()) return false;
  if (conv && n.input_size() > 8 && !n.input(8).empty()) {
    const ValueType *bias = c.staticType(n.input(8));
    if (!bias || bias->dims.size() != 1) return false;
    acc = b.op("Add", {acc, b.reshape(n.input(8), {1, bias->dims[0], 1, 1})});
  }
  const int32_t f = TP::FLOAT;
  // Per-channel weight scales broadcast over the output's channel axis (1 for Conv, last for MatMul).
  std::string wScale = n.input(4);
  if (conv && sb->dims.size() == 1 && sb->dims[0] > 1) wScale = b.reshape(wScale, {1, sb->dims[0], 1, 1});
  const std::string scale = b.op("Div", {b.op("Mul", {n.input(1), wScale}), n.input(6)});
  std::string q = b.op("Round", {b.op("Mul", {cast(b, acc, f), scale})});
  // Round is newer (opset 11) than these ops (opset 10): shape inference may not type it.
  onnx::ValueInfoProto &vi = *c.g.add_value_info();
  vi.set_name(q);
  vi.mutable_type()->mutable_tensor_type()->set_elem_type(f);
  for (int64_t d : y->dims) vi.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  q = b.op("Add", {q, cast(b, n.input(7), f)});
  const double lo = zy->elem_type == TP::UINT8 ? 0 : -128, hi = zy->elem_type == TP::UINT8 ? 255 : 127;
  cast(b, b.op("Clip", {q, b.scalar(lo, f), b.scalar(hi, f)}), zy->elem_type, n.output(0));
  return true;
}

bool rewriteQuantize(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() < 2 || n.output_size() != 1) return false;
  const ValueType *x = c.staticType(n.input(0)), *scale = c.staticType(n.input(1));
  const bool hasZero = n.input_size() > 2 && !n.input(2).empty();
  const ValueType *zero = hasZero ? c.staticType(n.input(2)) : nullptr;
  if (!x || !scale || (hasZero && !zero) || scale->dims.size() > 1) return false;
  const size_t rank = x->dims.size();
  int64_t axis = attrInt(n, "axis", 1);
  if (axis < 0) axis += rank;
  if (scale->dims.size() == 1 && (axis < 0 || axis >= static_cast<int64_t>(rank))) return false;
  NodeBuilder b(c, n, out);
  if (n.op_type() == "QuantizeLinear") {
    const int32_t to = hasZero ? zero->elem_type : TP::UINT8;
    if (to != TP::UINT8 && to != TP::INT8) return false;
    const int32_t f = x->elem_type;
    std::string q = b.op("Round", {b.op("Div", {n.input(0), alongAxis(b, n.input(1), *scale, axis, rank)})});
    if (hasZero) q = b.op("Add", {q, cast(b, alongAxis(b, n.input(2), *zero, axis, rank), f)});
    const double lo = to == TP::UINT8 ? 0 : -128, hi = to == TP::UINT8 ? 255 : 127;
    q = b.op("Clip", {q, b.scalar(lo, f), b.scalar(hi, f)});
    cast(b, q, to, n.output(0));
    return true;
  }
  // DequantizeLinear: the output takes the scale's float type.
  const int32_t f = scale->elem_type;
  std::string y = cast(b, n.input(0), f);
  if (hasZero) y = b.op("Sub", {y, cast(b, alongAxis(b, n.input(2), *zero, axis, rank), f)});
  b.op("Mul", {y, alongAxis(b, n.input(1), *scale, axis, rank)}, n.output(0));
  return true;
}

bool rewriteDynamicQuantize(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const ValueType *x = n.input_size() == 1 ? c.staticType(n.input(0)) : nullptr;
  if (!x || n.output_size() != 3) return false;
  NodeBuilder b(c, n, out);
  const int32_t f = x->elem_type;
  auto reduce = [&](const char *op) {
    onnx::NodeProto &r = b.node(op, {n.input(0)});
    setAttr(r, "keepdims", int64_t{0});
    return r.output(0);
  };
  const std::string zero = b.scalar(0, f), qmax = b.scalar(255, f);
  const std::string lo = b.op("Min", {reduce("ReduceMin"), zero});
  const std::string hi = b.op("Max", {reduce("ReduceMax"), zero});
  const std::string scale = b.op("Div", {b.op("Sub", {hi, lo}), qmax}, n.output(1));
  const std::string zp = b.op("Clip", {b.op("Sub", {zero, b.op("Div", {lo, scale})}), zero, qmax});
  cast(b, b.op("Round", {zp}), TP::UINT8, n.output(2));
  onnx::NodeProto q;
  q.set_op_type("QuantizeLinear");
  q.set_name(n.name() + "_quantize");
  q.add_input(n.input(0)), q.add_input(n.output(1)), q.add_input(n.output(2));
  q.add_output(n.output(0));
  ValueType st, zt;  // the types shape inference will give the new values
  st.elem_type = f, st.has_shape = true;
  zt.elem_type = TP::UINT8, zt.has_shape = true;
  c.types.try_emplace(n.output(1), st);
  c.types.try_emplace(n.output(2), zt);
  return rewriteQuantize(c, q, out);
}

}  // namespace pfcomp::import
