#include "runtime/device/emulator.h"

#include "runtime/device/element_convert.h"
#include "runtime/device/kernels/kernel.h"
#include "runtime/device/transfer.h"
#include "support/error.h"

#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace pfcomp::device {

class Emulator::Impl {
 public:
  Impl(const Hardware &hw, Options options)
      : hw_(hw), options_(options), lmSize_(hw.lmBytes()),
        pool_(llvm::hardware_concurrency(options.threads)) {
    // calloc: untouched pages of the 4096 LM images cost nothing.
    lm_ = options.memory.lm ? options.memory.lm : static_cast<uint8_t *>(std::calloc(hw.pes() * lmSize_, 1));
    if (options.checked) valid_ = static_cast<uint8_t *>(std::calloc(hw.pes() * lmSize_, 1));
  }
  ~Impl() {
    if (!options_.memory.lm) std::free(lm_);
    std::free(valid_);
  }

  llvm::Error load(const Program &program) {
    program_ = &program;
    if (program.dram_bytes() > hw_.dramBytes())
      return makeError(ErrorCode::DramOutOfRange, "program needs {0} bytes of DRAM, device has {1}",
                       program.dram_bytes(), hw_.dramBytes());
    if (options_.memory.dram) {
      dramBase_ = options_.memory.dram;
    } else {
      ownDram_.assign(program.dram_bytes(), 0);
      dramBase_ = ownDram_.data();
    }
    for (const Buffer &b : program.buffers()) {
      if (dtypeBytes(b.dtype()) == 0 || ((b.kind() == Buffer::INPUT || b.kind() == Buffer::OUTPUT) &&
                                         dtypeBytes(b.host_dtype()) == 0))
        return makeError(ErrorCode::BadProgram, "buffer '{0}' has an element type the device does not know",
                         b.name());
      if (b.dram_offset() < 0 || b.dram_offset() + b.bytes() > program.dram_bytes())
        return makeError(ErrorCode::DramOutOfRange, "buffer '{0}' lies outside DRAM", b.name());
      if (b.kind() == Buffer::PARAM) {
        if (static_cast<int64_t>(b.data().size()) != b.bytes())
          return makeError(ErrorCode::BadProgram, "parameter '{0}' has {1} bytes of data, expected {2}",
                           b.name(), b.data().size(), b.bytes());
        std::memcpy(dramBase_ + b.dram_offset(), b.data().data(), b.bytes());
      }
    }
    prepared_.clear();
    prepared_.resize(program.instrs_size());
    for (int i = 0; i < program.instrs_size(); ++i) {
      const Instr &in = program.instrs(i);
      if (in.layer() < 0 || in.layer() >= program.layers_size())
        return makeError(ErrorCode::BadProgram, "instruction {0}: no layer {1}", i, in.layer());
      if (in.active_pes() > hw_.pes())
        return makeError(ErrorCode::BadProgram, "instruction {0}: {1} PEs active, device has {2}", i,
                         in.active_pes(), hw_.pes());
      if (in.kind() == Instr::COMPUTE) {
        auto k = prepareKernel(in.kernel());
        if (!k)
          return llvm::joinErrors(makeError(ErrorCode::BadProgram, "instruction {0} (layer {1}):", i,
                                            program.layers(in.layer()).name()),
                                  k.takeError());
        for (auto ranges : {(*k)->reads, (*k)->writes})
          for (auto [addr, size] : ranges)
            if (addr + size > lmSize_)
              return makeError(ErrorCode::LmOverflow,
                               "layer '{0}': kernel {1} touches LM bytes [{2}, {3}), LM holds {4}",
                               program.layers(in.layer()).name(), in.kernel().op(), addr,
                               addr + size, lmSize_);
        prepared_[i] = std::move(*k);
      } else if (in.kind() == Instr::LOAD || in.kind() == Instr::STORE) {
        if (auto err = validateTransfer(program, in, lmSize_))
          return llvm::joinErrors(
              makeError(ErrorCode::BadProgram, "instruction {0} (layer {1}):", i,
                        program.layers(in.layer()).name()),
              std::move(err));
      }
    }
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
    std::vector<uint8_t> out(elems * dtypeBytes(hostType));
    if (!convertElements(b->dtype(), dramBase_ + b->dram_offset(), hostType, out.data(), elems))
      return makeError(ErrorCode::BadProgram, "output '{0}': no conversion to the host type", b->name());
    return out;
  }

