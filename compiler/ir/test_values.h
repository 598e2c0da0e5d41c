// Building MNGraphs in unit tests: F32 values with random contents and tiled nodes, as the tests of
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

// Adds node "n_<out>" computing `out` with `op` from `inputs`, tiled with `tile` (output axes)
// and `chunk` (reduction axes).
Node &addTiledNode(Graph &graph, const std::string &out, const std::string &op,
                   const std::vector<std::string> &inputs, const std::vector<int64_t> &tile,
                   const std::vector<int64_t> &chunk = {});

}  // namespace pfcomp::ir::testing
