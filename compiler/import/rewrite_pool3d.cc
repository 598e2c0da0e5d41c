// 3-D MaxPool / AveragePool as two 2-D pools: first over (H, W) with depth folded into the
// channels, then over D with H·W folded into one axis. Max and average over a box are separable:
// the box is a product of per-axis windows, and so is its count of valid (unpadded) elements,
// so count_include_pad either way gives the same divisor as the 3-D pool.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

namespace pfcomp::import {
bool rewritePool3d(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() != 1 || n.output_size() != 1) return false;  // MaxPool's Indices: not here
  const ValueType *x = c.staticType(n.input(0)), *y = c.staticType(n.output(0));
  const std::vector<int64_t> k = attrInts(n, "kernel_shape");
  if (!x || !y || x->dims.size() != 5 || y->dims.size() != 5 || k.size() != 3) return false;
  if (const auto *a = findAttr(n, "auto_pad"); a && a->s() != "NOTSET" && a->s() != "VALID") return false;
  const auto s = attrIntsOr(n, "strides", {1, 1, 1}), d = attrIntsOr(n, "dilations", {1, 1, 1});
  const auto p = attrIntsOr(n, "pads", {0, 0, 0, 0, 0, 0});
  if (s.size() != 3 || d.size() != 3 || p.size() != 6) return false;
  const int64_t N = x->dims[0], C = x->dims[1], D = x->dims[2], H = x->dims[3], W = x->dims[4];
  const int64_t Do = y->dims[2], Ho = y->dims[3], Wo = y->dims[4];
  NodeBuilder b(c, n, out);
  auto pool = [&](const std::string &in, std::vector<int64_t> kernel, std::vector<int64_t> strides,
                  std::vector<int64_t> pads, std::vector<int64_t> dilations) {
    onnx::NodeProto &node = b.node(n.op_type(), {in});
    setAttr(node, "kernel_shape", kernel);
    setAttr(node, "strides", strides);
    setAttr(node, "pads", pads);
    if (n.op_type() == "MaxPool" || c.opset >= 19) setAttr(node, "dilations", dilations);
    for (const char *keep : {"ceil_mode", "count_include_pad"})
      if (const auto *a = findAttr(n, keep)) *node.add_attribute() = *a;
    return node.output(0);
  };
  if (n.op_type() == "AveragePool" && (d[0] != 1 || d[1] != 1 || d[2] != 1) && c.opset < 19) return false;
  std::string hw = pool(b.reshape(n.input(0), {N, C * D, H, W}), {k[1], k[2]}, {s[1], s[2]},
                        {p[1], p[2], p[4], p[5]}, {d[1], d[2]});
  std::string depth = pool(b.reshape(hw, {N, C, D, Ho * Wo}), {k[0], 1}, {s[0], 1},
                           {p[0], 0, p[3], 0}, {d[0], 1});
  b.reshape(depth, {N, C, Do, Ho, Wo}, n.output(0));
  return true;
}

}  // namespace pfcomp::import
