#include "compiler/import/const_eval_ops.h"

#include "support/error.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace pfcomp::import {
namespace const_eval_detail {

Outputs gather(const onnx::NodeProto &n, const Inputs &in) {
  if (in.size() < 2 || !in[0] || !in[1] || in[1]->isFloat()) return fail(n, "needs data and int indices");
  const HostTensor &data = *in[0], &ind = *in[1];
  const int64_t rank = data.dims.size();
  if (rank == 0) return fail(n, "scalar data");
  const int64_t axis = normAxis(attrInt(n, "axis", 0), rank);
  const int64_t outer = std::accumulate(data.dims.begin(), data.dims.begin() + axis, int64_t{1}, std::multiplies<>());
  const int64_t inner = std::accumulate(data.dims.begin() + axis + 1, data.dims.end(), int64_t{1}, std::multiplies<>());
  const int64_t len = data.dims[axis];
  std::vector<int64_t> dims(data.dims.begin(), data.dims.begin() + axis);
  dims.insert(dims.end(), ind.dims.begin(), ind.dims.end());
  dims.insert(dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  std::vector<int64_t> idx;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : ind.i) {
      if (k < 0) k += len;
      if (k < 0 || k >= len) return fail(n, "index out of range");
      for (int64_t q = 0; q < inner; ++q) idx.push_back((o * len + k) * inner + q);
    }
  return one(gatherElems(data, dims, idx));
}

Outputs unsqueeze(const onnx::NodeProto &n, const Inputs &in) {
  std::vector<int64_t> axes;
  if (in.empty() || !in[0] || !intsFrom(n, in, 1, "axes", axes)) return fail(n, "needs axes");
  HostTensor out = *in[0];
  const int64_t rank = out.dims.size() + axes.size();
  for (auto &a : axes) a = normAxis(a, rank);
  std::sort(axes.begin(), axes.end());
  for (int64_t a : axes) {
    if (a < 0 || a > static_cast<int64_t>(out.dims.size())) return fail(n, "bad axis");
    out.dims.insert(out.dims.begin() + a, 1);
  }
  return one(std::move(out));
}

Outputs squeeze(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  HostTensor out = *in[0];
  const int64_t rank = out.dims.size();
  std::vector<int64_t> axes;
  if (!intsFrom(n, in, 1, "axes", axes))
    for (int64_t k = 0; k < rank; ++k)
      if (out.dims[k] == 1) axes.push_back(k);
  for (auto &a : axes) a = normAxis(a, rank);
  std::sort(axes.rbegin(), axes.rend());
  for (int64_t a : axes) {
    if (a < 0 || a >= rank || out.dims[a] != 1) return fail(n, "bad axis");
    out.dims.erase(out.dims.begin() + a);
  }
  return one(std::move(out));
}

Outputs concat(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs inputs");
  const int64_t rank = in[0]->dims.size();
  const int64_t axis = normAxis(attrInt(n, "axis", 0), rank);
  std::vector<int64_t> dims = in[0]->dims;
  dims[axis] = 0;
  for (const HostTensor *t : in) {
    if (!t || static_cast<int64_t>(t->dims.size()) != rank) return fail(n, "rank mismatch");
    dims[axis] += t->dims[axis];
  }
  HostTensor out = HostTensor::make(in[0]->type, dims);
  const int64_t outer = std::accumulate(dims.begin(), dims.begin() + axis, int64_t{1}, std::multiplies<>());
  int64_t e = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : in) {
      const int64_t chunk = t->numElements() / std::max<int64_t>(outer, 1);
      for (int64_t q = 0; q < chunk; ++q) copyElem(*t, o * chunk + q, out, e++);
    }
  return one(std::move(out));
}

Outputs slice(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  const HostTensor &x = *in[0];
  std::vector<int64_t> starts, ends, axes, steps;
  if (!intsFrom(n, in, 1, "starts", starts) || !intsFrom(n, in, 2, "ends", ends))
    return fail(n, "needs starts and ends");
  intsFrom(n, in, 3, "axes", axes);
  intsFrom(n, in, 4, "steps", steps);
  auto bounds = sliceBounds(x.dims, starts, ends, axes, steps);
  if (!bounds) return bounds.takeError();
  const std::vector<int64_t> &dims = bounds->dims;
  const int64_t rank = x.dims.size();
  const std::vector<int64_t> xs = stridesOf(x.dims);
  int64_t total = std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<>());
  std::vector<int64_t> idx(total), pos(rank, 0);
  for (int64_t e = 0; e < total; ++e) {
    int64_t flat = 0;
    for (int64_t k = 0; k < rank; ++k) flat += (bounds->start[k] + pos[k] * bounds->step[k]) * xs[k];
    idx[e] = flat;
    for (int64_t k = rank - 1; k >= 0; --k) {
      if (++pos[k] < dims[k]) break;
      pos[k] = 0;
    }
  }
  return one(gatherElems(x, dims, idx));
}

Outputs reshape(const onnx::NodeProto &n, const Inputs &in) {
  std::vector<int64_t> shape;
  if (in.empty() || !in[0] || !intsFrom(n, in, 1, "shape", shape)) return fail(n, "needs a shape");
  HostTensor out = *in[0];
  const bool allowZero = attrInt(n, "allowzero", 0) != 0;
  int64_t known = 1, inferAt = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 0 && !allowZero) shape[k] = k < out.dims.size() ? out.dims[k] : 1;
    if (shape[k] == -1) inferAt = k;
    else known *= shape[k];
  }
  if (inferAt >= 0) shape[inferAt] = known ? out.numElements() / known : 0;
  out.dims = shape;
  if (out.numElements() != in[0]->numElements()) return fail(n, "element count changes");
  return one(std::move(out));
}

