#include "runtime/device/transfer.h"

#include "runtime/device/element_convert.h"
#include "runtime/device/kernels/kernel.h"
#include "runtime/device/transfer_gather.h"
#include "support/error.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <numeric>

namespace pfcomp::device {

TileWalker::TileWalker(const Layer &layer, const Instr &instr)
    : grid_(layer.grid().begin(), layer.grid().end()),
      tile_(layer.out_tile().begin(), layer.out_tile().end()) {
  for (int64_t g : grid_) numTiles_ *= g;
  for (int r = 0; r < instr.red_coords_size(); ++r)
    redStarts_.push_back(instr.red_coords(r) * (r < layer.red_chunk_size() ? layer.red_chunk(r) : 0));
  redStarts_.push_back(0);  // keeps data() valid when there are no reduction axes
}

void TileWalker::tileStart(int64_t tile, int64_t *start) const {
  for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) {
    start[a] = (tile % grid_[a]) * tile_[a];
    tile /= grid_[a];
  }
}

void TileWalker::startRange(int64_t first, int64_t count, int64_t *lo, int64_t *hi) const {
  int64_t stride = 1;  // tiles between steps of axis a
  for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) {
    const int64_t from = first / stride, to = (first + count - 1) / stride;
    if (to - from + 1 >= grid_[a] || from / grid_[a] != to / grid_[a]) {  // a whole lap, or a wrap
      lo[a] = 0, hi[a] = (grid_[a] - 1) * tile_[a];
    } else {
      lo[a] = (from % grid_[a]) * tile_[a], hi[a] = (to % grid_[a]) * tile_[a];
    }
    stride *= grid_[a];
  }
}

void TileWalker::nextTile(int64_t *start) const {
  for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) {
    start[a] += tile_[a];
    if (start[a] < grid_[a] * tile_[a]) return;
    start[a] = 0;
  }
}

namespace {

std::vector<int> lmOrder(const Transfer &x) {
  std::vector<int> perm(x.axes_size());
  if (x.lm_perm_size())
    for (int i = 0; i < x.lm_perm_size(); ++i) perm[i] = x.lm_perm(i);
  else
    std::iota(perm.begin(), perm.end(), 0);
  return perm;
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

// The indices k in [0, size) with 0 <= start + k * step < dim, as [lo, hi).
void insideRange(int64_t start, int64_t step, int64_t dim, int64_t size, int64_t &lo, int64_t &hi) {
  if (step > 0) {
    lo = start >= 0 ? 0 : ceilDiv(-start, step);
    hi = start > dim - 1 ? 0 : floorDiv(dim - 1 - start, step) + 1;
  } else if (step < 0) {
    lo = start <= dim - 1 ? 0 : ceilDiv(start - dim + 1, -step);
    hi = start < 0 ? 0 : floorDiv(start, -step) + 1;
  } else {
    lo = 0;
    hi = start >= 0 && start < dim ? size : 0;
  }
  lo = std::max<int64_t>(lo, 0);
  hi = std::min(hi, size);
}

// Copies n bytes that do not overlap; short rows (tile halos, 4-element tiles) dominate, so the
// small sizes are a few fixed-size moves instead of a libc call.
inline void copyBytes(uint8_t *d, const uint8_t *s, int64_t n) {
  if (n >= 32) {
    if (n > 512) {
      std::memcpy(d, s, n);
      return;
    }
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + i),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i)));
    if (i < n)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + n - 32),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + n - 32)));
  } else if (n >= 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + n - 16));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d), a);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + n - 16), b);
  } else if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(d, &a, 8);
    std::memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(d, &a, 4);
    std::memcpy(d + n - 4, &b, 4);
  } else {
    for (int64_t i = 0; i < n; ++i) d[i] = s[i];
  }
}

template <typename T>
inline void copyStrided(T *d, int64_t dstep, const T *s, int64_t sstep, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i * dstep] = s[i * sstep];
}

