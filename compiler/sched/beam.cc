#include "compiler/sched/beam.h"
#include "compiler/sched/units.h"

#include "compiler/emit/program_builder.h"
#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/chain.h"
#include "compiler/lowering/host_call.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/lm_residency.h"
#include "compiler/lowering/unit_emit.h"
#include "compiler/sched/spill_opt.h"
#include "runtime/device/cost_model.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <optional>
#include <set>

namespace pfcomp::sched {
namespace {


int64_t envInt(const std::map<std::string, std::string> &env, const char *name, int64_t dflt) {
  auto it = env.find(name);
  int64_t v = dflt;
  if (it == env.end() || llvm::StringRef(it->second).getAsInteger(10, v)) return dflt;
  return v;
}

// What a unit's program depends on: its nodes, their tiles and which operands live in LM.
std::string unitKey(const Unit &unit, const lowering::LmResidency &residency) {
  std::vector<lowering::ChainLink> links(unit.size(), lowering::ChainLink{nullptr});
  if (residency.involves(unit)) residency.decorate(unit, links);
  std::string key;
  for (size_t k = 0; k < unit.size(); ++k) {
    key += unit[k]->name() + ":" +
           llvm::join(llvm::map_range(unit[k]->tiling().out_tile(), [](int64_t v) { return std::to_string(v); }), "x");
    for (const auto &t : links[k].lm_inputs) key += t.valid() ? "L" : "d";
    key += "|";
  }
  // Where values kept in LM begin bounds the unit's scratch, so it shapes the program too.
  key += "@" + std::to_string(residency.scratchLimit(unit));
  return key + (links.back().lm_output.valid() ? (links.back().store ? "KS" : "K") : "S");
}

// Dependencies between nodes (graph indices) and Kahn's completion of a partial order.
struct Dag {
  std::vector<std::vector<int>> users, deps;
  explicit Dag(const ir::Graph &g) : users(g.nodes_size()), deps(g.nodes_size()) {
    std::map<std::string, int> producer;
    for (int i = 0; i < g.nodes_size(); ++i)
      for (const auto &o : g.nodes(i).outputs()) producer[o] = i;
    for (int i = 0; i < g.nodes_size(); ++i) {
      std::set<int> d;
      for (const auto &in : g.nodes(i).inputs())
        if (auto it = producer.find(in); it != producer.end()) d.insert(it->second);
      deps[i].assign(d.begin(), d.end());
      for (int p : d) users[p].push_back(i);
    }
  }
};

struct Partial {
  std::vector<int> order, pending, pos;  // pos: schedule position of each placed node, else -1
  std::set<int> ready;
  int64_t score = -1;

