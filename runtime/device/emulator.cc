#include "runtime/device/emulator.h"

#include "runtime/device/element_convert.h"
#include "runtime/device/host_exec.h"
#include "runtime/device/l1bm_store.h"
#include "runtime/device/kernels/kernel.h"
#include "runtime/device/lm_liveness.h"
#include "runtime/device/lm_validity.h"
#include "runtime/device/lm_views.h"
#include "runtime/device/pe_pool.h"
#include "runtime/device/transfer.h"
#include "support/error.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace pfcomp::device {

namespace {

// Host work of one instruction over all its PEs, in rough nanoseconds: decides whether a segment
// is worth waking the pool for.
double hostWorkNs(const Instr &in, int64_t tileBytes, const KernelWork *work) {
  double perPe = 20 + tileBytes / 8.0;
  if (work) perPe += (work->mau_flops + work->vector_ops) / 8.0;
  return perPe * in.active_pes();
}

// Device memory keeps its contents between runs, so a program loaded again finds its
// parameters already there: compare first, and write (dirtying the shared pages) only what
// differs.
void writeUnlessEqual(uint8_t *dst, const void *src, int64_t bytes) {
  const uint8_t *from = static_cast<const uint8_t *>(src);
  constexpr int64_t kChunk = 1 << 16;
  for (int64_t o = 0; o < bytes; o += kChunk) {
    const int64_t n = std::min(kChunk, bytes - o);
    if (std::memcmp(dst + o, from + o, n) != 0) std::memcpy(dst + o, from + o, n);
  }
}

bool overlaps(const std::pair<int64_t, int64_t> &a, const std::pair<int64_t, int64_t> &b) {
  return a.first < b.second && b.first < a.second;
}

}  // namespace

class Emulator::Impl {
 public:
  Impl(const Hardware &hw, Options options)
      : hw_(hw), options_(options), lmSize_(hw.lmBytes()),
        pool_(llvm::hardware_concurrency(options.threads).compute_thread_count()) {

  }
  ~Impl() {

  }

