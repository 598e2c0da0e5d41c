// simulate: Node Simulation — costs every node under its tiling (simulation_mode auto: the
// node's tile program through the cycle model; fake: an analytic estimate).
#include <glog/logging.h>

#include <map>

#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "compiler/lowering/tiling_space.h"
#include "compiler/options/stage_main.h"
#include "compiler/sim/node_simulator.h"
#include "compiler/sim/sim_cache.h"
#include "compiler/sim/tiling_search.h"
#include "support/atomic_file.h"
#include "support/error.h"

using namespace pfcomp;

static llvm::Error run(const options::StageInvocation &inv) {
  auto graph = ir::readGraph(inv.input);
  if (!graph) return graph.takeError();
  auto hw = device::resolveHardware(inv.options.hardware);
  if (!hw) return hw.takeError();
  const std::string mode = inv.options.simulation_mode == "auto"
                               ? sim::autoMode(inv.options.scheduler)
                               : inv.options.simulation_mode;
  const int64_t lmBudget = static_cast<int64_t>(hw->lmBytes() * inv.options.sram_budget);
  int64_t total = 0, candidates = 0, failed = 0;
  sim::SimCache cache(inv.options.cache_dir, *hw, mode);
  std::map<std::string, ir::Value *> values;
  for (ir::Value &v : *graph->mutable_values()) values[v.name()] = &v;
  for (ir::Node &node : *graph->mutable_nodes()) {
    lowering::GraphView view(*graph);
    std::string key = cache.enabled() ? cache.key(node, *graph) : "";
    std::optional<ir::NodeCost> cached = cache.lookup(key);
    const bool tiled = node.tiling().out_tile_size() > 0;
    if (!cached && mode != "fake" && tiled) {
      auto found = sim::searchTiling(node, view, *hw, lmBudget, mode);
      if (!found) return found.takeError();
      lowering::TilingSpace space(node, view, *hw);
      if (auto err = space.init()) return err;
      lowering::setTiling(node, found->tile, space, *hw);
      for (const std::string &line : found->history)
        LOG(INFO) << "node " << node.name() << ": " << line;
      auto cost = sim::simulateNode(node, view, *hw);
      if (!cost) return cost.takeError();
      cost->set_method("simulated (" + mode + ")");
      cost->set_candidates(found->evaluated);
      cost->set_failed_candidates(found->failed);
      *cost->mutable_chosen() = node.tiling();
      cached = *cost;
      if (cache.enabled()) {
        ++cache.misses;
        if (auto err = cache.store(key, *cost)) return err;
      }
    } else if (cached) {
      ++cache.hits;
      if (cached->has_chosen()) *node.mutable_tiling() = cached->chosen();
    } else {
      auto cost =
          mode == "fake" ? sim::estimateNode(node, view, *hw) : sim::simulateNode(node, view, *hw);
      if (!cost) return cost.takeError();
      cached = *cost;
      if (cache.enabled()) {
        ++cache.misses;
        if (auto err = cache.store(key, *cost)) return err;
      }
    }
    *node.mutable_cost() = *cached;
    // The values this node writes are laid out by the tiling it now has.
    if (tiled)
      for (const std::string &out : node.outputs())
        if (auto it = values.find(out); it != values.end()) {
          ir::Layout *l = it->second->mutable_layout();
          l->clear_tile();
          for (int64_t v : node.tiling().out_tile()) l->add_tile(v);
          l->set_pes(node.tiling().pes());
          l->set_steps(node.tiling().steps());
          lowering::TilingSpace space(node, view, *hw);
          if (!space.init() && !space.empty())
            l->set_text(lowering::layoutText(
                space.space(), {node.tiling().out_tile().begin(), node.tiling().out_tile().end()},
                *hw));
        }
    total += cached->cycles();
    candidates += cached->candidates();
    failed += cached->failed_candidates();
    LOG(INFO) << "node " << node.name() << ": " << cached->cycles() << " cycles ("
              << cached->method() << ", compute " << cached->compute_cycles() << ", transfer "
              << cached->transfer_cycles() << ")";
  }
  LOG(INFO) << "simulation mode " << mode << ": " << candidates << " candidates simulated, "
            << failed << " failed";
  (*graph->mutable_meta())["simulation_candidates"] = std::to_string(candidates);
  (*graph->mutable_meta())["simulation_mode"] = inv.options.simulation_mode;
  LOG(INFO) << "sum of node costs: " << total << " cycles";
  if (cache.enabled())
    LOG(INFO) << "simulation cache " << inv.options.cache_dir << ": " << cache.hits << " hits, "
              << cache.misses << " misses";
  graph->add_stages("simulate");
  if (auto err = writeFileAtomically(inv.output + ".txt", ir::dumpGraph(*graph))) return err;
  return ir::writeGraph(*graph, inv.output);
}

int main(int argc, char **argv) {
  return options::runStageMain(
      "simulate", "simulate",
      "simulate MNGRAPH -o OUT: cost every node under its tiling (Node Simulation).", argc, argv,
      run);
}
