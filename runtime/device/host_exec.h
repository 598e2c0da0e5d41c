// HOST instructions in the emulator: the operands are read from DRAM (dynamic-shaped ones with
// the shape their producer recorded), the host op runs on the CPU (runtime/host), the results
// are written back and dynamic ones record their actual shape.
#pragma once

#include "runtime/device/program.pb.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <vector>

namespace pfcomp::device {

// Actual shapes of the dynamic-shaped buffers written so far in this run, by buffer index.
using DynamicShapes = std::map<int, std::vector<int64_t>>;

// Errors (E509) name the node and op.
llvm::Error runHostCall(const Program &program, const Instr &instr, uint8_t *dram,
                        DynamicShapes &shapes);

// The shape `buffer` (index `id`) holds now: recorded if dynamic and written, else its own.
std::vector<int64_t> currentShape(const Program &program, int id, const DynamicShapes &shapes);

}  // namespace pfcomp::device