  llvm::Error load(const Program &program, llvm::ArrayRef<llvm::StringRef> paramData) {
    program_ = &program;
    if (imageBytes(program) > hw_.dramBytes())  // DRAM, then the L1BM image (l1bm_store.h)
      return makeError(ErrorCode::DramOutOfRange, "program needs {0} bytes of DRAM, device has {1}",
                       imageBytes(program), hw_.dramBytes());
    if (options_.memory.dram) {
      dramBase_ = options_.memory.dram;
    } else {
      ownDram_.assign(imageBytes(program) + 64, 0);  // slack: kernels may read a vector past a view
      dramBase_ = ownDram_.data();
    }
    std::vector<std::pair<const Buffer *, const uint8_t *>> params;
    for (int id = 0; id < program.buffers_size(); ++id) {
      const Buffer &b = program.buffers(id);
      if (dtypeBytes(b.dtype()) == 0 || ((b.kind() == Buffer::INPUT || b.kind() == Buffer::OUTPUT) &&
                                         dtypeBytes(b.host_dtype()) == 0))
        return makeError(ErrorCode::BadProgram, "buffer '{0}' has an element type the device does not know",
                         b.name());
      if (llvm::Error err = checkBufferPlacement(program, b)) return err;
      if (b.kind() == Buffer::PARAM) {
        llvm::StringRef data = id < static_cast<int>(paramData.size()) && !paramData[id].empty()
                                   ? paramData[id] : llvm::StringRef(b.data());
        if (static_cast<int64_t>(data.size()) != b.bytes())
          return makeError(ErrorCode::BadProgram, "parameter '{0}' has {1} bytes of data, expected {2}",
                           b.name(), data.size(), b.bytes());
        params.push_back({&b, reinterpret_cast<const uint8_t *>(data.data())});
      }
    }
    writeParameters(params);
    steps_.clear();
    steps_.resize(program.instrs_size());
    for (int i = 0; i < program.instrs_size(); ++i) {
      const Instr &in = program.instrs(i);
      if (in.layer() < 0 || in.layer() >= program.layers_size())
        return makeError(ErrorCode::BadProgram, "instruction {0}: no layer {1}", i, in.layer());
      if (in.active_pes() > hw_.pes())
        return makeError(ErrorCode::BadProgram, "instruction {0}: {1} PEs active, device has {2}", i,
                         in.active_pes(), hw_.pes());
      Step &step = steps_[i];
      const Layer &layer = program.layers(in.layer());
      step.instr = &in;
      step.layer = &layer;
      if (in.kind() == Instr::HOST) {
        for (auto ids : {in.host().inputs(), in.host().outputs()})
          for (int id : ids)
            if (id < -1 || id >= program.buffers_size())
              return makeError(ErrorCode::BadProgram, "instruction {0} (host op '{1}'): no buffer {2}", i,
                               in.host().node(), id);
        continue;
      }
      step.tiles = std::make_unique<TileWalker>(layer, in);
      if (in.kind() == Instr::COMPUTE) {
        auto k = prepareKernel(in.kernel());
        if (!k)
          return llvm::joinErrors(makeError(ErrorCode::BadProgram, "instruction {0} (layer {1}):", i,
                                            layer.name()),
                                  k.takeError());
        for (auto ranges : {(*k)->reads, (*k)->writes})
          for (auto [addr, size] : ranges)
            if (addr + size > lmSize_)
              return makeError(ErrorCode::LmOverflow,
                               "layer '{0}': kernel {1} touches LM bytes [{2}, {3}), LM holds {4}",
                               layer.name(), in.kernel().op(), addr, addr + size, lmSize_);
        step.kernel = std::move(*k);
        step.workNs = hostWorkNs(in, 0, &step.kernel->work);
      } else if (in.kind() == Instr::LOAD || in.kind() == Instr::STORE) {
        if (auto err = validateTransfer(program, in, lmSize_))
          return llvm::joinErrors(
              makeError(ErrorCode::BadProgram, "instruction {0} (layer {1}):", i, layer.name()),
              std::move(err));
        step.xfer = std::make_unique<TransferPlan>(program, in, *step.tiles);
        step.workNs = hostWorkNs(in, transferTileBytes(program, in.xfer()), nullptr);
      }
    }
    if (auto l1bm = checkL1bm(program, hw_); !l1bm) return l1bm.takeError();  // E510
    findUninitializedRead(program);
    planSegments(program);
    std::vector<ViewInstr> views(program.instrs_size());
    for (int s = 0; s < static_cast<int>(segments_.size()); ++s)
      for (int i = segments_[s].begin; i < segments_[s].end; ++i)
        views[i] = {&program.instrs(i), steps_[i].tiles.get(), steps_[i].xfer.get(), steps_[i].kernel.get(),
                    segments_[s].host ? -1 : s};
    planViews(program, views, static_cast<int>(segments_.size()), dramBase_,
              options_.memory.dram ? hw_.dramBytes() : static_cast<int64_t>(ownDram_.size()), viewPlan_);
    views_.assign(hw_.pes() * std::max(viewPlan_.slots, 1), nullptr);
    planScratch(program);
    planBatches();
    return llvm::Error::success();
  }

  const Buffer *ioBuffer(Buffer::Kind kind, int ioIndex) const {
    for (const Buffer &b : program_->buffers())
      if (b.kind() == kind && b.io_index() == ioIndex) return &b;
    return nullptr;
  }

  llvm::Error writeInput(int ioIndex, DType hostType, const void *data, int64_t n) {
    const Buffer *b = ioBuffer(Buffer::INPUT, ioIndex);
    if (!b) return makeError(ErrorCode::InputCount, "the program has no input {0}", ioIndex);
    return writeBuffer(b, hostType, data, n);
  }

