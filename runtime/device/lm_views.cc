#include "runtime/device/lm_views.h"

#include "runtime/device/element_convert.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

namespace pfcomp::device {
namespace {

struct Range {
  int64_t lo = 0, hi = 0;
  bool overlaps(const Range &o) const { return lo < o.hi && o.lo < hi; }
  bool covers(const Range &o) const { return lo <= o.lo && o.hi <= hi; }
};

// Bytes of kernel operand k in LM.
Range operandRange(const Kernel &k, int i) {
  int64_t n = dtypeBytes(k.dtype());
  for (int64_t d : k.shapes(i).dims()) n *= d;
  return {k.addrs(i), k.addrs(i) + n};
}

// A kernel reading the tile: instruction and operand.
struct Reader {
  int instr, operand;
};

// The operand's shape without its extent-1 axes.
std::vector<int64_t> squeezed(const std::vector<int64_t> &dims) {
  std::vector<int64_t> out;
  for (int64_t d : dims)
    if (d != 1) out.push_back(d);
  return out;
}

// The view's strides per operand axis, when the operand is the tile reshaped only by extent-1
// axes (a [256, 4] tile read as [1, 256, 4]); those axes get stride 0.
std::vector<int64_t> operandStrides(const std::vector<int64_t> &operand, const std::vector<int64_t> &tile,
                                    const std::vector<int64_t> &tileStrides) {
  if (operand == tile) return tileStrides;
  std::vector<int64_t> out;
  size_t t = 0;
  for (int64_t d : operand) {
    if (d == 1) {
      out.push_back(0);
      continue;
    }
    while (t < tile.size() && tile[t] == 1) ++t;
    out.push_back(tileStrides[t++]);
  }
  return out;
}

std::vector<int64_t> operandDims(const Kernel &k, int op) {
  return std::vector<int64_t>(k.shapes(op).dims().begin(), k.shapes(op).dims().end());
}

// The readers of LOAD `i`'s tile, if every one can take it as a view: the same segment, the
// whole tile as one input operand of the tile's shape, no more PEs than the load filled. Later
// writes retire the tile byte by byte (for the PEs they cover); any other read of a byte some PE
// still holds from the load (a store, a partial or mismatched operand) keeps the copy.
bool findReaders(const std::vector<ViewInstr> &instrs, int i, std::vector<Reader> &readers) {
  const ViewInstr &load = instrs[i];
  const int64_t active = load.instr->active_pes();
  const Range tile{load.xfer->lmAddr(), load.xfer->lmAddr() + load.xfer->tileBytes()};
  // Per tile byte: the PEs below this number hold something newer there.
  std::vector<int64_t> newerBelow(tile.hi - tile.lo, 0);
  int64_t retired = 0;  // bytes no PE holds from the load any more
  auto readsHeld = [&](const Range &r, int64_t pes) {
    for (int64_t b = std::max(r.lo, tile.lo); b < std::min(r.hi, tile.hi); ++b)
      if (std::min(pes, active) > newerBelow[b - tile.lo]) return true;
    return false;
  };
  auto write = [&](const Range &r, int64_t pes) {
    for (int64_t b = std::max(r.lo, tile.lo); b < std::min(r.hi, tile.hi); ++b) {
      int64_t &n = newerBelow[b - tile.lo];
      if (n < active && pes >= active) ++retired;
      n = std::max(n, pes);
    }
  };
  auto untouched = [&] {
    return std::all_of(newerBelow.begin(), newerBelow.end(), [](int64_t n) { return n == 0; });
  };
  for (size_t j = i + 1; j < instrs.size() && retired < tile.hi - tile.lo; ++j) {
    const Instr &in = *instrs[j].instr;
    const int64_t pes = in.active_pes();
    if (in.kind() == Instr::LOAD || in.kind() == Instr::STORE) {
      const Transfer &x = in.xfer();
      for (const AxisMap &m : x.axes())  // a gather reads its indices from LM
        if (m.indirect() && readsHeld({m.indirect_lm_addr(),
                                       m.indirect_lm_addr() + m.size() * dtypeBytes(m.indirect_dtype())}, pes))
          return false;
      const Range r{x.lm_addr(), x.lm_addr() + instrs[j].xfer->tileBytes()};
      if (in.kind() == Instr::STORE) {
        if (readsHeld(r, pes)) return false;
      } else {
        write(r, pes);
      }
      continue;
    }
    if (in.kind() != Instr::COMPUTE) continue;
    const Kernel &k = in.kernel();
    const int out = k.addrs_size() - 1;
    for (int op = 0; op < out; ++op) {
      const Range r = operandRange(k, op);
      if (!readsHeld(r, pes)) continue;
      if (r.lo != tile.lo || r.hi != tile.hi || instrs[j].segment != load.segment || pes > active ||
          !untouched() || squeezed(operandDims(k, op)) != squeezed(load.xfer->lmShape()))
        return false;
      readers.push_back({static_cast<int>(j), op});
    }
    const Range w = operandRange(k, out);
    if (k.accumulate() && readsHeld(w, pes)) return false;  // reads its output
    write(w, pes);
  }
  return true;
}

std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int a = static_cast<int>(dims.size()) - 2; a >= 0; --a) s[a] = s[a + 1] * dims[a + 1];
  return s;
}

}  // namespace

