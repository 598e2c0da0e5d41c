// A host node's part of the program: one HOST instruction reading its operands from DRAM and
// writing its results there, costed as the host link moving both plus the host's compute.
#pragma once

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/layer_plan.h"
#include "runtime/device/hardware.h"

#include "llvm/Support/Error.h"

namespace pfcomp::lowering {

// Appends the node's layer and its HOST instruction (tagged `tag`); returns the next free tag.
llvm::Expected<int> emitHostCall(const ir::Node &node, const GraphView &graph,
                                 const device::Hardware &hw, BufferTable &buffers,
                                 device::Program &program, int tag);

}  // namespace pfcomp::lowering