  llvm::Error writeBuffer(const Buffer *b, DType hostType, const void *data, int64_t n) {
    int64_t elems = b->bytes() / dtypeBytes(b->dtype());
    if (n != elems)
      return makeError(ErrorCode::InputShape, "input '{0}' needs {1} elements, got {2}", b->name(),
                       elems, n);
    if (!convertElements(hostType, data, b->dtype(), dramBase_ + b->dram_offset(), n))
      return makeError(ErrorCode::InputDType, "input '{0}': cannot convert to the device type",
                       b->name());
    return llvm::Error::success();
  }

  llvm::Expected<std::vector<uint8_t>> readOutput(int ioIndex, DType hostType) const {
    const Buffer *b = ioBuffer(Buffer::OUTPUT, ioIndex);
    if (!b) return makeError(ErrorCode::BadProgram, "the program has no output {0}", ioIndex);
    return readBuffer(b, hostType);
  }

  llvm::Expected<std::vector<uint8_t>> readBuffer(const Buffer *b, DType hostType) const {
    int64_t elems = b->bytes() / dtypeBytes(b->dtype());
    if (b->dynamic_shape()) {  // only what the host op wrote
      elems = 1;
      for (int64_t d : shape(*b)) elems *= d;
    }
    std::vector<uint8_t> out(elems * dtypeBytes(hostType));
    if (!convertElements(b->dtype(), dramBase_ + b->dram_offset(), hostType, out.data(), elems))
      return makeError(ErrorCode::BadProgram, "output '{0}': no conversion to the host type", b->name());
    return out;
  }

  llvm::Expected<RunStats> run() {
    RunStats stats;
    const Program &program = *program_;
    shapes_.clear();
    for (size_t s = 0; s < segments_.size(); ++s) {
      const Segment &seg = segments_[s];
      if (options_.checked && seg.begin == failAt_)
        return makeError(ErrorCode::LmUninitialized, failMessage_);
      if (options_.interrupted)
        if (llvm::Error err = options_.interrupted()) return std::move(err);
      // A slowed-down run (tests of reset) waits per instruction, polling as it goes; the
      // segments stay the same, so it computes exactly what a plain run does.
      for (int i = seg.begin; options_.instr_delay_us > 0 && i < seg.end; ++i) {
        if (program.instrs(i).kind() == Instr::WAIT) continue;
        std::this_thread::sleep_for(std::chrono::microseconds(options_.instr_delay_us));
        if (options_.interrupted)
          if (llvm::Error err = options_.interrupted()) return std::move(err);
      }
      if (seg.host) {
        if (llvm::Error err = runHostCall(program, program.instrs(seg.begin), dramBase_, shapes_))
          return std::move(err);
      } else {
        fillSources(static_cast<int>(s));
        runBatches(seg);
        runSegment(seg);
      }
      for (int i = seg.begin; i < seg.end; ++i)
        stats.instructions += program.instrs(i).kind() != Instr::WAIT;
    }
    stats.timeline = computeTimeline(program);
    stats.cycles = stats.timeline.total_cycles;
    return stats;
  }

  std::vector<int64_t> shape(const Buffer &b) const {
    for (int id = 0; id < program_->buffers_size(); ++id)
      if (&program_->buffers(id) == &b || program_->buffers(id).name() == b.name())
        return currentShape(*program_, id, shapes_);
    return {b.shape().begin(), b.shape().end()};
  }

  void writeBufferImage(const Buffer &b, const uint8_t *image) {
    std::memcpy(dramBase_ + b.dram_offset(), image, b.bytes());
  }

 private:
  // One instruction, ready to run per PE.
  struct Step {
    const Instr *instr = nullptr;
    const Layer *layer = nullptr;
    std::unique_ptr<TileWalker> tiles;
    std::unique_ptr<TransferPlan> xfer;       // LOAD / STORE
    std::unique_ptr<PreparedKernel> kernel;   // COMPUTE
    double workNs = 0;
    // A kernel run for all PEs at once before its segment: where in batchArena_ its results
    // are, which finishBatch stores per PE; -1 = none.
    int64_t batchOut = -1;
  };
  // Instructions [begin, end) with no DRAM hazard between them: no PE reads or writes DRAM
  // another instruction of the segment writes. Each PE can then run the whole segment on its
  // own, in program order, without waiting for the other PEs between instructions.
  struct Segment {
    int begin = 0, end = 0;
    bool host = false;  // one HOST instruction
    int64_t pes = 0;  // the most active PEs of its instructions
    double workNs = 0;
  };