void planViews(const Program &program, const std::vector<ViewInstr> &instrs, int segments,
               const uint8_t *dram, int64_t dramBytes, ViewPlan &plan) {
  const int n = static_cast<int>(instrs.size());
  plan = ViewPlan{};
  plan.loadSlot.assign(n, -1);
  plan.operandSlot.assign(n, {});
  plan.segmentSources.assign(segments, {});
  for (int i = 0; i < n; ++i)
    if (instrs[i].kernel) plan.operandSlot[i].assign(instrs[i].instr->kernel().addrs_size(), -1);
  // Padded sources by (segment, buffer, pad value, border): loads of one layer's reduction
  // chunks share one.
  std::map<std::tuple<int, int, double, std::vector<int64_t>, std::vector<int64_t>>, int> sourceIds;
  std::vector<int> slotsUsed(segments, 0);
  // A segment's padded sources are dead once it ends: every segment packs its own from the
  // start of the arena, which is as large as the largest segment needs.
  std::vector<int64_t> segmentBytes(segments, 0);
  std::vector<int> sourceOf(n, -1);
  for (int i = 0; i < n; ++i) {
    const ViewInstr &load = instrs[i];
    if (load.instr->kind() != Instr::LOAD || load.segment < 0 || !load.xfer->viewable()) continue;
    std::vector<Reader> readers;
    if (!findReaders(instrs, i, readers)) continue;
    const Instr &li = *load.instr;
    const Buffer &b = program.buffers(li.xfer().buffer());
    const int64_t esize = dtypeBytes(b.dtype());
    std::vector<int64_t> lo, hi, dims(b.shape().begin(), b.shape().end());
    load.xfer->windowExtent(*load.tiles, li.first_tile(), li.active_pes(), lo, hi);
    std::vector<int64_t> padLo(dims.size()), padHi(dims.size()), padded(dims.size());
    bool border = false;
    for (size_t a = 0; a < dims.size(); ++a) {
      padLo[a] = std::max<int64_t>(0, -lo[a]);
      padHi[a] = std::max<int64_t>(0, hi[a] - dims[a]);
      padded[a] = dims[a] + padLo[a] + padHi[a];
      border |= padLo[a] || padHi[a];
    }
    std::vector<int64_t> strides = rowMajorStrides(border ? padded : dims);
    // Kernels may read a vector's width past a view's last element: stay inside DRAM.
    if (!border && b.dram_offset() + b.bytes() + 64 > dramBytes) continue;
    // The view's strides as the plan will see them, for the kernels to accept or refuse.
    load.xfer->setViewSource(border ? nullptr : dram + b.dram_offset(), strides, padLo);
    const std::vector<int64_t> viewStrides = load.xfer->viewStrides();
    bool accepted = true;
    for (const Reader &r : readers)
      accepted &= instrs[r.instr].kernel->acceptView(
          r.operand, operandStrides(operandDims(instrs[r.instr].instr->kernel(), r.operand), load.xfer->lmShape(),
                                    viewStrides));
    if (!accepted) continue;
    if (border) {
      auto key = std::make_tuple(load.segment, li.xfer().buffer(), li.xfer().pad(), padLo, padHi);
      auto it = sourceIds.find(key);
      if (it == sourceIds.end()) {
        int64_t bytes = esize;
        for (int64_t d : padded) bytes *= d;
        it = sourceIds.emplace(key, static_cast<int>(plan.sources.size())).first;
        plan.segmentSources[load.segment].push_back(static_cast<int>(plan.sources.size()));
        plan.sources.push_back({li.xfer().buffer(), li.xfer().pad(), padLo, padHi, padded,
                                segmentBytes[load.segment]});
        segmentBytes[load.segment] += (bytes + 63) / 64 * 64;
      }
      sourceOf[i] = it->second;
    }
    const int slot = slotsUsed[load.segment]++;
    plan.loadSlot[i] = slot;
    for (const Reader &r : readers) plan.operandSlot[r.instr][r.operand] = slot;
  }
  for (int s : slotsUsed) plan.slots = std::max(plan.slots, s);
  // Every source is filled before it is read; only the slack past the last one is never
  // written (kernels may read a vector's width past a view and ignore those lanes).
  const int64_t arenaBytes = segments ? *std::max_element(segmentBytes.begin(), segmentBytes.end()) : 0;
  plan.arena.reset(new uint8_t[arenaBytes + 64]);
  for (int i = 0; i < n; ++i) {
    if (sourceOf[i] < 0) continue;
    const PaddedSource &src = plan.sources[sourceOf[i]];
    instrs[i].xfer->setViewSource(plan.arena.get() + src.arenaOffset, rowMajorStrides(src.dims), src.padLo);
  }
}

