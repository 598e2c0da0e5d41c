#include "runtime/device/transfer_gather.h"

#include "runtime/device/element_convert.h"
#include "runtime/device/kernels/kernel.h"
#include "runtime/device/transfer.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace pfcomp::device {
namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t windowStart(const AxisMap &m, const int64_t *tileStart, const int64_t *redStarts) {
  int64_t start = m.offset();
  if (m.follows() >= 0 && m.ratio_den() > 0)
    start += floorDiv(m.ratio_num() * tileStart[m.follows()], m.ratio_den());
  else if (m.follows() >= 0)
    start += m.scale() * (tileStart[m.follows()] / std::max<int64_t>(m.div(), 1));
  if (m.red_follows() >= 0 && redStarts) start += m.red_scale() * redStarts[m.red_follows()];
  return start;
}

// The window of one transfer on one PE: per LM axis, which elements lie inside and the buffer
// element offset each index contributes (affine axes: start + k * step; indirect ones: the
// indices the PE holds in LM).
struct Window {
  int rank = 0;
  std::vector<int64_t> sizes;              // LM tile extents, LM order
  std::vector<std::vector<int64_t>> offs;  // per LM axis, per index: buffer element offset
  std::vector<std::vector<char>> inside;   // per LM axis, per index: element exists
  int64_t innerStride = 0;                 // the innermost axis's stride when it is affine
  bool innerIndirect = false;
};

int64_t loadIndex(DType type, const uint8_t *p, int64_t k) {
  switch (type) {
    case I32: return reinterpret_cast<const int32_t *>(p)[k];
    case F32: return static_cast<int64_t>(reinterpret_cast<const float *>(p)[k]);
    case F64: return static_cast<int64_t>(reinterpret_cast<const double *>(p)[k]);
    default: return reinterpret_cast<const int64_t *>(p)[k];
  }
}

// Fills `w` (storage reused across calls: this runs once per PE per transfer).
void makeWindow(Window &w, const Buffer &b, const Transfer &x, const int64_t *tileStart,
                const int64_t *redStarts, const int64_t *spaceLeft /* may be null */,
                const uint8_t *lm /* for indirect axes */) {
  int perm[16];
  const int rank = x.axes_size();
  for (int i = 0; i < rank; ++i) perm[i] = x.lm_perm_size() ? x.lm_perm(i) : i;
  w.rank = rank;
  int64_t bstride[16];
  bstride[rank - 1] = 1;
  for (int a = rank - 2; a >= 0; --a) bstride[a] = bstride[a + 1] * b.shape(a + 1);
  w.sizes.resize(rank);
  w.inside.resize(rank);
  w.offs.resize(rank);
  for (int i = 0; i < rank; ++i) {
    const AxisMap &m = x.axes(perm[i]);
    const int64_t start = windowStart(m, tileStart, redStarts), dim = b.shape(perm[i]);
    int64_t limit = m.size();
    if (spaceLeft && m.follows() >= 0) limit = std::min(limit, spaceLeft[m.follows()]);
    std::vector<char> &in = w.inside[i];
    std::vector<int64_t> &offs = w.offs[i];
    in.resize(m.size());
    offs.resize(m.size());
    for (int64_t k = 0; k < m.size(); ++k) {
      int64_t c = start + k * m.step();
      if (m.indirect() && lm) {
        c = loadIndex(m.indirect_dtype(), lm + m.indirect_lm_addr(), k);
        if (c < 0) c += dim;
      }
      in[k] = c >= 0 && c < dim && k < limit;
      offs[k] = c * bstride[perm[i]];
    }
    w.sizes[i] = m.size();
    if (i == rank - 1) {
      w.innerIndirect = m.indirect();
      w.innerStride = m.step() * bstride[perm[i]];
    }
  }
}

// Calls fn(lmElementIndex, rowOffset, rowInside, n, stride, inside, innerOffs) for every row of
// the window (the innermost LM axis). With an affine innermost axis element k of the row is at
// rowOffset + k * stride and innerOffs is null; otherwise at rowOffset + innerOffs[k]. The outer
// offsets and the count of outer axes lying outside are kept up to date as an odometer.
template <typename Fn>
void forEachElement(const Window &w, Fn &&fn) {
  const int inner = w.rank - 1;
  int64_t idx[16] = {0};
  int64_t rows = 1;
  for (int i = 0; i < inner; ++i) rows *= w.sizes[i];
  int64_t off = w.innerIndirect ? 0 : w.offs[inner][0];
  int outside = 0;
  for (int i = 0; i < inner; ++i) off += w.offs[i][0], outside += !w.inside[i][0];
  const int64_t n = w.sizes[inner];
  const int64_t *innerOffs = w.innerIndirect ? w.offs[inner].data() : nullptr;
  for (int64_t row = 0, e = 0; row < rows; ++row, e += n) {
    fn(e, off, outside == 0, n, w.innerStride, w.inside[inner], innerOffs);
    for (int i = inner - 1; i >= 0; --i) {
      outside -= !w.inside[i][idx[i]];
      off -= w.offs[i][idx[i]];
      if (++idx[i] == w.sizes[i]) idx[i] = 0;
      off += w.offs[i][idx[i]];
      outside += !w.inside[i][idx[i]];
      if (idx[i] != 0) break;
    }
  }
}

}  // namespace