  // Conv instructions whose inputs are both views run for all their PEs at once (runBatch)
  // when on average four or more PEs share each input window: the shared im2col then pays.
  // Each candidate walks all its PEs' windows: the candidates are spread over the pool.
  void planBatches() {
    struct Candidate {
      int instr, producer[2];  // the latest loads before it filling its two view slots
    };
    std::vector<Candidate> candidates;
    for (const Segment &seg : segments_) {
      if (seg.host) continue;
      for (int i = seg.begin; i < seg.end; ++i) {
        Step &step = steps_[i];
        step.batchOut = -1;
        const std::vector<int> &slots = viewPlan_.operandSlot[i];
        if (!step.kernel || step.kernel->batchTileBytes() == 0 || slots.size() < 3 || slots[0] < 0 || slots[1] < 0)
          continue;
        Candidate c{i, {-1, -1}};
        for (int j = i - 1; j >= seg.begin; --j)
          for (int k = 0; k < 2; ++k)
            if (c.producer[k] < 0 && viewPlan_.loadSlot[j] == slots[k]) c.producer[k] = j;
        if (c.producer[0] >= 0 && c.producer[1] >= 0) candidates.push_back(c);
      }
    }
    pool_.parallelFor(static_cast<int64_t>(candidates.size()), [&](int64_t ci) {
      const Candidate &c = candidates[ci];
      const int *producer = c.producer;
      Step &step = steps_[c.instr];
      const int64_t n = step.instr->active_pes();
      std::vector<const uint8_t *> inputs(2 * n);
      for (int k = 0; k < 2; ++k) {
        const Step &load = steps_[producer[k]];
        int64_t start[16];
        load.tiles->tileStart(load.instr->first_tile(), start);
        for (int64_t p = 0; p < n; ++p, load.tiles->nextTile(start)) inputs[2 * p + k] = load.xfer->view(start);
      }
      llvm::DenseSet<const uint8_t *> windows;
      for (int64_t p = 0; p < n; ++p) windows.insert(inputs[2 * p]);
      if (n < 4 * static_cast<int64_t>(windows.size())) return;
      step.kernel->prepareBatch(n, inputs.data());
      step.batchOut = 0;
    });
    // Batch results live only through their segment: each segment packs its own from the start
    // of one arena, so later segments reuse pages the first ones faulted in.
    int64_t arenaBytes = 0;
    for (const Segment &seg : segments_) {
      int64_t used = 0;
      for (int i = seg.begin; i < seg.end; ++i) {
        Step &step = steps_[i];
        if (step.batchOut < 0) continue;
        step.batchOut = used;
        used += (step.instr->active_pes() * step.kernel->batchTileBytes() + 63) / 64 * 64;
      }
      arenaBytes = std::max(arenaBytes, used);
    }
    batchArena_.reset(new uint8_t[std::max<int64_t>(arenaBytes, 1)]);  // written before read
  }

  void runBatches(const Segment &seg) {
    for (int i = seg.begin; i < seg.end; ++i) {
      Step &step = steps_[i];
      if (step.batchOut < 0) continue;
      step.kernel->runBatch(&batchArena_[step.batchOut],
                            [this](int64_t tasks, llvm::function_ref<void(int64_t)> fn) { pool_.parallelFor(tasks, fn); });
    }
  }

  // Parameters into DRAM in 1 MB pieces over the pool: mostly page faults, which scale.
  void writeParameters(const std::vector<std::pair<const Buffer *, const uint8_t *>> &params) {
    constexpr int64_t kPiece = 1 << 20;
    struct Piece {
      const Buffer *buffer;
      const uint8_t *data;
      int64_t offset;
    };
    std::vector<Piece> pieces;
    for (auto [b, data] : params)
      for (int64_t o = 0; o < b->bytes(); o += kPiece) pieces.push_back({b, data, o});
    pool_.parallelFor(static_cast<int64_t>(pieces.size()), [&](int64_t i) {
      const Piece &p = pieces[i];
      writeUnlessEqual(dramBase_ + p.buffer->dram_offset() + p.offset, p.data + p.offset,
                       std::min(kPiece, p.buffer->bytes() - p.offset));
    });
  }

