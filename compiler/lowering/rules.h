// The op rules, one function per op family. Each returns the node's layers for the context's tile.
#pragma once

#include "compiler/lowering/rule_context.h"

#include "llvm/Support/Error.h"

namespace pfcomp::lowering::rules {

using Layers = llvm::Expected<std::vector<LayerPlan>>;

// Rank-0 values are handled as one-element vectors.
inline Dims spaceOf(Dims shape) { return shape.empty() ? Dims{1} : shape; }
int64_t product(const Dims &d);

Layers unary(RuleContext &ctx);
Layers binary(RuleContext &ctx);
Layers matmul(RuleContext &ctx);
Layers gemm(RuleContext &ctx);
Layers conv(RuleContext &ctx);
Layers pool(RuleContext &ctx);
Layers globalPool(RuleContext &ctx);
Layers reduce(RuleContext &ctx);
Layers softmax(RuleContext &ctx);
Layers layerNorm(RuleContext &ctx);
Layers cast(RuleContext &ctx);
Layers transpose(RuleContext &ctx);
Layers slice(RuleContext &ctx);
Layers concat(RuleContext &ctx);
Layers split(RuleContext &ctx);
Layers gather(RuleContext &ctx);
Layers where(RuleContext &ctx);
Layers argReduce(RuleContext &ctx);
Layers cumSum(RuleContext &ctx);
Layers instanceNorm(RuleContext &ctx);
Layers hardmax(RuleContext &ctx);
Layers trilu(RuleContext &ctx);
Layers resize(RuleContext &ctx);
Layers convTranspose(RuleContext &ctx);
Layers pad(RuleContext &ctx);
Layers expand(RuleContext &ctx);

}  // namespace pfcomp::lowering::rules
