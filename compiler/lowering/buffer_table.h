// DRAM buffers of a program: one allocation per MNGraph value (alias ops share their input's),
// and views of it with other shapes over the same bytes.
#pragma once

#include "compiler/lowering/layer_plan.h"

#include "llvm/Support/Error.h"

#include <map>
#include <set>

namespace pfcomp::lowering {

class BufferTable {
 public:
  BufferTable(const GraphView &graph, device::Program &program);

  // Makes `alias` share the DRAM of `source` (Reshape and friends).
  void alias(const std::string &alias, const std::string &source);
  // Buffer id of `value` seen with `view` (allocated on first use).
  int bufferFor(const std::string &value, const Dims &view);
  // Marks graph inputs / outputs with their kinds and positions; loads PARAM data.
  llvm::Error bindGraphIo();
  int64_t dramBytes() const { return next_; }
  // L1Merge: these values live in L1BM (allocated in the L1BM image, Buffer.location L1BM).
  void setL1bmValues(std::set<std::string> values) { l1bmValues_ = std::move(values); }
  // Moves the L1BM buffers behind DRAM (once every DRAM buffer is allocated) and sets the
  // program's dram_bytes and l1bm_image_bytes.
  void placeImages();

 private:
  struct Allocation {
    int64_t offset = 0, bytes = 0;
    bool l1bm = false;  // offset counts in the L1BM image
  };
  const std::string &root(const std::string &value) const;
  Allocation &allocate(const std::string &value);

  const GraphView &graph_;
  device::Program &program_;
  std::map<std::string, std::string> aliasOf_;
  std::map<std::string, Allocation> alloc_;
  std::map<std::pair<std::string, Dims>, int> views_;
  std::set<std::string> l1bmValues_;
  int64_t next_ = 0, nextL1bm_ = 0;  // bytes allocated in DRAM and in the L1BM image
};

}  // namespace pfcomp::lowering