// Row movers: n elements, the DRAM side `step` elements apart, the LM side contiguous.
struct ContiguousLoad {
  int64_t esize;
  void operator()(const uint8_t *buf, int64_t, uint8_t *lm, int64_t n) const { copyBytes(lm, buf, n * esize); }
};
struct ContiguousStore {
  int64_t esize;
  void operator()(uint8_t *buf, int64_t, const uint8_t *lm, int64_t n) const { copyBytes(buf, lm, n * esize); }
};
template <typename T>
struct StridedLoad {
  void operator()(const uint8_t *buf, int64_t step, uint8_t *lm, int64_t n) const {
    copyStrided(reinterpret_cast<T *>(lm), 1, reinterpret_cast<const T *>(buf), step, n);
  }
};
template <typename T>
struct StridedStore {
  void operator()(uint8_t *buf, int64_t step, const uint8_t *lm, int64_t n) const {
    copyStrided(reinterpret_cast<T *>(buf), step, reinterpret_cast<const T *>(lm), 1, n);
  }
};
// Mixed precision: the LM tile holds another element type than the buffer.
struct ConvertLoad {
  DType from, to;
  int64_t bsize, esize;
  void operator()(const uint8_t *buf, int64_t step, uint8_t *lm, int64_t n) const {
    if (step == 1) {
      convertElements(from, buf, to, lm, n);
      return;
    }
    for (int64_t k = 0; k < n; ++k) convertElements(from, buf + k * step * bsize, to, lm + k * esize, 1);
  }
};
struct ConvertStore {
  DType from, to;
  int64_t bsize, esize;
  void operator()(uint8_t *buf, int64_t step, const uint8_t *lm, int64_t n) const {
    if (step == 1) {
      convertElements(from, lm, to, buf, n);
      return;
    }
    for (int64_t k = 0; k < n; ++k) convertElements(from, lm + k * esize, to, buf + k * step * bsize, 1);
  }
};

}  // namespace

DType lmType(const Program &program, const Transfer &x) {
  return x.lm_dtype() != DT_UNDEFINED ? x.lm_dtype() : program.buffers(x.buffer()).dtype();
}

int64_t transferTileBytes(const Program &program, const Transfer &x) {
  int64_t n = dtypeBytes(lmType(program, x));
  for (const AxisMap &m : x.axes()) n *= m.size();
  return n;
}

llvm::Error validateTransfer(const Program &program, const Instr &in, int64_t lmBytes) {
  const Transfer &x = in.xfer();
  if (x.buffer() < 0 || x.buffer() >= program.buffers_size())
    return makeError(ErrorCode::BadProgram, "transfer names buffer {0}, the program has {1}",
                     x.buffer(), program.buffers_size());
  const Buffer &b = program.buffers(x.buffer());
  const Layer &layer = program.layers(in.layer());
  if (x.axes_size() != b.shape_size() || x.axes_size() == 0 || x.axes_size() > 16 || layer.space_size() > 16)
    return makeError(ErrorCode::BadProgram, "transfer of '{0}' maps {1} axes, buffer has {2}",
                     b.name(), x.axes_size(), b.shape_size());
  std::vector<int> perm = lmOrder(x);
  std::vector<bool> seen(perm.size());
  for (int p : perm) {
    if (p < 0 || p >= static_cast<int>(perm.size()) || seen[p])
      return makeError(ErrorCode::BadProgram, "transfer of '{0}': lm_perm is not a permutation", b.name());
    seen[p] = true;
  }
  for (const AxisMap &m : x.axes()) {
    // step 0 repeats one element (Expand); only a load may do that.
    if (m.size() <= 0 || (m.step() == 0 && in.kind() != Instr::LOAD) || m.follows() >= layer.space_size() ||
        m.red_follows() >= layer.red_chunk_size())
      return makeError(ErrorCode::BadProgram, "transfer of '{0}': bad axis map", b.name());
  }
  int64_t bytes = transferTileBytes(program, x);
  if (x.lm_addr() < 0 || x.lm_addr() + bytes > lmBytes)
    return makeError(ErrorCode::LmOverflow,
                     "layer '{0}': transfer of '{1}' needs LM bytes [{2}, {3}), LM holds {4}",
                     layer.name(), b.name(), x.lm_addr(), x.lm_addr() + bytes, lmBytes);
  return llvm::Error::success();
}

