#include "compiler/sched/annealing.h"
#include "compiler/sched/units.h"

#include "compiler/emit/program_builder.h"
#include "compiler/ir/op_support.h"
#include "compiler/lowering/chain.h"
#include "compiler/lowering/host_call.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/lm_residency.h"
#include "compiler/lowering/prefetch.h"
#include "compiler/lowering/unit_emit.h"
#include "compiler/sched/reuse_consecutive.h"
#include "compiler/sched/spill_opt.h"
#include "runtime/device/cost_model.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <map>
#include <random>
#include <unordered_map>

namespace pfcomp::sched {
namespace {


// The cost model's cycles for a state, unit by unit: the first unit alone, then each unit's
// cycles on top of its predecessor's — the pair emitted together with the cross-unit prefetch,
// less the predecessor alone — since a unit's loads can only move up into the previous unit
// (never over its loads). Cached on what changes a unit's program (its tiles, LM decisions).
class UnitCoster {
 public:
  explicit UnitCoster(const device::Hardware &hw) : hw_(hw) {}

  llvm::Expected<int64_t> total(const ir::Graph &g, const std::vector<Unit> &units) {
    lowering::LmResidency residency(g);
    std::vector<std::string> keys;
    for (size_t u = 0; u < units.size(); ++u) keys.push_back(unitKey(u, units[u], residency));
    int64_t sum = 0;
    for (size_t u = 0; u < units.size(); ++u) {
      auto alone = cycles(g, {&units[u]}, {keys[u]}, residency);
      if (!alone) return alone.takeError();
      if (u == 0) {
        sum += *alone;
        continue;
      }
      auto prev = cycles(g, {&units[u - 1]}, {keys[u - 1]}, residency);
      if (!prev) return prev.takeError();
      auto pair = cycles(g, {&units[u - 1], &units[u]}, {keys[u - 1], keys[u]}, residency);
      if (!pair) return pair.takeError();
      sum += *pair - *prev;
    }
    return sum;
  }

 private:
  static std::string unitKey(size_t index, const Unit &unit, const lowering::LmResidency &residency) {
    std::vector<lowering::ChainLink> links(unit.size(), lowering::ChainLink{nullptr});
    if (residency.involves(unit)) residency.decorate(unit, links);
    std::string key = std::to_string(index);
    for (size_t k = 0; k < unit.size(); ++k) {
      key += "|" + llvm::join(llvm::map_range(unit[k]->tiling().out_tile(), [](int64_t v) { return std::to_string(v); }), "x");
      for (const auto &t : links[k].lm_inputs) key += t.valid() ? "L" : "d";
    }
    // Where values kept in LM begin bounds the unit's scratch, so it shapes the program too.
    key += "@" + std::to_string(residency.scratchLimit(unit));
    return key + (links.back().lm_output.valid() ? (links.back().store ? "KS" : "K") : "S");
  }

  // Cycles of these consecutive units emitted as emit would (prefetch between them).
  llvm::Expected<int64_t> cycles(const ir::Graph &g, const std::vector<const Unit *> &units,
                                 const std::vector<std::string> &keys, const lowering::LmResidency &residency) {
    std::string key = llvm::join(keys, "+");
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    device::Program program;
    lowering::GraphView view(g);
    lowering::BufferTable buffers(view, program);
    std::vector<lowering::EmittedUnit> emitted;
    int tag = 0;
    for (const Unit *unit : units) {
      emitted.push_back({program.layers_size(), residency.scratchLimit(*unit)});
      llvm::Expected<int> next = lowering::emitUnit(*unit, view, hw_, buffers, program, tag, residency);
      if (!next) return next.takeError();
      tag = *next;
    }
    if (units.size() > 1) {
      auto stats = lowering::prefetchAcrossUnits(program, emitted, hw_.lmBytes());
      if (!stats) return stats.takeError();
    }
    return cache_[key] = device::computeTimeline(program).total_cycles;
  }

