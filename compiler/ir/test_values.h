// Building MNGraph values in unit tests: one F32 value with random contents, as the tests of
// layout, lowering and scheduling all need (testonly).
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pfcomp::ir::testing {

// Adds an F32 value of `shape`. Its elements are drawn uniformly from [-1, 1) with `rng`: a
// PARAM keeps them as its bytes, an INPUT is listed as a graph input; other kinds draw none.
// Returns the elements (empty for other kinds).
std::vector<float> addRandomF32(Graph &graph, const std::string &name,
                                const std::vector<int64_t> &shape, Value::Kind kind,
                                std::mt19937 &rng);

}  // namespace pfcomp::ir::testing