  // Each segment runs on a per-thread scratch LM; only the bytes it takes from earlier segments
  // or leaves for later ones move between the scratch and device LM.
  void planScratch(const Program &program) {
    std::vector<InstrLm> footprint(program.instrs_size());
    int64_t extent = 0;
    for (int i = 0; i < program.instrs_size(); ++i) {
      const Instr &in = program.instrs(i);
      InstrLm &f = footprint[i];
      f.active = in.active_pes();
      if (in.kind() == Instr::COMPUTE) {
        f.reads.assign(steps_[i].kernel->reads.begin(), steps_[i].kernel->reads.end());
        f.writes.assign(steps_[i].kernel->writes.begin(), steps_[i].kernel->writes.end());
        for (auto *ranges : {&f.reads, &f.writes})
          for (auto &[addr, size] : *ranges) size += addr;  // (addr, size) -> [addr, end)
      } else if (in.kind() == Instr::LOAD || in.kind() == Instr::STORE) {
        const Transfer &x = in.xfer();
        for (const AxisMap &m : x.axes())
          if (m.indirect())
            f.reads.push_back({m.indirect_lm_addr(), m.indirect_lm_addr() + m.size() * dtypeBytes(m.indirect_dtype())});
        LmSpan tile{x.lm_addr(), x.lm_addr() + transferTileBytes(program, x)};
        (in.kind() == Instr::LOAD ? f.writes : f.reads).push_back(tile);
      }
      for (auto *ranges : {&f.reads, &f.writes})
        for (const LmSpan &r : *ranges) extent = std::max(extent, r.second);
    }
    std::vector<std::pair<int, int>> bounds;
    for (const Segment &seg : segments_) bounds.push_back({seg.begin, seg.end});
    segmentLm_ = planSegmentLm(footprint, bounds, lmSize_);
    scratchStride_ = (extent + 63) / 64 * 64;
    // The bytes any segment hands on, packed: per PE liveBytes_ of the store.
    std::vector<LmSpan> all;
    for (const SegmentLm &m : segmentLm_)
      for (const auto *spans : {&m.copyIn, &m.copyOut}) all.insert(all.end(), spans->begin(), spans->end());
    std::sort(all.begin(), all.end());
    std::vector<std::pair<LmSpan, int64_t>> packed;  // merged span, its offset in a PE's record
    liveBytes_ = 0;
    for (const LmSpan &sp : all) {
      if (!packed.empty() && sp.first <= packed.back().first.second) {
        int64_t grow = std::max<int64_t>(0, sp.second - packed.back().first.second);
        packed.back().first.second += grow;
        liveBytes_ += grow;
        continue;
      }
      packed.push_back({sp, liveBytes_});
      liveBytes_ += sp.second - sp.first;
    }
    auto moves = [&](const std::vector<LmSpan> &spans) {
      std::vector<LmMove> out;
      for (const LmSpan &sp : spans) {
        auto it = std::upper_bound(packed.begin(), packed.end(), sp.first,
                                   [](int64_t a, const std::pair<LmSpan, int64_t> &p) { return a < p.first.first; });
        --it;
        out.push_back({sp.first, it->second + (sp.first - it->first.first), sp.second - sp.first});
      }
      return out;
    };
    moves_.clear();
    for (const SegmentLm &m : segmentLm_) moves_.push_back({moves(m.copyIn), moves(m.copyOut)});
    // Zero pages until written: a program never reads another run's LM (validity is per run).
    liveStore_.reset(static_cast<uint8_t *>(std::calloc(hw_.pes() * std::max<int64_t>(liveBytes_, 1), 1)));
  }

