// QuantizeLinear and DequantizeLinear (per tensor or per axis) as float device ops around Casts:
//   q = Cast<T>(Clip(Round(x / scale) + zero_point, Tmin, Tmax))   (Round: half to even)
//   y = (Cast<F>(x) - Cast<F>(zero_point)) * scale
// Scale and zero point may be computed at run time: DynamicQuantizeLinear is rewritten into its
// ONNX function body (uint8, range widened to include 0) around a QuantizeLinear.
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

}  // namespace

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
