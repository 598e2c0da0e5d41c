// The Node Simulation cache (`cache_dir`): node costs on disk, keyed by everything the cost
// depends on — the node's op and attributes, its operands' shapes and dtypes, its tiling, the
// hardware descriptor, the simulation mode and the tool version. Entries are written to a temp
// file and renamed, so concurrent compiles can share one cache.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace pfcomp::sim {

class SimCache {
 public:
  // An empty `dir` disables the cache.
  SimCache(std::string dir, const device::Hardware &hw, std::string mode);
  std::string key(const ir::Node &node, const ir::Graph &graph) const;
  std::optional<ir::NodeCost> lookup(const std::string &key) const;
  llvm::Error store(const std::string &key, const ir::NodeCost &cost) const;
  bool enabled() const { return !dir_.empty(); }
  int hits = 0, misses = 0;

 private:
  std::string dir_, context_;
};

}  // namespace pfcomp::sim