  // Checked mode: the first instruction that reads LM a PE never wrote (E502). Whether one does
  // depends only on the program, so it is found here once instead of on every access.
  void findUninitializedRead(const Program &program) {
    failAt_ = -1;
    LmValidity validity(lmSize_);
    for (int i = 0; i < program.instrs_size() && failAt_ < 0; ++i) {
      const Instr &in = program.instrs(i);
      const Step &step = steps_[i];
      const int64_t active = in.active_pes();
      if (in.kind() == Instr::LOAD) {
        validity.write(in.xfer().lm_addr(), transferTileBytes(program, in.xfer()), active);
      } else if (in.kind() == Instr::STORE) {
        int64_t bytes = transferTileBytes(program, in.xfer());
        if (validity.firstMissing(in.xfer().lm_addr(), bytes, active) >= 0) {
          failAt_ = i;
          failMessage_ = llvm::formatv("layer '{0}': store to '{1}' reads LM [{2}, {3}) that was never written",
                                       step.layer->name(), program.buffers(in.xfer().buffer()).name(),
                                       in.xfer().lm_addr(), in.xfer().lm_addr() + bytes);
        }
      } else if (in.kind() == Instr::COMPUTE) {
        // The lowest PE missing a byte, and the first operand it misses, as a PE-by-PE check finds.
        int64_t pe = -1;
        for (auto [addr, size] : step.kernel->reads) {
          int64_t p = validity.firstMissing(addr, size, active);
          if (p >= 0 && (pe < 0 || p < pe)) pe = p;
        }
        if (pe >= 0) {
          for (auto [addr, size] : step.kernel->reads) {
            if (validity.firstMissing(addr, size, pe + 1) < 0) continue;
            failAt_ = i;
            failMessage_ = llvm::formatv("layer '{0}': PE {1} kernel {2} reads LM [{3}, {4}) that was never written",
                                         step.layer->name(), pe, in.kernel().op(), addr, addr + size);
            break;
          }
        }
        for (auto [addr, size] : step.kernel->writes) validity.write(addr, size, active);
      }
    }
  }

  void planSegments(const Program &program) {
    segments_.clear();
    using Range = std::pair<int64_t, int64_t>;
    std::vector<Range> reads, writes;
    Segment seg;
    auto close = [&](int end) {
      seg.end = end;
      if (seg.end > seg.begin) segments_.push_back(seg);
      seg = Segment{end, end};
      reads.clear();
      writes.clear();
    };
    for (int i = 0; i < program.instrs_size(); ++i) {
      const Instr &in = program.instrs(i);
      bool split = i == failAt_;
      if (in.kind() == Instr::HOST) {  // a segment of its own: the host works on DRAM alone
        close(i);
        seg.host = true;
        close(i + 1);
        continue;
      }
      if (in.kind() == Instr::LOAD || in.kind() == Instr::STORE) {
        const Buffer &b = program.buffers(in.xfer().buffer());
        Range r{b.dram_offset(), b.dram_offset() + b.bytes()};
        for (const Range &w : writes) split |= overlaps(r, w);
        if (in.kind() == Instr::STORE)
          for (const Range &rd : reads) split |= overlaps(r, rd);
        if (split) close(i);
        (in.kind() == Instr::LOAD ? reads : writes).push_back(r);
      } else if (split) {
        close(i);
      }
      seg.pes = std::max(seg.pes, in.kind() == Instr::WAIT ? 0 : in.active_pes());
      seg.workNs += steps_[i].workNs;
    }
    close(program.instrs_size());
  }

