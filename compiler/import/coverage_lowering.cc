#include "compiler/import/coverage_lowering.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/node_attrs.h"

#include <algorithm>

namespace pfcomp::import {
namespace {

const ValueType *staticType(const llvm::StringMap<ValueType> &types, const std::string &name) {
  auto it = types.find(name);
  return it == types.end() || !it->second.isStatic() ? nullptr : &it->second;
}

// The constant behind input k, or nullptr when it is absent or computed.
const HostTensor *constInput(const ir::Node &n, int k, const ConstLookup &constant) {
  if (n.inputs_size() <= k || n.inputs(k).empty()) return nullptr;
  return constant(n.inputs(k));
}

bool hasInput(const ir::Node &n, int k) { return n.inputs_size() > k && !n.inputs(k).empty(); }

int64_t normAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// Opset 2-10: attributes pads / value / mode. Opset 11+: inputs pads, constant_value and (18)
// axes, which name the axes `pads` covers.
void lowerPad(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
              const llvm::StringMap<ValueType> &types) {
  setString(n, "mode", "constant", /*onlyIfMissing=*/true);
  setFloat(n, "value", 0.0, /*onlyIfMissing=*/true);
  if (!hasInput(n, 1)) return;  // the attribute form
  const HostTensor *pads = constInput(n, 1, constant);
  if (!pads || pads->isFloat()) return;
  if (hasInput(n, 2)) {
    const HostTensor *value = constInput(n, 2, constant);
    if (!value || value->numElements() != 1) return;
    setFloat(n, "value", value->getF(0));
  }
  std::vector<int64_t> full = pads->i;
  if (hasInput(n, 3)) {
    const HostTensor *axes = constInput(n, 3, constant);
    const ValueType *in = staticType(types, src.input(0));
    if (!axes || axes->isFloat() || !in) return;
    const size_t rank = in->dims.size(), na = axes->i.size();
    if (full.size() != 2 * na) return;
    full.assign(2 * rank, 0);
    for (size_t k = 0; k < na; ++k) {
      const int64_t a = normAxis(axes->i[k], rank);
      full[a] = pads->i[k], full[a + rank] = pads->i[k + na];
    }
  }
  setInts(n, "pads", full);
  for (int k = 1; k < n.inputs_size(); ++k) n.set_inputs(k, "");
}

void lowerExpand(ir::Node &n, const ConstLookup &constant) {
  if (constInput(n, 1, constant)) n.set_inputs(1, "");
}

// Resize 10: (X, scales), asymmetric. Resize 11/13: (X, roi, scales, sizes). Upsample 7:
// scales attribute; Upsample 9: (X, scales); Upsample is Resize with asymmetric + floor.
void lowerResize(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                 const llvm::StringMap<ValueType> &types, int64_t opset) {
  const bool upsample = src.op_type() == "Upsample";
  const bool twoInputs = upsample || opset < 11;  // (X, scales)
  const ValueType *in = staticType(types, src.input(0));
  const ValueType *out = src.output_size() ? staticType(types, src.output(0)) : nullptr;
  std::vector<double> scales;
  const int scalesInput = twoInputs ? 1 : 2;
  const HostTensor *given = constInput(n, scalesInput, constant);
  const bool runtimeScales = !given && n.inputs_size() > scalesInput && !n.inputs(scalesInput).empty();
  // tf_crop_and_resize samples inside the roi: one computed at run time stays an operand too.
  const bool runtimeRoi = !twoInputs && irString(n, "coordinate_transformation_mode", "") == "tf_crop_and_resize" &&
                          n.inputs_size() > 1 && !n.inputs(1).empty() && !constInput(n, 1, constant);
  if (given && given->isFloat() && given->numElements() > 0) {
    scales = given->f;
  } else if (ir::Attribute *a = findIrAttr(n, "scales"); a && a->floats_size() > 0) {
    scales.assign(a->floats().begin(), a->floats().end());
  } else if (in && out && in->dims.size() == out->dims.size() && !runtimeScales) {
    // Sizes (constant or not) give scale = out / in exactly. Scales computed at run time are
    // kept as an operand (refused, with the --constant_input hint): out / in differs from them
    // whenever in * scale is not whole (0.6 of 2 rows gives 1 row).
    for (size_t k = 0; k < in->dims.size(); ++k)
      scales.push_back(in->dims[k] ? static_cast<double>(out->dims[k]) / in->dims[k] : 1.0);
  }
  if (!scales.empty() && !runtimeRoi) {  // static shapes: every operand input is now an attribute or unused
    setFloats(n, "scales", scales);
    for (int k = 1; k < n.inputs_size(); ++k) n.set_inputs(k, "");
  }
  std::string mode = irString(n, "mode", "nearest");
  if (mode == "bilinear" || mode == "trilinear") mode = "linear";  // Upsample's older names
  setString(n, "mode", mode);
  if (upsample || opset < 11) {
    bool down = false;
    for (double s : scales) down |= s < 1.0;
    n.set_op_type("Resize");
    setString(n, "coordinate_transformation_mode", "asymmetric");
    // Opset 10's nearest pixel is the index truncated, rounded up when downsampling.
    setString(n, "nearest_mode", down && !upsample ? "ceil" : "floor");
  } else {
    setString(n, "coordinate_transformation_mode", "half_pixel", /*onlyIfMissing=*/true);
    setString(n, "nearest_mode", "round_prefer_floor", /*onlyIfMissing=*/true);
  }
  setFloat(n, "cubic_coeff_a", -0.75, /*onlyIfMissing=*/true);
}

// Explicit pads such that out = (in-1)*s - pb - pe + (K-1)*d + 1, where `out` is the static
// output shape (which shape inference derived from output_shape / output_padding / auto_pad).
void lowerConvTranspose(ir::Node &n, const onnx::NodeProto &src,
                        const llvm::StringMap<ValueType> &types) {
  const ValueType *x = staticType(types, src.input(0));
  const ValueType *w = src.input_size() > 1 ? staticType(types, src.input(1)) : nullptr;
  const ValueType *y = src.output_size() ? staticType(types, src.output(0)) : nullptr;
  if (!x || !w || !y || x->dims.size() < 3 || w->dims.size() != x->dims.size() ||
      y->dims.size() != x->dims.size())
    return;
  const size_t ns = x->dims.size() - 2;
  bool has = false;
  std::vector<int64_t> strides = irInts(n, "strides", &has);
  if (!has) strides.assign(ns, 1);
  std::vector<int64_t> dil = irInts(n, "dilations", &has);
  if (!has) dil.assign(ns, 1);
  std::vector<int64_t> pads = irInts(n, "pads", &has);
  if (!has) pads.assign(2 * ns, 0);
  std::vector<int64_t> outPad = irInts(n, "output_padding", &has);
  if (!has) outPad.assign(ns, 0);
  const std::string autoPad = irString(n, "auto_pad", "NOTSET");
  if (strides.size() != ns || dil.size() != ns || pads.size() != 2 * ns || outPad.size() != ns) return;
  std::vector<int64_t> kernel(w->dims.begin() + 2, w->dims.end()), resolved(2 * ns);
  const bool fromShape = findIrAttr(n, "output_shape") || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  for (size_t i = 0; i < ns; ++i) {
    const int64_t in = x->dims[2 + i], out = y->dims[2 + i];
    const int64_t span = (in - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1;
    int64_t pb = pads[i];
    if (autoPad == "VALID") {
      pb = 0;
    } else if (fromShape) {
      // Padding is never negative: a larger output_shape extends the end (as onnxruntime does).
      const int64_t total = std::max<int64_t>(0, span + outPad[i] - out);
      pb = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    }
    resolved[i] = pb;
    resolved[ns + i] = span - pb - out;
  }
  setInts(n, "pads", resolved);
  setInts(n, "strides", strides);
  setInts(n, "dilations", dil);
  setInts(n, "kernel_shape", kernel);
  setInt(n, "group", 1, /*onlyIfMissing=*/true);
  for (const char *gone : {"auto_pad", "output_padding", "output_shape"}) removeAttr(n, gone);
}

void lowerCumSum(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                 const llvm::StringMap<ValueType> &types) {
  const HostTensor *axis = constInput(n, 1, constant);
  const ValueType *in = staticType(types, src.input(0));
  if (axis && axis->numElements() == 1 && in) {
    setInt(n, "axis", normAxis(axis->getI(0), in->dims.size()));
    n.set_inputs(1, "");
  }
  setInt(n, "exclusive", 0, /*onlyIfMissing=*/true);
  setInt(n, "reverse", 0, /*onlyIfMissing=*/true);
}

void lowerArgReduce(ir::Node &n) {
  setInt(n, "axis", 0, /*onlyIfMissing=*/true);  // made non-negative by lowerNode
  setInt(n, "keepdims", 1, /*onlyIfMissing=*/true);
  setInt(n, "select_last_index", 0, /*onlyIfMissing=*/true);
}

}  // namespace

bool lowerCoverageNode(ir::Node &n, const onnx::NodeProto &src, const ConstLookup &constant,
                       const llvm::StringMap<ValueType> &types, int64_t opset) {
  const std::string &op = src.op_type();
  if (op == "Pad") lowerPad(n, src, constant, types);
  else if (op == "Expand") lowerExpand(n, constant);
  else if (op == "Resize" || op == "Upsample") lowerResize(n, src, constant, types, opset);
  else if (op == "ConvTranspose") lowerConvTranspose(n, src, types);
  else if (op == "CumSum") lowerCumSum(n, src, constant, types);
  else if (op == "ArgMax" || op == "ArgMin") lowerArgReduce(n);
  else return false;
  return true;
}

}  // namespace pfcomp::import
