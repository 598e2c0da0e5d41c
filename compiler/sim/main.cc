// simulate: Node Simulation — costs every node under its tiling (simulation_mode auto: the
// node's tile program through the cycle model; fake: an analytic estimate).
#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"
#include "compiler/options/options.h"
#include "compiler/sim/node_simulator.h"
#include "compiler/sim/sim_cache.h"
#include "support/atomic_file.h"
#include "support/error.h"
#include "support/stage_log.h"

#include <glog/logging.h>

using namespace pfcomp;

static llvm::Error run(const options::StageInvocation &inv) {
  auto graph = ir::readGraph(inv.input);
  if (!graph) return graph.takeError();
  auto hw = device::resolveHardware(inv.options.hardware);
  if (!hw) return hw.takeError();
  const bool fake = inv.options.simulation_mode == "fake";
  lowering::GraphView view(*graph);
  int64_t total = 0;
  sim::SimCache cache(inv.options.cache_dir, *hw, inv.options.simulation_mode);
  for (ir::Node &node : *graph->mutable_nodes()) {
    std::string key = cache.enabled() ? cache.key(node, *graph) : "";
    std::optional<ir::NodeCost> cached = cache.lookup(key);
    llvm::Expected<ir::NodeCost> cost =
        cached ? llvm::Expected<ir::NodeCost>(*cached)
               : fake ? sim::estimateNode(node, view, *hw) : sim::simulateNode(node, view, *hw);
    if (!cost) return cost.takeError();
    if (cache.enabled()) {
      ++(cached ? cache.hits : cache.misses);
      if (!cached)
        if (auto err = cache.store(key, *cost)) return err;
    }
    *node.mutable_cost() = *cost;
    total += cost->cycles();
    LOG(INFO) << "node " << node.name() << ": " << cost->cycles() << " cycles (" << cost->method()
              << ", compute " << cost->compute_cycles() << ", transfer " << cost->transfer_cycles() << ")";
  }
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
  auto inv = options::parseStageArgs(
      "simulate", "simulate MNGRAPH -o OUT: cost every node under its tiling (Node Simulation).",
      argc, argv);
  if (!inv) return reportErrorAndExit("simulate", inv.takeError());
  initStageLog(argv[0], inv->log_dir, "simulate");
  if (auto err = run(*inv)) return reportErrorAndExit("simulate", std::move(err));
  return 0;
}