TransferPlan::TransferPlan(const Program &program, const Instr &in, const TileWalker &tiles)
    : program_(&program), instr_(&in), layer_(&program.layers(in.layer())) {
  const Transfer &x = in.xfer();
  const Buffer &b = program.buffers(x.buffer());
  load_ = in.kind() == Instr::LOAD;
  lmType_ = lmType(program, x);
  bufType_ = b.dtype();
  lmSize_ = dtypeBytes(lmType_);
  bufSize_ = dtypeBytes(bufType_);
  lmAddr_ = x.lm_addr();
  tileBytes_ = transferTileBytes(program, x);
  bufferOffset_ = b.dram_offset();
  const int rank = x.axes_size();
  redStarts_.assign(tiles.redStarts(), tiles.redStarts() + in.red_coords_size() + 1);
  std::vector<int64_t> bstride(rank, 1);
  for (int a = rank - 2; a >= 0; --a) bstride[a] = bstride[a + 1] * b.shape(a + 1);
  std::vector<int> perm = lmOrder(x);
  axes_.resize(rank);
  int64_t lmStride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const AxisMap &m = x.axes(perm[i]);
    Axis &a = axes_[i];
    indirect_ |= m.indirect();
    a.follows = m.follows();
    a.offset = m.offset();
    // The reduction chunk is fixed per instruction; stores never move with it.
    if (load_ && m.red_follows() >= 0) a.offset += m.red_scale() * tiles.redStarts()[m.red_follows()];
    a.scale = m.scale();
    a.div = std::max<int64_t>(m.div(), 1);
    a.ratioNum = m.ratio_num();
    a.ratioDen = m.ratio_den();
    a.size = m.size();
    a.step = m.step();
    a.dim = b.shape(perm[i]);
    a.bufAxis = perm[i];
    a.bufStride = bstride[perm[i]];
    a.lmStride = lmStride;
    lmStride *= m.size();
  }
  for (const Axis &a : axes_) lmShape_.push_back(a.size);
  if (load_) {
    padTile_.resize(tileBytes_);
    uint8_t pad[8];
    storeScalar(lmType_, x.pad(), pad);
    for (int64_t o = 0; o + lmSize_ <= tileBytes_; o += lmSize_) std::memcpy(&padTile_[o], pad, lmSize_);
  }
  planFastPath(tiles);
}

int64_t TransferPlan::Axis::start(const int64_t *tileStart) const {
  if (follows < 0) return offset;
  const int64_t t = tileStart[follows];
  return offset + (ratioDen > 0 ? floorDiv(ratioNum * t, ratioDen) : scale * (t / div));
}

bool TransferPlan::viewable() const {
  if (!load_ || indirect_ || lmType_ != bufType_) return false;
  for (const Axis &a : axes_)
    if (a.step <= 0) return false;
  return true;
}

void TransferPlan::windowExtent(const TileWalker &tiles, int64_t firstTile, int64_t count,
                                std::vector<int64_t> &lo, std::vector<int64_t> &hi) const {
  // Every axis start is monotone in its tile start, so the extremes of the tile starts bound it.
  int64_t tmin[16], tmax[16];
  tiles.startRange(firstTile, count, tmin, tmax);
  lo.assign(axes_.size(), INT64_MAX);
  hi.assign(axes_.size(), INT64_MIN);
  for (const int64_t *ends : {tmin, tmax})
    for (const Axis &a : axes_) {
      const int64_t s = a.start(ends);
      lo[a.bufAxis] = std::min(lo[a.bufAxis], s);
      hi[a.bufAxis] = std::max(hi[a.bufAxis], s + (a.size - 1) * a.step + 1);
    }
}

void TransferPlan::setViewSource(const uint8_t *base, const std::vector<int64_t> &strides,
                                 const std::vector<int64_t> &padLo) {
  int64_t bias = 0;
  for (Axis &a : axes_) {
    a.viewStride = strides[a.bufAxis];
    bias += padLo[a.bufAxis] * strides[a.bufAxis];
  }
  viewBase_ = base + bias * lmSize_;
  viewBase0_ = 0;
  for (TileTerm &t : terms_) t.viewCoef = 0;
  for (const Axis &a : axes_) {
    viewBase0_ += a.offset * a.viewStride;
    for (TileTerm &t : terms_)
      if (t.axis == a.follows) t.viewCoef += a.scale * a.viewStride;
  }
}

std::vector<int64_t> TransferPlan::viewStrides() const {
  std::vector<int64_t> strides;
  for (const Axis &a : axes_) strides.push_back(a.step * a.viewStride);
  return strides;
}

