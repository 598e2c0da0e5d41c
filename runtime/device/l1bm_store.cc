#include "runtime/device/l1bm_store.h"

#include "runtime/device/element_convert.h"
#include "runtime/device/transfer.h"
#include "support/error.h"

#include <algorithm>
#include <map>

namespace pfcomp::device {
namespace {

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Window start on one buffer axis, as TransferPlan computes it.
int64_t windowStart(const AxisMap &m, const int64_t *tileStart, const int64_t *redStarts, bool load) {
  int64_t start = m.offset();
  if (m.follows() >= 0 && m.ratio_den() > 0)
    start += floorDiv(m.ratio_num() * tileStart[m.follows()], m.ratio_den());
  else if (m.follows() >= 0)
    start += m.scale() * (tileStart[m.follows()] / std::max<int64_t>(m.div(), 1));
  if (load && m.red_follows() >= 0) start += m.red_scale() * redStarts[m.red_follows()];
  return start;
}

// Calls fn(element) for every buffer element the window of one PE moves: inside the buffer and,
// for a store, inside the layer's extent (what TransferPlan reads or writes).
template <typename Fn>
void forEachElement(const Buffer &b, const Transfer &x, const Layer &layer, const int64_t *tileStart,
                    const int64_t *redStarts, bool load, Fn &&fn) {
  const int rank = x.axes_size();
  std::vector<std::vector<int64_t>> offs(rank);
  int64_t stride = 1;
  for (int a = rank - 1; a >= 0; --a) {
    const AxisMap &m = x.axes(a);
    const int64_t start = windowStart(m, tileStart, redStarts, load), dim = b.shape(a);
    int64_t limit = m.size();
    if (!load && m.follows() >= 0) limit = std::min(limit, layer.space(m.follows()) - tileStart[m.follows()]);
    for (int64_t k = 0; k < limit; ++k) {
      const int64_t c = start + k * m.step();
      if (c >= 0 && c < dim) offs[a].push_back(c * stride);
    }
    if (offs[a].empty()) return;
    stride *= dim;
  }
  std::vector<size_t> idx(rank, 0);
  for (;;) {
    int64_t e = 0;
    for (int a = 0; a < rank; ++a) e += offs[a][idx[a]];
    fn(e);
    int a = rank - 1;
    for (; a >= 0; --a) {
      if (++idx[a] < offs[a].size()) break;
      idx[a] = 0;
    }
    if (a < 0) return;
  }
}

}  // namespace

int64_t imageBytes(const Program &program) { return program.dram_bytes() + program.l1bm_image_bytes(); }

llvm::Error checkBufferPlacement(const Program &program, const Buffer &b) {
  const bool l1bm = b.location() == Buffer::L1BM;
  const int64_t lo = l1bm ? program.dram_bytes() : 0, hi = l1bm ? imageBytes(program) : program.dram_bytes();
  if (b.dram_offset() < lo || b.dram_offset() + b.bytes() > hi)
    return makeError(ErrorCode::DramOutOfRange, "buffer '{0}' lies outside {1}", b.name(), l1bm ? "the L1BM image" : "DRAM");
  if (l1bm && b.kind() != Buffer::SCRATCH)
    return makeError(ErrorCode::BadProgram, "buffer '{0}': only intermediate values live in L1BM", b.name());
  return llvm::Error::success();
}

llvm::Expected<L1bmUse> checkL1bm(const Program &program, const Hardware &hw) {
  L1bmUse use;
  use.bytes_per_l1b.assign(hw.l1bs(), 0);
  const int64_t perL1b = hw.pesPerL1b();
  // Per allocation (views share its offset and element type): the L1B that stored each element.
  std::map<int64_t, std::vector<int32_t>> owners;
  for (int i = 0; i < program.instrs_size(); ++i) {
    const Instr &in = program.instrs(i);
    if (in.kind() != Instr::LOAD && in.kind() != Instr::STORE) continue;
    const Transfer &x = in.xfer();
    if (x.buffer() < 0 || x.buffer() >= program.buffers_size()) continue;  // validateTransfer reports it
    const Buffer &b = program.buffers(x.buffer());
    if (b.location() != Buffer::L1BM) continue;
    const Layer &layer = program.layers(in.layer());
    for (const AxisMap &m : x.axes())
      if (m.indirect())
        return makeError(ErrorCode::BadProgram, "layer '{0}': L1BM transfer of '{1}' has an indirect axis",
                         layer.name(), b.name());
    const int64_t esize = dtypeBytes(b.dtype());
    std::vector<int32_t> &owner = owners[b.dram_offset()];
    owner.resize(std::max<size_t>(owner.size(), b.bytes() / std::max<int64_t>(esize, 1)), -1);
    const bool load = in.kind() == Instr::LOAD;
    (load ? use.loads : use.stores)++;
    if (x.l1b_of_pe_size() != 0 && x.l1b_of_pe_size() != in.active_pes())
      return makeError(ErrorCode::BadProgram, "instruction {0} (layer '{1}'): {2} L1Bs for {3} PEs", i, layer.name(),
                       x.l1b_of_pe_size(), in.active_pes());
    for (int32_t l : x.l1b_of_pe())
      if (l < 0 || l >= hw.l1bs())
        return makeError(ErrorCode::BadProgram, "instruction {0} (layer '{1}'): no L1B {2}", i, layer.name(), l);
    TileWalker tiles(layer, in);
    int64_t start[16];
    tiles.tileStart(in.first_tile(), start);
    for (int64_t p = 0; p < in.active_pes(); ++p, tiles.nextTile(start)) {
      const int32_t l1b = x.l1b_of_pe_size() ? x.l1b_of_pe(static_cast<int>(p)) : static_cast<int32_t>(p / perL1b);
      int64_t bad = -1;
      forEachElement(b, x, layer, start, tiles.redStarts(), load, [&](int64_t e) {
        if (load) {
          if (bad < 0 && owner[e] != l1b) bad = e;
          return;
        }
        if (owner[e] == l1b) return;
        if (owner[e] >= 0) use.bytes_per_l1b[owner[e]] -= esize;
        owner[e] = l1b;
        use.bytes_per_l1b[l1b] += esize;
      });
      if (bad >= 0)
        return makeError(ErrorCode::L1bmViolation,
                         "instruction {0} (layer '{1}'): PE {2} loads element {3} of L1BM value '{4}' from L1B {5}, "
                         "which {6}",
                         i, layer.name(), p, bad, b.name(), l1b,
                         owner[bad] < 0 ? std::string("no L1B stored in this run")
                                        : "L1B " + std::to_string(owner[bad]) + " stored, not it");
      if (!load && use.bytes_per_l1b[l1b] > hw.l1bm)
        return makeError(ErrorCode::L1bmViolation,
                         "instruction {0} (layer '{1}'): L1B {2} holds {3} bytes of L1BM values, its L1BM has {4}", i,
                         layer.name(), l1b, use.bytes_per_l1b[l1b], hw.l1bm);
    }
  }
  return use;
}

}  // namespace pfcomp::device