  // PEs [lo, hi) run the segment's instructions in order; each keeps its LM hot in the cache.
  // A LOAD read in place records each PE's view; its kernels pick them up. The PEs' tile starts
  // are worked out once per layer and first tile, not per instruction.
  void runBlock(const Segment &seg, int64_t lo, int64_t hi) {
    constexpr int64_t kMaxBlock = 32;
    // The block's PEs work in a scratch LM, kMaxBlock PEs of scratchStride_ bytes (and a
    // vector's width of slack for reads past the last tile).
    thread_local std::vector<uint8_t> scratch;
    if (static_cast<int64_t>(scratch.size()) < kMaxBlock * scratchStride_ + 64)
      scratch.resize(kMaxBlock * scratchStride_ + 64);
    const SegmentMoves &moves = moves_[&seg - segments_.data()];
    const int64_t last = std::min(hi, seg.pes);
    for (int64_t pe = lo; pe < last; ++pe)
      for (const LmMove &m : moves.in)
        std::memcpy(&scratch[(pe - lo) * scratchStride_ + m.addr], &liveStore_[pe * liveBytes_ + m.offset], m.bytes);
    int64_t table[kMaxBlock * 16];
    int tableLayer = -1;
    int64_t tableFirst = -1;
    const int slots = std::max(viewPlan_.slots, 1);
    for (int i = seg.begin; i < seg.end; ++i) {
      const Step &step = steps_[i];
      const Instr &in = *step.instr;
      const int64_t end = std::min(hi, in.active_pes());
      if (in.kind() == Instr::WAIT || lo >= end) continue;
      const int rank = step.tiles->rank();
      if (in.layer() != tableLayer || in.first_tile() != tableFirst) {
        int64_t *row = table;
        step.tiles->tileStart(in.first_tile() + lo, row);
        for (int64_t pe = lo + 1; pe < std::min(hi, lo + kMaxBlock); ++pe, row += rank) {
          std::copy(row, row + rank, row + rank);
          step.tiles->nextTile(row + rank);
        }
        tableLayer = in.layer();
        tableFirst = in.first_tile();
      }
      const int loadSlot = viewPlan_.loadSlot[i];
      const std::vector<int> &operandSlot = viewPlan_.operandSlot[i];
      const bool viewed = std::any_of(operandSlot.begin(), operandSlot.end(), [](int s) { return s >= 0; });
      const int64_t *space = step.layer->space().data();
      if (step.kernel && step.batchOut < 0 && viewed && step.kernel->peGroups) {
        constexpr int kOps = PreparedKernel::kMaxOperands;
        const uint8_t *operands[kMaxBlock * kOps] = {};
        for (int64_t pe = lo; pe < end; ++pe)
          for (size_t k = 0; k < operandSlot.size() && k < kOps; ++k)
            if (operandSlot[k] >= 0) operands[(pe - lo) * kOps + k] = views_[pe * slots + operandSlot[k]];
        if (step.kernel->runPes(end - lo, scratch.data(), scratchStride_, operands)) continue;
      }
      for (int64_t pe = lo; pe < end; ++pe) {
        const int64_t *start = table + (pe - lo) * rank;
        uint8_t *lm = &scratch[(pe - lo) * scratchStride_];
        const uint8_t **peViews = &views_[pe * slots];
        if (step.batchOut >= 0) {
          step.kernel->finishBatch(lm, &batchArena_[step.batchOut + pe * step.kernel->batchTileBytes()]);
        } else if (step.kernel) {
          const PeTile tile{start, space};
          if (!viewed) {
            step.kernel->run(lm, tile);
            continue;
          }
          const uint8_t *operands[8] = {};
          for (size_t k = 0; k < operandSlot.size() && k < 8; ++k)
            if (operandSlot[k] >= 0) operands[k] = peViews[operandSlot[k]];
          step.kernel->run(lm, tile, operands);
        } else if (loadSlot >= 0) {
          peViews[loadSlot] = step.xfer->view(start);
        } else {
          step.xfer->run(start, dramBase_, lm);
        }
      }
    }
    for (int64_t pe = lo; pe < last; ++pe)
      for (const LmMove &m : moves.out)
        std::memcpy(&liveStore_[pe * liveBytes_ + m.offset], &scratch[(pe - lo) * scratchStride_ + m.addr], m.bytes);
  }

