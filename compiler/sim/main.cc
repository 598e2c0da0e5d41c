// simulate: Node Simulation — costs every node under its tiling (simulation_mode auto: the
// node's tile program through the cycle model; fake: an analytic estimate).
#include <glog/logging.h>

#include <map>

#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

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
  lowering::GraphView view(*graph);

  // Nodes with the same signature (op, attributes, operand shapes and types, tiling) get the
  // same result: each distinct one is simulated once, in parallel, unless the cache has it.
  struct Job {
    int node = -1;  // the first node with this signature
    ir::NodeCost cost;
    std::vector<std::string> history;
    std::string error;
  };
  const int n = graph->nodes_size();
  std::vector<std::string> keys(n);
  std::vector<std::optional<ir::NodeCost>> results(n);
  std::map<std::string, Job> jobs;
  for (int i = 0; i < n; ++i) {
    keys[i] = cache.key(graph->nodes(i), *graph);
    if ((results[i] = cache.lookup(keys[i]))) {
      ++cache.hits;
    } else if (!jobs.count(keys[i])) {
      jobs[keys[i]].node = i;
    }
  }
  auto simulateOne = [&](Job &job) {
    ir::Node node = graph->nodes(job.node);
    const bool tiled = node.tiling().out_tile_size() > 0;
    llvm::Expected<ir::NodeCost> cost = ir::NodeCost();
    if (mode != "fake" && tiled) {
      // The optimizer's program shape (O1+): placed tiles and double-buffered LM.
      node.mutable_tiling()->set_place_tiles(true);
      node.mutable_tiling()->set_double_buffer(true);
      auto found = sim::searchTiling(node, view, *hw, lmBudget, mode);
      if (!found) {
        job.error = llvm::toString(found.takeError());
        return;
      }
      lowering::TilingSpace space(node, view, *hw);
      if (auto err = space.init()) {
        job.error = llvm::toString(std::move(err));
        return;
      }
      lowering::setTiling(node, found->tile, space, *hw);
      job.history = found->history;
      cost = sim::simulateNode(node, view, *hw);
      if (cost) {
        cost->set_method("simulated (" + mode + ")");
        cost->set_candidates(found->evaluated);
        cost->set_failed_candidates(found->failed);
        *cost->mutable_chosen() = node.tiling();
      }
    } else {
      cost = mode == "fake" ? sim::estimateNode(node, view, *hw) : sim::simulateNode(node, view, *hw);
    }
    if (!cost) job.error = llvm::toString(cost.takeError());
    else job.cost = *cost;
  };
  {
    llvm::ThreadPool pool(llvm::hardware_concurrency());
    for (auto &entry : jobs) {
      Job *job = &entry.second;
      pool.async([&, job] { simulateOne(*job); });
    }
    pool.wait();
  }
  for (auto &[key, job] : jobs) {
    if (!job.error.empty())
      return makeError(ErrorCode::StageFailed, "simulating node '{0}': {1}", graph->nodes(job.node).name(), job.error);
    ++cache.misses;
    if (cache.enabled())
      if (auto err = cache.store(key, job.cost)) return err;
    for (const std::string &line : job.history)
      LOG(INFO) << "node " << graph->nodes(job.node).name() << ": " << line;
  }
  for (int i = 0; i < n; ++i) {
    ir::Node &node = *graph->mutable_nodes(i);
    const ir::NodeCost &cost = results[i] ? *results[i] : jobs.at(keys[i]).cost;
    const bool tiled = node.tiling().out_tile_size() > 0;
    if (cost.has_chosen()) *node.mutable_tiling() = cost.chosen();
    *node.mutable_cost() = cost;
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
            l->set_text(lowering::layoutText(space.space(), {node.tiling().out_tile().begin(),
                                                             node.tiling().out_tile().end()}, *hw));
        }
    total += cost.cycles();
    candidates += cost.candidates();
    failed += cost.failed_candidates();
    LOG(INFO) << "node " << node.name() << ": " << cost.cycles() << " cycles (" << cost.method()
              << ", compute " << cost.compute_cycles() << ", transfer " << cost.transfer_cycles() << ")";
  }
  LOG(INFO) << "distinct node signatures simulated: " << jobs.size() << " of " << n;
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
