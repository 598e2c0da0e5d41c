// layout.html (final layout of every value) and layout_plan_history.html (the planner's
// decisions in order): self-contained pages readable in any browser, offline.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::layout {

std::string layoutHtml(const ir::Graph &graph);
std::string historyHtml(const ir::Graph &graph,
                        const std::vector<std::pair<std::string, std::vector<std::string>>> &history);
std::string htmlEscape(const std::string &text);

}  // namespace pfcomp::layout
