// MaxPool's Indices output (2-D, static shapes) from device ops: the windows of the padded input
// are gathered with a constant index table, ArgMax picks the first maximum in each window, and
// a second constant table maps (window, position) to the flat NCHW index ONNX defines (row- or
// column-major per storage_order). The Values output stays a plain MaxPool.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

#include <cmath>

namespace pfcomp::import {

bool rewriteMaxPoolIndices(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  if (n.input_size() != 1 || n.output_size() != 2 || !c.isUsed(n.output(1))) return false;
  const ValueType *x = c.staticType(n.input(0)), *y = c.staticType(n.output(0));
  const std::vector<int64_t> kernel = attrInts(n, "kernel_shape");
  if (!x || !y || x->dims.size() != 4 || kernel.size() != 2 || attrInt(n, "ceil_mode", 0) != 0) return false;
  const auto *autoPad = findAttr(n, "auto_pad");
  if (autoPad && autoPad->s() != "NOTSET") return false;
  auto ints = [&](const char *name, std::vector<int64_t> dflt) {
    std::vector<int64_t> v = attrInts(n, name);
    return v.empty() ? dflt : v;
  };
  const std::vector<int64_t> s = ints("strides", {1, 1}), d = ints("dilations", {1, 1});
  const std::vector<int64_t> p = ints("pads", {0, 0, 0, 0});  // top, left, bottom, right
  const int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
  const int64_t OH = y->dims[2], OW = y->dims[3], KK = kernel[0] * kernel[1];
  const int64_t Hp = H + p[0] + p[2], Wp = W + p[1] + p[3];
  const bool columnMajor = attrInt(n, "storage_order", 0) == 1;
  // Per (output position, window position): where to read in the padded plane, and the index
  // ONNX reports for it.
  std::vector<int64_t> read, index;
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t kh = 0; kh < kernel[0]; ++kh)
        for (int64_t kw = 0; kw < kernel[1]; ++kw) {
          const int64_t h = oh * s[0] - p[0] + kh * d[0], w = ow * s[1] - p[1] + kw * d[1];
          if (h + p[0] >= Hp || w + p[1] >= Wp) return false;
          read.push_back((h + p[0]) * Wp + (w + p[1]));
          index.push_back(columnMajor ? h + w * H : h * W + w);
        }
  const int32_t f = x->elem_type;
  NodeBuilder b(c, n, out);
  onnx::NodeProto &values = b.node("MaxPool", {n.input(0)}, n.output(0));
  for (const auto &a : n.attribute())
    if (a.name() != "storage_order") *values.add_attribute() = a;
  std::string xp = n.input(0);
  if (p[0] || p[1] || p[2] || p[3])  // padding never wins: -inf
    xp = b.op("Pad", {xp, b.ints({0, 0, p[0], p[1], 0, 0, p[2], p[3]}), b.scalar(-INFINITY, f)});
  onnx::NodeProto &gather = b.node("Gather", {b.reshape(xp, {N * C, Hp * Wp}), b.ints(read)});
  setAttr(gather, "axis", int64_t{1});
  const std::string windows = b.reshape(gather.output(0), {N * C, OH * OW, KK});
  onnx::NodeProto &arg = b.node("ArgMax", {windows});
  setAttr(arg, "axis", int64_t{2});
  setAttr(arg, "keepdims", int64_t{0});
  std::vector<int64_t> rowStart, planeStart;
  for (int64_t o = 0; o < OH * OW; ++o) rowStart.push_back(o * KK);
  for (int64_t nc = 0; nc < N * C; ++nc) planeStart.push_back(nc * H * W);
  HostTensor rows = HostTensor::ints(rowStart), planes = HostTensor::ints(planeStart);
  rows.dims = {1, OH * OW};
  planes.dims = {N * C, 1};
  const std::string at = b.op("Add", {arg.output(0), b.tensor(rows)});
  const std::string idx = b.op("Add", {b.op("Gather", {b.ints(index), at}), b.tensor(planes)});
  b.reshape(idx, {N, C, OH, OW}, n.output(1));
  return true;
}

}  // namespace pfcomp::import
