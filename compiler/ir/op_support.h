// The ONNX op types MNGraph carries to the device after import. The import stage refuses
// (all at once) any op that is neither here nor folded / rewritten away by import itself.
#pragma once

#include "llvm/ADT/StringRef.h"


namespace pfcomp::ir {

bool isDeviceOp(llvm::StringRef opType);
// Ops that never move data on the device: they rename a DRAM buffer (Reshape and friends).
bool isAliasOp(llvm::StringRef opType);

}  // namespace pfcomp::ir