  // The padded copies segment `s` reads, in row chunks over the pool.
  void fillSources(int s) {
    for (int id : viewPlan_.segmentSources[s]) {
      const PaddedSource &src = viewPlan_.sources[id];
      const int64_t rows = sourceRows(src), chunk = std::max<int64_t>(64, rows / (pool_.threads() * 4));
      pool_.parallelFor((rows + chunk - 1) / chunk, [&](int64_t c) {
        fillSourceRows(*program_, src, c * chunk, std::min(rows, (c + 1) * chunk), dramBase_, viewPlan_.arena.get());
      });
    }
  }

  void runSegment(const Segment &seg) {
    const int64_t threads = pool_.threads();
    if (threads <= 1 || seg.workNs < 20000 || seg.pes < 2) {
      for (int64_t lo = 0; lo < seg.pes; lo += 32) runBlock(seg, lo, std::min(seg.pes, lo + 32));
      return;
    }
    // Blocks small enough to balance the threads, large enough to amortise the per-block setup.
    int64_t block = std::clamp<int64_t>(seg.pes / (threads * 8), 1, 32);
    int64_t blocks = (seg.pes + block - 1) / block;
    pool_.parallelFor(blocks, [&](int64_t b) { runBlock(seg, b * block, std::min(seg.pes, (b + 1) * block)); });
  }

  Hardware hw_;
  Options options_;
  int64_t lmSize_;
  std::vector<uint8_t> ownDram_;  // when the device's memory is not given
  uint8_t *dramBase_ = nullptr;
  const Program *program_ = nullptr;
  std::vector<Step> steps_;
  std::vector<Segment> segments_;
  ViewPlan viewPlan_;
  // LM: each block of PEs runs a segment on a per-thread scratch; the bytes segments hand on to
  // each other live in a packed store, liveBytes_ per PE.
  struct LmMove {
    int64_t addr, offset, bytes;  // LM address, offset in the PE's store record, length
  };
  struct SegmentMoves {
    std::vector<LmMove> in, out;
  };
  std::vector<SegmentLm> segmentLm_;
  std::vector<SegmentMoves> moves_;   // per segment
  int64_t scratchStride_ = 0;         // bytes per PE in the scratch LM
  int64_t liveBytes_ = 0;
  struct FreeDeleter {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], FreeDeleter> liveStore_;
  std::vector<const uint8_t *> views_;  // per PE, per view slot: where its viewed tile is
  std::unique_ptr<uint8_t[]> batchArena_;  // the running segment's batch results (Step::batchOut)
  DynamicShapes shapes_;          // of dynamic-shaped buffers host ops wrote in this run
  int failAt_ = -1;               // first instruction reading never-written LM, -1 = none
  std::string failMessage_;
  PePool pool_;
};

Emulator::Emulator(Hardware hw, Options options)
    : hw_(std::move(hw)), impl_(std::make_unique<Impl>(hw_, options)) {}
Emulator::~Emulator() = default;
llvm::Error Emulator::load(const Program &program, llvm::ArrayRef<llvm::StringRef> params) {
  return impl_->load(program, params);
}
llvm::Error Emulator::writeInput(int ioIndex, DType hostType, const void *data, int64_t n) {
  return impl_->writeInput(ioIndex, hostType, data, n);
}
llvm::Error Emulator::writeBuffer(const Buffer &buffer, DType hostType, const void *data, int64_t n) {
  return impl_->writeBuffer(&buffer, hostType, data, n);
}
llvm::Expected<std::vector<uint8_t>> Emulator::readBuffer(const Buffer &buffer, DType hostType) const {
  return impl_->readBuffer(&buffer, hostType);
}
void Emulator::writeBufferImage(const Buffer &buffer, const uint8_t *image) {
  impl_->writeBufferImage(buffer, image);
}
llvm::Expected<RunStats> Emulator::run() { return impl_->run(); }
std::vector<int64_t> Emulator::shape(const Buffer &buffer) const { return impl_->shape(buffer); }
llvm::Expected<std::vector<uint8_t>> Emulator::readOutput(int ioIndex, DType hostType) const {
  return impl_->readOutput(ioIndex, hostType);
}

}  // namespace pfcomp::device