  void place(const Dag &dag, int n) {
    pos[n] = static_cast<int>(order.size());
    order.push_back(n);
    ready.erase(n);
    for (int u : dag.users[n])
      if (--pending[u] == 0) ready.insert(u);
  }
  // The rest in Kahn order, smallest graph index first (as always_from_dram).
  std::vector<int> completed(const Dag &dag) const {
    Partial p = *this;
    while (!p.ready.empty()) p.place(dag, *p.ready.begin());
    return p.order;
  }
};

// Cheap pruning order: nodes reading the most recently produced values first (their producers'
// values are then still in LM), ties by graph index.
std::vector<int> rankedReady(const Partial &p, const Dag &dag, int64_t limit) {
  std::vector<std::pair<int, int>> keyed;
  for (int n : p.ready) {
    int latest = -1;
    for (int d : dag.deps[n]) latest = std::max(latest, p.pos[d]);
    keyed.push_back({-latest, n});
  }
  std::sort(keyed.begin(), keyed.end());
  if (limit > 0 && static_cast<int64_t>(keyed.size()) > limit) keyed.resize(limit);
  std::vector<int> out;
  for (auto &[k, n] : keyed) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

llvm::Expected<int64_t> programCycles(const ir::Graph &graph, const device::Hardware &hw) {
  auto program = emit::buildProgram(graph, hw);
  if (!program) return program.takeError();
  return device::computeTimeline(*program).total_cycles;
}

}  // namespace

BeamOptions beamOptionsFrom(const std::map<std::string, std::string> &env) {
  BeamOptions o;
  o.max_turns = envInt(env, "CODEGEN_SCHEDULE_PP_BEAM_MAX_TURN", 0);
  o.width = std::max<int64_t>(1, envInt(env, "CODEGEN_SCHEDULE_PP_BEAM_WIDTH", 1));
  o.prune_limit = envInt(env, "CODEGEN_SCHEDULE_PP_TURN_PRUNE_LIMIT", 0);
  return o;
}

OrderCoster::OrderCoster(ir::Graph &graph, const device::Hardware &hw, int64_t budget)
    : graph_(graph), hw_(hw), budget_(budget), schedule_(graph.schedule()) {
  for (const ir::Node &n : graph.nodes()) own_.push_back(n.tiling());
}

llvm::Expected<int64_t> OrderCoster::cycles(const std::vector<int> &order) {
  ++scored_;
  auto restore = [&] {
    for (int i = 0; i < graph_.nodes_size(); ++i) *graph_.mutable_nodes(i)->mutable_tiling() = own_[i];
    *graph_.mutable_schedule() = schedule_;
  };
  graph_.mutable_schedule()->clear_order();
  for (int n : order) graph_.mutable_schedule()->add_order(graph_.nodes(n).name());
  auto placed = spillOpt(graph_, hw_, budget_);
  if (!placed) {
    restore();
    return placed.takeError();
  }
  lowering::LmResidency residency(graph_);
  lowering::GraphView view(graph_);
  int64_t sum = 0;
  for (const Unit &unit : schedulingUnits(graph_)) {
    std::string key = unitKey(unit, residency);
    if (auto it = cache_.find(key); it != cache_.end()) {
      sum += it->second;
      continue;
    }
    device::Program program;
    lowering::BufferTable buffers(view, program);
    llvm::Expected<int> next = lowering::emitUnit(unit, view, hw_, buffers, program, 0, residency);
    if (!next) {
      restore();
      return next.takeError();
    }
    int64_t c = device::computeTimeline(program).total_cycles;
    cache_[key] = c;
    sum += c;
  }
  restore();
  return sum;
}

llvm::Expected<std::vector<int>> beamOrder(ir::Graph &graph, const device::Hardware &hw, int64_t budget,
                                           const BeamOptions &options, BeamStats &stats) {
  const Dag dag(graph);
  const int n = graph.nodes_size();
  OrderCoster coster(graph, hw, budget);
  stats.width = options.width;
  stats.prune_limit = options.prune_limit;

  Partial start;
  start.pos.assign(n, -1);
  for (int i = 0; i < n; ++i) start.pending.push_back(static_cast<int>(dag.deps[i].size()));
  for (int i = 0; i < n; ++i)
    if (!start.pending[i]) start.ready.insert(i);
  auto kahn = coster.cycles(start.completed(dag));
  if (!kahn) return kahn.takeError();
  stats.estimate_before = *kahn;

  std::vector<Partial> beam{start};
  while (static_cast<int>(beam.front().order.size()) < n &&
         (options.max_turns < 0 || stats.turns < options.max_turns)) {
    ++stats.turns;
    std::vector<Partial> next;
    for (const Partial &p : beam)
      for (int c : rankedReady(p, dag, options.prune_limit)) {
        next.push_back(p);
        next.back().place(dag, c);
        next.back().score = -1;
      }
    // Only a choice between more extensions than the beam holds needs the cost model.
    if (static_cast<int64_t>(next.size()) > options.width) {
      for (Partial &p : next) {
        auto score = coster.cycles(p.completed(dag));
        if (!score) return score.takeError();
        p.score = *score;
      }
      std::stable_sort(next.begin(), next.end(), [](const Partial &a, const Partial &b) { return a.score < b.score; });
      next.resize(options.width);
    }
    beam = std::move(next);
  }
  // Past the last turn the rest follows Kahn order; the best completion wins (first on ties).
  std::vector<int> best = beam.front().completed(dag);
  int64_t bestScore = beam.front().score;
  if (beam.size() > 1 || bestScore < 0) {
    bestScore = -1;
    for (const Partial &p : beam) {
      std::vector<int> order = p.completed(dag);
      auto score = coster.cycles(order);
      if (!score) return score.takeError();
      if (bestScore < 0 || *score < bestScore) bestScore = *score, best = std::move(order);
    }
  }
  stats.estimate_after = bestScore;
  stats.scored = coster.scored();
  return best;
}

llvm::Expected<BeamStats> scheduleWithBeam(ir::Graph &graph, const device::Hardware &hw, int64_t budget,
                                           const BeamOptions &options,
                                           llvm::function_ref<llvm::Error(ir::Graph &)> scheduler) {
  BeamStats stats;
  auto order = beamOrder(graph, hw, budget, options, stats);
  if (!order) return order.takeError();
  // What a scheduler run changes, so that the faster of the two runs can be put back.
  struct Result {
    std::vector<ir::Tiling> tilings;
    ir::Schedule schedule;
    google::protobuf::Map<std::string, std::string> meta;
  };
  auto save = [&] {
    Result r{{}, graph.schedule(), graph.meta()};
    for (const ir::Node &node : graph.nodes()) r.tilings.push_back(node.tiling());
    return r;
  };
  auto load = [&](const Result &r) {
    for (int i = 0; i < graph.nodes_size(); ++i) *graph.mutable_nodes(i)->mutable_tiling() = r.tilings[i];
    *graph.mutable_schedule() = r.schedule;
    *graph.mutable_meta() = r.meta;
  };
  const Result before = save();
  std::vector<std::string> kahnNames(graph.schedule().order().begin(), graph.schedule().order().end());
  std::vector<std::string> beamNames;
  for (int i : *order) beamNames.push_back(graph.nodes(i).name());

  std::optional<Result> reordered;
  if (beamNames != kahnNames) {
    graph.mutable_schedule()->clear_order();
    for (const std::string &name : beamNames) graph.mutable_schedule()->add_order(name);
    if (auto err = scheduler(graph)) return std::move(err);
    auto cycles = programCycles(graph, hw);
    if (!cycles) return cycles.takeError();
    stats.cycles_after = *cycles;
    reordered = save();
    load(before);
  }
  if (auto err = scheduler(graph)) return std::move(err);
  auto cycles = programCycles(graph, hw);
  if (!cycles) return cycles.takeError();
  stats.cycles_before = *cycles;
  if (reordered && stats.cycles_after < stats.cycles_before) {
    load(*reordered);
    stats.reordered = true;
  } else {
    stats.cycles_after = stats.cycles_before;
  }
  auto &meta = *graph.mutable_meta();
  meta["beam_turns"] = std::to_string(stats.turns);
  meta["beam_width"] = std::to_string(stats.width);
  meta["beam_prune_limit"] = std::to_string(stats.prune_limit);
  meta["beam_scored"] = std::to_string(stats.scored);
  meta["beam_program_cycles_before"] = std::to_string(stats.cycles_before);
  meta["beam_program_cycles_after"] = std::to_string(stats.cycles_after);
  meta["beam_reordered"] = stats.reordered ? "1" : "0";
  return stats;
}

}  // namespace pfcomp::sched
