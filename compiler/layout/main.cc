// layout-plan: chooses how every node's output is cut into PE tiles (planners lpz, bidi, legacy) and writes
// the MNGraph with tilings and value layouts, layout.html and layout_plan_history.html.
#include <glog/logging.h>

#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "compiler/layout/bidi_planner.h"
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
  std::vector<lowering::Tile> tiles(graph->nodes_size());  // empty `out`: alias op, nothing to tile
  std::string historyPage;
  if (inv.options.layout_planner == "bidi") {
    auto plan = layout::planBidi(*graph, view, *hw, budget, inv.options.simulation_mode != "fake",
                                 inv.options.scheduler != "always_from_dram");
    if (!plan) return plan.takeError();
    tiles = plan->tiles;
    historyPage = layout::bidiHistoryHtml(*graph, *plan);
    LOG(INFO) << "bidi: " << plan->sweeps << " sweeps, own cycles " << plan->seed_cycles << " -> "
              << plan->final_cycles << ", " << plan->chained_edges << " producer/consumer pairs on the "
              << "same tiles saving " << plan->saved_cycles << " cycles of DRAM round trips";
  } else {
    std::vector<std::pair<std::string, std::vector<std::string>>> history;
    for (int i = 0; i < graph->nodes_size(); ++i) {
      const ir::Node &node = graph->nodes(i);
      auto choice = layout::chooseTiling(node, view, *hw, budget, inv.options.layout_planner == "lpz");
      if (!choice) return choice.takeError();
      history.emplace_back(node.name(), choice->history);
      tiles[i] = choice->tile;
    }
    historyPage = layout::historyHtml(*graph, history);
  }
  std::map<std::string, ir::Layout> layouts;
  for (int i = 0; i < graph->nodes_size(); ++i) {
    if (tiles[i].out.empty()) continue;  // alias: shares its input's DRAM
    ir::Node &node = *graph->mutable_nodes(i);
    lowering::TilingSpace space(node, view, *hw);
    if (auto err = space.init()) return err;
    auto placement = layout::placeTile(node, view, *hw, space, tiles[i]);
    if (!placement) return placement.takeError();
    ir::Tiling *t = node.mutable_tiling();
    for (int64_t v : tiles[i].out) t->add_out_tile(v);
    for (int64_t v : tiles[i].chunk) t->add_red_chunk(v);
    t->set_pes(placement->pes);
    t->set_steps(placement->steps);
    t->set_red_steps(placement->red_steps);
    ir::Layout layout;
    for (int64_t v : tiles[i].out) layout.add_tile(v);
    layout.set_pes(placement->pes);
    layout.set_steps(placement->steps);
    layout.set_text(lowering::layoutText(space.space(), tiles[i].out, *hw));
    for (const std::string &out : node.outputs()) layouts[out] = layout;
    LOG(INFO) << "node " << node.name() << " (" << node.op_type() << "): " << layout.text() << ", "
              << placement->pes << " PEs x " << placement->steps << " steps, LM "
              << placement->lm_bytes << " bytes";
  }
  for (ir::Value &v : *graph->mutable_values())
    if (auto it = layouts.find(v.name()); it != layouts.end()) *v.mutable_layout() = it->second;
  (*graph->mutable_meta())["layout_planner"] = inv.options.layout_planner;
  (*graph->mutable_meta())["hardware"] = hw->name;
  graph->add_stages("layout-plan");

  auto sibling = [&](const char *name) { return options::besideOutput(inv.output, name); };
  if (auto err = writeFileAtomically(sibling("layout.html"), layout::layoutHtml(*graph)))
    return err;
  if (auto err = writeFileAtomically(sibling("layout_plan_history.html"), historyPage)) return err;
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