int64_t sourceRows(const PaddedSource &src) {
  int64_t rows = 1;
  for (size_t a = 0; a + 1 < src.dims.size(); ++a) rows *= src.dims[a];
  return rows;
}

void fillSourceRows(const Program &program, const PaddedSource &src, int64_t rowBegin, int64_t rowEnd,
                    const uint8_t *dram, uint8_t *arena) {
  const Buffer &b = program.buffers(src.buffer);
  const int64_t esize = dtypeBytes(b.dtype());
  const int rank = static_cast<int>(src.dims.size());
  uint8_t pad[8];
  storeScalar(b.dtype(), src.pad, pad);
  const int64_t rowElems = src.dims[rank - 1], inner = b.shape(rank - 1);
  const std::vector<int64_t> bstrides = rowMajorStrides({b.shape().begin(), b.shape().end()});
  uint8_t *out = arena + src.arenaOffset + rowBegin * rowElems * esize;
  const uint8_t *in = dram + b.dram_offset();
  std::vector<int64_t> idx(rank, 0);  // padded index of the row's outer axes
  for (int64_t r = rowBegin, a = rank - 2; a >= 0; --a) {
    idx[a] = r % src.dims[a];
    r /= src.dims[a];
  }
  for (int64_t r = rowBegin; r < rowEnd; ++r, out += rowElems * esize) {
    bool inside = true;
    int64_t from = 0;
    for (int a = 0; a < rank - 1; ++a) {
      int64_t c = idx[a] - src.padLo[a];
      inside &= c >= 0 && c < b.shape(a);
      from += c * bstrides[a];
    }
    if (inside) {
      for (int64_t e = 0; e < src.padLo[rank - 1]; ++e) std::memcpy(out + e * esize, pad, esize);
      std::memcpy(out + src.padLo[rank - 1] * esize, in + from * esize, inner * esize);
      for (int64_t e = src.padLo[rank - 1] + inner; e < rowElems; ++e) std::memcpy(out + e * esize, pad, esize);
    } else {
      for (int64_t e = 0; e < rowElems; ++e) std::memcpy(out + e * esize, pad, esize);
    }
    for (int a = rank - 2; a >= 0; --a) {
      if (++idx[a] < src.dims[a]) break;
      idx[a] = 0;
    }
  }
}

}  // namespace pfcomp::device