  const device::Hardware &hw_;
  std::unordered_map<std::string, int64_t> cache_;
};

struct State {
  std::set<std::string> keepOwnTiles;  // consumers that do not adopt their producer's tiles
  std::set<std::string> spilled;       // values stored and reloaded although they could stay in LM
};

}  // namespace

llvm::Expected<AnnealStats> annealSchedule(ir::Graph &graph, const device::Hardware &hw, int64_t budget,
                                           int64_t iterations, uint64_t seed) {
  auto chained = chainConsecutive(graph, hw, budget);
  if (!chained) return chained.takeError();
  // Tilings before any adoption, restored before each analysis.
  std::map<std::string, ir::Tiling> own;
  for (const ir::Node &n : graph.nodes()) own[n.name()] = n.tiling();
  const std::vector<Unit> units = schedulingUnits(graph);
  UnitCoster coster(hw);
  std::vector<std::string> adoptable;
  AnnealStats stats;

  // Analyses per set of vetoed adoptions (the tilings they leave and the candidates).
  struct Analysis {
    LmAnalysis lm;
    std::vector<std::pair<ir::Node *, ir::Tiling>> tilings;
  };
  std::map<std::set<std::string>, Analysis> analyses;
  bool first = true;
  // Applies a state to the graph (tiles, residents) and returns its estimated cycles.
  auto apply = [&](const State &s, Placement *placed, std::vector<std::string> *candidates) -> llvm::Expected<int64_t> {
    auto found = analyses.find(s.keepOwnTiles);
    if (found == analyses.end()) {
      for (ir::Node &n : *graph.mutable_nodes()) *n.mutable_tiling() = own[n.name()];
      auto lm = analyseLm(graph, hw, s.keepOwnTiles, first ? &adoptable : nullptr);
      if (!lm) return lm.takeError();
      first = false;
      Analysis a{std::move(*lm), {}};
      for (ir::Node &n : *graph.mutable_nodes())
        if (n.tiling().SerializeAsString() != own[n.name()].SerializeAsString()) a.tilings.push_back({&n, n.tiling()});
      found = analyses.emplace(s.keepOwnTiles, std::move(a)).first;
    }
    for (ir::Node &n : *graph.mutable_nodes()) *n.mutable_tiling() = own[n.name()];
    for (auto &[n, t] : found->second.tilings) *n->mutable_tiling() = t;
    const LmAnalysis *lm = &found->second.lm;
    std::vector<bool> wanted;
    for (const LmCandidate &c : lm->candidates) {
      wanted.push_back(!s.spilled.count(c.value));
      if (candidates) candidates->push_back(c.value);
    }
    Placement p = placeResidents(graph, *lm, wanted, budget);
    if (placed) *placed = p;
    stats.adopted = lm->adopted;
    return coster.total(graph, units);
  };

  State current, best;
  constexpr size_t kFinalists = 4;  // the start state and the last improvements
  std::vector<State> finalists{current};
  std::vector<std::string> values;  // every value that can stay in LM under some state
  auto start = apply(current, nullptr, &values);
  if (!start) return start.takeError();
  stats.start_cycles = stats.best_cycles = *start;
  int64_t currentCost = *start;
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  const size_t moves = adoptable.size() + values.size();
  // Temperature: a few percent of the start estimate spread over the decisions, cooling linearly.
  const double t0 = std::max(1.0, 0.02 * static_cast<double>(*start) / std::max<size_t>(1, moves));
  for (int64_t it = 0; moves > 0 && it < iterations; ++it) {
    State next = current;
    size_t pick = rng() % moves;
    auto flip = [](std::set<std::string> &set, const std::string &v) {
      if (!set.erase(v)) set.insert(v);
    };
    if (pick < adoptable.size())
      flip(next.keepOwnTiles, adoptable[pick]);
    else
      flip(next.spilled, values[pick - adoptable.size()]);
    std::vector<std::string> more;
    auto cost = apply(next, nullptr, &more);
    if (!cost) return cost.takeError();
    for (std::string &v : more)
      if (!llvm::is_contained(values, v)) values.push_back(std::move(v));  // new under this state
    ++stats.iterations;
    double temperature = t0 * (1.0 - static_cast<double>(it) / iterations);
    int64_t delta = *cost - currentCost;
    if (delta <= 0 || (temperature > 0 && uniform() < std::exp(-delta / temperature))) {
      current = std::move(next);
      currentCost = *cost;
      ++stats.accepted;
      if (currentCost < stats.best_cycles) {
        best = current;
        stats.best_cycles = currentCost;
        ++stats.improved;
        finalists.push_back(best);
        if (finalists.size() > kFinalists) finalists.erase(finalists.begin() + 1);  // keep the start
      }
    }
  }
  // The estimate leaves out what happens between units (prefetch, LM room for double buffers):
  // the finalists are scored on the whole program, as emit builds it, and the fastest is kept.
  graph.mutable_schedule()->set_prefetch(true);
  int64_t bestExact = -1;
  for (const State &s : finalists) {
    if (auto c = apply(s, nullptr, nullptr); !c) return c.takeError();
    auto program = emit::buildProgram(graph, hw);
    if (!program) return program.takeError();
    int64_t exact = device::computeTimeline(*program).total_cycles;
    if (bestExact < 0 || exact < bestExact) bestExact = exact, best = s;
  }
  stats.exact_cycles = bestExact;
  Placement placed;
  auto final = apply(best, &placed, nullptr);
  if (!final) return final.takeError();
  stats.kept = placed.kept;
  stats.spilled = placed.spilled + static_cast<int>(best.spilled.size());
  ir::Schedule &s = *graph.mutable_schedule();
  s.set_scheduler("auto_recompute_sa");
  s.set_prefetch(true);
  auto &meta = *graph.mutable_meta();
  meta["sa_iterations"] = std::to_string(stats.iterations);
  meta["sa_seed"] = std::to_string(seed);
  meta["sa_estimate_start_cycles"] = std::to_string(stats.start_cycles);
  meta["sa_estimate_best_cycles"] = std::to_string(stats.best_cycles);
  meta["sa_program_cycles"] = std::to_string(stats.exact_cycles);
  return stats;
}

}  // namespace pfcomp::sched
