#include "compiler/sched/reuse_consecutive.h"

#include "compiler/lowering/chain.h"

#include <map>

namespace pfcomp::sched {

llvm::Expected<int> chainConsecutive(ir::Graph &graph, const device::Hardware &hw, int64_t lmBudget) {
  std::map<std::string, ir::Node *> byName;
  for (ir::Node &n : *graph.mutable_nodes()) byName[n.name()] = &n;
  ir::Schedule &schedule = *graph.mutable_schedule();
  schedule.set_scheduler("reuse_consecutive");
  schedule.clear_groups();
  std::vector<ir::Node *> chain;
  int kept = 0;
  auto close = [&] {
    if (chain.size() > 1) {
      auto *group = schedule.add_groups();
      for (ir::Node *n : chain) group->add_nodes(n->name());
      kept += chain.size() - 1;
    }
    chain.clear();
  };
  for (const std::string &name : schedule.order()) {
    ir::Node *node = byName.at(name);
    if (!chain.empty()) {
      lowering::GraphView view(graph);
      ir::Node candidate = *node;
      *candidate.mutable_tiling()->mutable_out_tile() = chain.front()->tiling().out_tile();
      candidate.mutable_tiling()->clear_red_chunk();
      if (lowering::chainInput(*chain.back(), candidate, view) >= 0) {
        std::vector<const ir::Node *> nodes(chain.begin(), chain.end());
        nodes.push_back(&candidate);
        auto bytes = lowering::chainFootprint(nodes, view);
        if (!bytes) return bytes.takeError();
        if (*bytes <= lmBudget) {
          ir::Tiling head = chain.front()->tiling();
          *node->mutable_tiling() = head;
          node->mutable_tiling()->clear_red_chunk();
          node->mutable_tiling()->set_red_steps(1);
          chain.push_back(node);
          continue;
        }
      }
      close();
    }
    chain.push_back(node);
  }
  close();
  return kept;
}

}  // namespace pfcomp::sched
