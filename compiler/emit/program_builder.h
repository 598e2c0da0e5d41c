// Lowers a scheduled MNGraph to the whole device program: DRAM buffers for every value, each
// node's layers in schedule order, graph inputs / outputs and parameters bound.
#pragma once

#include "compiler/ir/mngraph.pb.h"
#include "runtime/device/hardware.h"
#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

namespace pfcomp::emit {

llvm::Expected<device::Program> buildProgram(const ir::Graph &graph, const device::Hardware &hw);

}  // namespace pfcomp::emit
