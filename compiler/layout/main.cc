// layout-plan: chooses how every node's output is cut into PE tiles (planner `lpz`) and writes
// the MNGraph with tilings and value layouts, layout.html and layout_plan_history.html.
#include <glog/logging.h>

#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "compiler/layout/layout_html.h"
#include "compiler/layout/mixed_precision.h"
#include "compiler/layout/tile_planner.h"
#include "compiler/lowering/tiling_space.h"
#include "compiler/options/stage_main.h"
#include "llvm/Support/Path.h"
#include "runtime/device/hardware.h"
#include "support/atomic_file.h"
#include "support/error.h"

using namespace pfcomp;

static llvm::Error run(const options::StageInvocation &inv) {
  auto graph = ir::readGraph(inv.input);
  if (!graph) return graph.takeError();
  auto hw = device::resolveHardware(inv.options.hardware);
  if (!hw) return hw.takeError();
  const int64_t budget = static_cast<int64_t>(hw->lmBytes() * inv.options.sram_budget);
  if (inv.options.float_dtype == "mixed")
    LOG(INFO) << "mixed precision: " << layout::applyMixedPrecision(*graph) << " values now f16";
  lowering::GraphView view(*graph);
  std::vector<std::pair<std::string, std::vector<std::string>>> history;
  std::map<std::string, ir::Layout> layouts;
  for (ir::Node &node : *graph->mutable_nodes()) {
    auto choice =
        layout::chooseTiling(node, view, *hw, budget, inv.options.layout_planner == "lpz");
    if (!choice) return choice.takeError();
    history.emplace_back(node.name(), choice->history);
    if (choice->space.empty()) continue;  // alias: shares its input's DRAM
    ir::Tiling *t = node.mutable_tiling();
    for (int64_t v : choice->tile.out) t->add_out_tile(v);
    for (int64_t v : choice->tile.chunk) t->add_red_chunk(v);
    t->set_pes(choice->placement.pes);
    t->set_steps(choice->placement.steps);
    t->set_red_steps(choice->placement.red_steps);
    ir::Layout layout;
    for (int64_t v : choice->tile.out) layout.add_tile(v);
    layout.set_pes(choice->placement.pes);
    layout.set_steps(choice->placement.steps);
    layout.set_text(lowering::layoutText(choice->space, choice->tile.out, *hw));
    for (const std::string &out : node.outputs()) layouts[out] = layout;
    LOG(INFO) << "node " << node.name() << " (" << node.op_type() << "): " << layout.text() << ", "
              << choice->placement.pes << " PEs x " << choice->placement.steps << " steps, LM "
              << choice->placement.lm_bytes << " bytes";
  }
  for (ir::Value &v : *graph->mutable_values())
    if (auto it = layouts.find(v.name()); it != layouts.end()) *v.mutable_layout() = it->second;
  (*graph->mutable_meta())["layout_planner"] = inv.options.layout_planner;
  (*graph->mutable_meta())["hardware"] = hw->name;
  graph->add_stages("layout-plan");

  auto sibling = [&](const char *name) { return options::besideOutput(inv.output, name); };
  if (auto err = writeFileAtomically(sibling("layout.html"), layout::layoutHtml(*graph)))
    return err;
  if (auto err = writeFileAtomically(sibling("layout_plan_history.html"),
                                     layout::historyHtml(*graph, history)))
    return err;
  if (auto err = writeFileAtomically(inv.output + ".txt", ir::dumpGraph(*graph))) return err;
  return ir::writeGraph(*graph, inv.output);
}

int main(int argc, char **argv) {
  return options::runStageMain(
      "layout-plan", "layout-plan",
      "layout-plan MNGRAPH -o OUT: choose each node's PE tiling and each value's layout; also "
      "writes layout.html and layout_plan_history.html next to OUT.",
      argc, argv, run);
}