const uint8_t *TransferPlan::view(const int64_t *tileStart) const {
  if (fast_) {
    int64_t off = viewBase0_;
    for (const TileTerm &t : terms_) off += t.viewCoef * tileStart[t.axis];
    return viewBase_ + off * lmSize_;
  }
  int64_t off = 0;
  for (const Axis &a : axes_) off += a.start(tileStart) * a.viewStride;
  return viewBase_ + off * lmSize_;
}

// Runs of the box [lo, hi) of the window; element k of axis i sits at buffer element
// base + sum k_i * step_i * bufStride_i and LM element sum k_i * lmStride_i. Axes whose inner
// neighbour is whole and contiguous with them fold into one longer run.
int TransferPlan::mergeRuns(const int64_t *lo, const int64_t *hi, Run *runs) const {
  int n = 0;
  for (int i = static_cast<int>(axes_.size()) - 1; i >= 0; --i) {
    const Axis &a = axes_[i];
    Run r{lo[i], hi[i], a.size, a.step * a.bufStride, a.lmStride};
    if (n > 0) {
      Run &in = runs[n - 1];
      if (in.lo == 0 && in.hi == in.size && r.buf == in.size * in.buf && r.lm == in.size * in.lm) {
        in = {r.lo * in.size, r.hi * in.size, r.size * in.size, in.buf, in.lm};
        continue;
      }
    }
    runs[n++] = r;
  }
  return n;
}

template <typename Row>
void TransferPlan::copyRuns(const Row &row, int64_t base, const Run *runs, int n, uint8_t *dram,
                            uint8_t *lm) const {
  int64_t bufOff = base, lmOff = 0;
  int64_t k[16];
  for (int j = 0; j < n; ++j) {
    k[j] = runs[j].lo;
    bufOff += runs[j].lo * runs[j].buf;
    lmOff += runs[j].lo * runs[j].lm;
  }
  const int64_t len = runs[0].hi - runs[0].lo, step = runs[0].buf;
  uint8_t *buf = dram + bufferOffset_;
  uint8_t *tile = lm + lmAddr_;
  for (;;) {
    row(buf + bufOff * bufSize_, step, tile + lmOff * lmSize_, len);
    int j = 1;
    for (; j < n; ++j) {
      bufOff += runs[j].buf;
      lmOff += runs[j].lm;
      if (++k[j] < runs[j].hi) break;
      bufOff -= (runs[j].hi - runs[j].lo) * runs[j].buf;
      lmOff -= (runs[j].hi - runs[j].lo) * runs[j].lm;
      k[j] = runs[j].lo;
    }
    if (j == n) return;
  }
}

void TransferPlan::moveRuns(int64_t base, const Run *runs, int n, uint8_t *dram, uint8_t *lm) const {
  const int64_t step = runs[0].buf;
  if (lmType_ != bufType_) {
    if (load_) copyRuns(ConvertLoad{bufType_, lmType_, bufSize_, lmSize_}, base, runs, n, dram, lm);
    else copyRuns(ConvertStore{lmType_, bufType_, bufSize_, lmSize_}, base, runs, n, dram, lm);
  } else if (step == 1) {
    if (load_) copyRuns(ContiguousLoad{lmSize_}, base, runs, n, dram, lm);
    else copyRuns(ContiguousStore{lmSize_}, base, runs, n, dram, lm);
  } else {
    switch (lmSize_) {
      case 1: load_ ? copyRuns(StridedLoad<uint8_t>{}, base, runs, n, dram, lm) : copyRuns(StridedStore<uint8_t>{}, base, runs, n, dram, lm); break;
      case 2: load_ ? copyRuns(StridedLoad<uint16_t>{}, base, runs, n, dram, lm) : copyRuns(StridedStore<uint16_t>{}, base, runs, n, dram, lm); break;
      case 4: load_ ? copyRuns(StridedLoad<uint32_t>{}, base, runs, n, dram, lm) : copyRuns(StridedStore<uint32_t>{}, base, runs, n, dram, lm); break;
      default: load_ ? copyRuns(StridedLoad<uint64_t>{}, base, runs, n, dram, lm) : copyRuns(StridedStore<uint64_t>{}, base, runs, n, dram, lm); break;
    }
  }
}

