// Host placement: nodes the device cannot run but the host can (runtime/host) are marked
// `on_host`; their results get the host op's shape, or an upper bound marked `dynamic_shape`
// when the size depends on the data. Device nodes cannot read such a value (E105).
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <string>

namespace pfcomp::import {

// `deviceRuns` tells whether the device runs a node as it stands. Returns the names of the
// values host nodes write.
llvm::Expected<llvm::StringSet<>> placeHostOps(ir::Graph &g,
                                              const std::map<std::string, int> &valueIndex,
                                              const std::function<bool(const ir::Node &)> &deviceRuns,
                                              llvm::StringRef modelPath);

}  // namespace pfcomp::import
