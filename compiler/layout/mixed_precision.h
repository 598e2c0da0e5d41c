// float_dtype=mixed: the MAU ops (Conv, ConvTranspose, MatMul, Gemm) take fp16 inputs and give
// fp16 outputs, everything else stays fp32. Element type is part of a value's placement, so
// layout-plan decides it; transfers convert between a value's type and its consumer's.
#pragma once

#include "compiler/ir/mngraph.pb.h"

namespace pfcomp::layout {

// Retypes MAU outputs, the parameters only MAU ops read and the alias-op views of retyped
// values to F16. Returns how many values changed.
int applyMixedPrecision(ir::Graph &graph);

}  // namespace pfcomp::layout
