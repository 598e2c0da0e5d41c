// layout.html (final layout of every value) and layout_plan_history.html (the planner's
// decisions in order): self-contained pages readable in any browser, offline.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <map>
#include <string>
#include <vector>

namespace pfcomp::layout {

struct BidiPlan;

std::string layoutHtml(const ir::Graph &graph);
std::string historyHtml(const ir::Graph &graph,
                        const std::vector<std::pair<std::string, std::vector<std::string>>> &history);
// The bidi planner's seeds and passes, each decision with its candidates and their costs.
std::string bidiHistoryHtml(const ir::Graph &graph, const BidiPlan &plan);
std::string htmlEscape(const std::string &text);

}  // namespace pfcomp::layout