Outputs expand(const onnx::NodeProto &n, const Inputs &in) {
  if (in.size() != 2 || !in[0] || !in[1]) return fail(n, "needs input and shape");
  auto dims = broadcastDims(in[0]->dims, in[1]->i);
  if (!dims) return dims.takeError();
  return one(gatherElems(*in[0], *dims, broadcastIndex(in[0]->dims, *dims)));
}

Outputs transpose(const onnx::NodeProto &n, const Inputs &in) {
  if (in.empty() || !in[0]) return fail(n, "needs an input");
  const HostTensor &x = *in[0];
  const int64_t rank = x.dims.size();
  std::vector<int64_t> perm = attrInts(n, "perm");
  if (perm.empty())
    for (int64_t k = rank - 1; k >= 0; --k) perm.push_back(k);
  if (static_cast<int64_t>(perm.size()) != rank) return fail(n, "bad perm");
  std::vector<int64_t> dims(rank), pos(rank, 0);
  for (int64_t k = 0; k < rank; ++k) dims[k] = x.dims[perm[k]];
  const std::vector<int64_t> xs = stridesOf(x.dims);
  std::vector<int64_t> idx(x.numElements());
  for (size_t e = 0; e < idx.size(); ++e) {
    int64_t flat = 0;
    for (int64_t k = 0; k < rank; ++k) flat += pos[k] * xs[perm[k]];
    idx[e] = flat;
    for (int64_t k = rank - 1; k >= 0; --k) {
      if (++pos[k] < dims[k]) break;
      pos[k] = 0;
    }
  }
  return one(gatherElems(x, dims, idx));
}

}  // namespace const_eval_detail

llvm::Expected<SliceBounds> sliceBounds(const std::vector<int64_t> &in,
                                        const std::vector<int64_t> &starts,
                                        const std::vector<int64_t> &ends,
                                        std::vector<int64_t> axes, std::vector<int64_t> steps) {
  const int64_t rank = in.size();
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(k);
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return makeError(ErrorCode::Internal, "Slice operand lengths differ");
  SliceBounds b{in, std::vector<int64_t>(rank, 0), std::vector<int64_t>(rank, 1)};
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t a = const_eval_detail::normAxis(axes[k], rank);
    if (a < 0 || a >= rank) return makeError(ErrorCode::Internal, "Slice axis out of range");
    const int64_t len = in[a], s = steps[k];
    if (s == 0) return makeError(ErrorCode::Internal, "Slice step 0");
    int64_t lo = starts[k] < 0 ? starts[k] + len : starts[k];
    int64_t hi = ends[k] < 0 ? ends[k] + len : ends[k];
    if (s > 0) {
      lo = std::clamp<int64_t>(lo, 0, len), hi = std::clamp<int64_t>(hi, 0, len);
      b.dims[a] = hi > lo ? (hi - lo + s - 1) / s : 0;
    } else {
      lo = std::clamp<int64_t>(lo, 0, len - 1), hi = std::clamp<int64_t>(hi, -1, len - 1);
      b.dims[a] = lo > hi ? (lo - hi - s - 1) / -s : 0;
    }
    b.start[a] = lo, b.step[a] = s;
  }
  return b;
}

namespace const_eval_detail {

// ScatterND of constants: exported masks built by slice assignment (swin's shifted-window
// attention mask: zeros, then `mask[h, w] = count` per region).
Outputs scatterNd(const onnx::NodeProto &n, const Inputs &in) {
  if (in.size() < 3 || !in[0] || !in[1] || !in[2] || in[1]->isFloat() || in[1]->dims.empty())
    return fail(n, "needs data, int indices and updates");
  const HostTensor &data = *in[0], &ind = *in[1], &upd = *in[2];
  const onnx::AttributeProto *r = findAttr(n, "reduction");
  const std::string reduction = r ? r->s() : "none";
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return fail(n, "reduction '" + reduction + "'");
  if (upd.isFloat() != data.isFloat()) return fail(n, "updates of another element kind");
  const int64_t rank = data.dims.size(), k = ind.dims.back();
  if (k < 1 || k > rank) return fail(n, "index tuples longer than the data's rank");
  const std::vector<int64_t> strides = stridesOf(data.dims);
  int64_t slice = 1;
  for (int64_t a = k; a < rank; ++a) slice *= data.dims[a];
  const int64_t tuples = ind.numElements() / k;
  if (upd.numElements() != tuples * slice) return fail(n, "updates of the wrong size");
  HostTensor out = data;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t base = 0;
    for (int64_t a = 0; a < k; ++a) {
      int64_t i = ind.i[t * k + a];
      if (i < 0) i += data.dims[a];
      if (i < 0 || i >= data.dims[a]) return fail(n, "index out of range");
      base += i * strides[a];
    }
    for (int64_t e = 0; e < slice; ++e) {
      const int64_t to = base + e, from = t * slice + e;
      if (out.isFloat()) {
        double &x = out.f[to];
        x = reduction == "add" ? x + upd.f[from] : reduction == "mul" ? x * upd.f[from] : upd.f[from];
      } else {
        int64_t &x = out.i[to];
        x = reduction == "add" ? x + upd.i[from] : reduction == "mul" ? x * upd.i[from] : upd.i[from];
      }
    }
  }
  return one(std::move(out));
}

}  // namespace const_eval_detail

}  // namespace pfcomp::import