  llvm::Expected<RunStats> run() {
    RunStats stats;
    const Program &program = *program_;
    // Validity starts clean every run; a fresh calloc already is (and costs no page faults).
    if (valid_ && validDirty_) std::memset(valid_, 0, hw_.pes() * lmSize_);
    validDirty_ = true;
    for (int i = 0; i < program.instrs_size(); ++i) {
      if (options_.interrupted)
        if (llvm::Error err = options_.interrupted()) return std::move(err);
      const Instr &in = program.instrs(i);
      if (in.kind() == Instr::WAIT) continue;
      if (options_.instr_delay_us > 0)
        std::this_thread::sleep_for(std::chrono::microseconds(options_.instr_delay_us));
      const Layer &layer = program.layers(in.layer());
      TileWalker tiles(layer, in);
      std::mutex errMutex;
      llvm::Error firstErr = llvm::Error::success();
      auto perPe = [&](int64_t pe, const int64_t *tileStart) -> llvm::Error {
        uint8_t *lm = lm_ + pe * lmSize_;
        uint8_t *valid = valid_ ? valid_ + pe * lmSize_ : nullptr;
        switch (in.kind()) {
          case Instr::LOAD:
            return executeLoad(program, in, tileStart, tiles.redStarts(), dramBase_, lm, valid);
          case Instr::STORE:
            return executeStore(program, in, layer, tileStart, dramBase_, lm, valid);
          case Instr::COMPUTE: {
            const PreparedKernel &k = *prepared_[i];
            if (valid)
              for (auto [addr, size] : k.reads)
                if (std::memchr(valid + addr, 0, size))
                  return makeError(ErrorCode::LmUninitialized,
                                   "layer '{0}': PE {1} kernel {2} reads LM [{3}, {4}) that was "
                                   "never written",
                                   layer.name(), pe, in.kernel().op(), addr, addr + size);
            PeTile tile{tileStart, layer.space().data()};
            k.run(lm, tile);
            if (valid)
              for (auto [addr, size] : k.writes) std::memset(valid + addr, 1, size);
            return llvm::Error::success();
          }
          default: return llvm::Error::success();
        }
      };
      const int64_t pes = in.active_pes();
      const int64_t chunks = std::min<int64_t>(pes, pool_.getThreadCount() * 4);
      auto runRange = [&](int64_t lo, int64_t hi) {
        std::vector<int64_t> start(layer.space_size());
        for (int64_t pe = lo; pe < hi; ++pe) {
          tiles.tileStart(in.first_tile() + pe, start.data());
          if (llvm::Error err = perPe(pe, start.data())) {
            std::lock_guard<std::mutex> lock(errMutex);
            firstErr = llvm::joinErrors(std::move(firstErr), std::move(err));
            return;
          }
        }
      };
      if (pes < 32 || chunks <= 1) {
        runRange(0, pes);
      } else {
        for (int64_t c = 0; c < chunks; ++c)
          pool_.async([&, c] { runRange(pes * c / chunks, pes * (c + 1) / chunks); });
        pool_.wait();
      }
      if (firstErr) return std::move(firstErr);
      ++stats.instructions;
    }
    stats.timeline = computeTimeline(program);
    stats.cycles = stats.timeline.total_cycles;
    return stats;
  }

  void writeBufferImage(const Buffer &b, const uint8_t *image) {
    std::memcpy(dramBase_ + b.dram_offset(), image, b.bytes());
  }

 private:
  Hardware hw_;
  Options options_;
  int64_t lmSize_;
  uint8_t *lm_ = nullptr;
  uint8_t *valid_ = nullptr;
  bool validDirty_ = false;
  std::vector<uint8_t> ownDram_;  // when the device's memory is not given
  uint8_t *dramBase_ = nullptr;
  const Program *program_ = nullptr;
  std::vector<std::unique_ptr<PreparedKernel>> prepared_;
  llvm::ThreadPool pool_;
};

Emulator::Emulator(Hardware hw, Options options)
    : hw_(std::move(hw)), impl_(std::make_unique<Impl>(hw_, options)) {}
Emulator::~Emulator() = default;
llvm::Error Emulator::load(const Program &program) { return impl_->load(program); }
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
llvm::Expected<std::vector<uint8_t>> Emulator::readOutput(int ioIndex, DType hostType) const {
  return impl_->readOutput(ioIndex, hostType);
}

}  // namespace pfcomp::device
