// The canonical text form of MNGraph: stable, one line per value and node, for tests to compare.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <string>

namespace pfcomp::ir {

std::string dumpGraph(const Graph &graph);

}  // namespace pfcomp::ir