void TransferPlan::planFastPath(const TileWalker &tiles) {
  fast_ = !indirect_;
  base0_ = 0;
  std::vector<int64_t> lo(axes_.size(), 0), hi;
  for (const Axis &a : axes_) hi.push_back(a.size);
  fullRuns_.resize(axes_.size());
  fullRuns_.resize(mergeRuns(lo.data(), hi.data(), fullRuns_.data()));
  oneRowBytes_ = fullRuns_.size() == 1 && fullRuns_[0].buf == 1 && lmType_ == bufType_ ? tileBytes_ : 0;
  for (const Axis &a : axes_) {
    const int64_t span = (a.size - 1) * a.step;  // last element's offset from the start
    base0_ += a.offset * a.bufStride;
    if (a.follows < 0 || a.scale == 0) {
      fast_ &= a.offset + std::min<int64_t>(span, 0) >= 0 && a.offset + std::max<int64_t>(span, 0) < a.dim;
      if (a.follows >= 0 && !load_) fast_ &= false;  // the layer extent clips per tile
      continue;
    }
    if (a.ratioDen > 0 || a.div != 1) {
      fast_ = false;
      continue;
    }
    // offset + scale * t + min(0, span) >= 0 and offset + scale * t + max(0, span) <= dim - 1.
    const int64_t low = -a.offset - std::min<int64_t>(span, 0), high = a.dim - 1 - a.offset - std::max<int64_t>(span, 0);
    int64_t tmin = a.scale > 0 ? ceilDiv(low, a.scale) : ceilDiv(high, a.scale);
    int64_t tmax = a.scale > 0 ? floorDiv(high, a.scale) : floorDiv(low, a.scale);
    if (!load_) tmax = std::min(tmax, layer_->space(a.follows) - a.size);  // a store stays in the layer
    auto it = std::find_if(terms_.begin(), terms_.end(), [&](const TileTerm &t) { return t.axis == a.follows; });
    if (it == terms_.end()) it = terms_.insert(terms_.end(), TileTerm{a.follows, 0, 0, INT64_MIN, INT64_MAX});
    it->coef += a.scale * a.bufStride;
    it->tmin = std::max(it->tmin, tmin);
    it->tmax = std::min(it->tmax, tmax);
  }
  (void)tiles;
}

void TransferPlan::run(const int64_t *tileStart, uint8_t *dram, uint8_t *lm) const {
  if (fast_) {
    int64_t base = base0_;
    bool inside = true;
    for (const TileTerm &t : terms_) {
      const int64_t v = tileStart[t.axis];
      inside &= v >= t.tmin && v <= t.tmax;
      base += t.coef * v;
    }
    if (inside) {
      if (oneRowBytes_ > 0) {  // the whole tile is one contiguous run of the buffer
        uint8_t *buf = dram + bufferOffset_ + base * bufSize_, *tile = lm + lmAddr_;
        if (load_) copyBytes(tile, buf, oneRowBytes_);
        else copyBytes(buf, tile, oneRowBytes_);
        return;
      }
      moveRuns(base, fullRuns_.data(), static_cast<int>(fullRuns_.size()), dram, lm);
      return;
    }
  }
  if (indirect_) {
    if (load_) gatherLoad(*program_, *instr_, tileStart, redStarts_.data(), dram, lm);
    else scatterStore(*program_, *instr_, *layer_, tileStart, dram, lm);
    return;
  }
  const int rank = static_cast<int>(axes_.size());
  int64_t lo[16], hi[16], base = 0;
  bool full = true;
  for (int i = 0; i < rank; ++i) {
    const Axis &a = axes_[i];
    const int64_t start = a.start(tileStart);
    base += start * a.bufStride;
    insideRange(start, a.step, a.dim, a.size, lo[i], hi[i]);
    // A store writes only what lies inside the layer: the tile may overhang its extent.
    if (!load_ && a.follows >= 0) hi[i] = std::min(hi[i], layer_->space(a.follows) - tileStart[a.follows]);
    if (lo[i] >= hi[i]) {
      if (load_) std::memcpy(lm + lmAddr_, padTile_.data(), tileBytes_);
      return;
    }
    full &= lo[i] == 0 && hi[i] == a.size;
  }
  if (load_ && !full) std::memcpy(lm + lmAddr_, padTile_.data(), tileBytes_);
  Run runs[16];
  moveRuns(base, runs, mergeRuns(lo, hi, runs), dram, lm);
}

}  // namespace pfcomp::device
