// DRAM buffers of a program: one allocation per MNGraph value (alias ops share their input's),
// and views of it with other shapes over the same bytes.
#pragma once

#include "compiler/lowering/layer_plan.h"

#include "llvm/Support/Error.h"

#include <map>

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

 private:
  struct Allocation {
    int64_t offset = 0, bytes = 0;
  };
  const std::string &root(const std::string &value) const;
  Allocation &allocate(const std::string &value);

  const GraphView &graph_;
  device::Program &program_;
  std::map<std::string, std::string> aliasOf_;
  std::map<std::string, Allocation> alloc_;
  std::map<std::pair<std::string, Dims>, int> views_;
  int64_t next_ = 0;
};

}  // namespace pfcomp::lowering