void gatherLoad(const Program &program, const Instr &in, const int64_t *tileStart,
                const int64_t *redStarts, const uint8_t *dram, uint8_t *lm) {
  const Transfer &x = in.xfer();
  const Buffer &b = program.buffers(x.buffer());
  const DType from = b.dtype(), to = lmType(program, x);
  const int64_t bsize = dtypeBytes(from), esize = dtypeBytes(to);
  // Copies n elements, converting when the LM tile holds another type.
  auto copy = [&](uint8_t *out, const uint8_t *in, int64_t n) {
    if (from != to) {
      convertElements(from, in, to, out, n);
    } else if (esize == 4 && n < 32) {  // short rows (tile halos): a plain loop beats memcpy calls
      uint32_t *o = reinterpret_cast<uint32_t *>(out);
      const uint32_t *i = reinterpret_cast<const uint32_t *>(in);
      for (int64_t k = 0; k < n; ++k) o[k] = i[k];
    } else {
      std::memcpy(out, in, n * esize);
    }
  };
  uint8_t pad[8];
  storeScalar(to, x.pad(), pad);
  const uint8_t *src = dram + b.dram_offset();
  uint8_t *dst = lm + x.lm_addr();
  thread_local Window w;
  makeWindow(w, b, x, tileStart, redStarts, nullptr, lm);
  forEachElement(w, [&](int64_t e, int64_t off, bool rowInside, int64_t n, int64_t stride,
                        const std::vector<char> &inside, const int64_t *innerOffs) {
    uint8_t *out = dst + e * esize;
    if (innerOffs) {  // indirect innermost axis: element by element
      for (int64_t k = 0; k < n; ++k, out += esize) {
        if (rowInside && inside[k]) copy(out, src + (off + innerOffs[k]) * bsize, 1);
        else std::memcpy(out, pad, esize);
      }
      return;
    }
    if (rowInside && stride == 1) {
      // The inside part of a row is one contiguous run: copy it, pad around it.
      int64_t lo = 0, hi = n;
      while (lo < n && !inside[lo]) ++lo;
      while (hi > lo && !inside[hi - 1]) --hi;
      for (int64_t k = 0; k < lo; ++k) std::memcpy(out + k * esize, pad, esize);
      copy(out + lo * esize, src + (off + lo) * bsize, hi - lo);
      for (int64_t k = hi; k < n; ++k) std::memcpy(out + k * esize, pad, esize);
      return;
    }
    for (int64_t k = 0; k < n; ++k, out += esize) {
      if (rowInside && inside[k])
        copy(out, src + (off + k * stride) * bsize, 1);
      else
        std::memcpy(out, pad, esize);
    }
  });
}

void scatterStore(const Program &program, const Instr &in, const Layer &layer,
                  const int64_t *tileStart, uint8_t *dram, const uint8_t *lm) {
  const Transfer &x = in.xfer();
  const Buffer &b = program.buffers(x.buffer());
  const DType from = lmType(program, x), to = b.dtype();
  const int64_t esize = dtypeBytes(from), bsize = dtypeBytes(to);
  int64_t spaceLeft[16];
  for (int a = 0; a < layer.space_size(); ++a) spaceLeft[a] = layer.space(a) - tileStart[a];
  thread_local Window w;
  makeWindow(w, b, x, tileStart, nullptr, spaceLeft, lm);
  uint8_t *out = dram + b.dram_offset();
  const uint8_t *tile = lm + x.lm_addr();
  forEachElement(w, [&](int64_t e, int64_t off, bool rowInside, int64_t n, int64_t stride,
                        const std::vector<char> &inside, const int64_t *innerOffs) {
    if (!rowInside) return;
    for (int64_t k = 0; k < n; ++k) {
      if (!inside[k]) continue;
      uint8_t *dst = out + (off + (innerOffs ? innerOffs[k] : k * stride)) * bsize;
      const uint8_t *from_ = tile + (e + k) * esize;
      if (from == to) std::memcpy(dst, from_, esize);
      else convertElements(from, from_, to, dst, 1);
    }
  });
}

}  // namespace pfcomp::device
