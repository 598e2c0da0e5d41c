#include "compiler/sched/spill_opt.h"

#include "compiler/ir/op_support.h"
#include "compiler/lowering/chain.h"
#include "compiler/lowering/lm_residency.h"
#include "compiler/lowering/plan_node.h"
#include "compiler/sched/reuse_consecutive.h"
#include "runtime/device/kernels/kernel.h"

#include "llvm/ADT/STLExtras.h"

#include <map>
#include <set>
#include <optional>

namespace pfcomp::sched {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

lowering::Tile tileOf(const ir::Node &n) {
  return {lowering::Dims(n.tiling().out_tile().begin(), n.tiling().out_tile().end()),
          lowering::Dims(n.tiling().red_chunk().begin(), n.tiling().red_chunk().end())};
}

// The single layer of `n` with its tiling, or nothing (several layers, alias, no tiling).
std::optional<lowering::LayerPlan> singleLayer(const ir::Node &n, const lowering::GraphView &view) {
  if (ir::isAliasOp(n.op_type()) || n.tiling().out_tile_size() == 0 || n.outputs_size() != 1) return {};
  auto layers = lowering::planNode(n, view, tileOf(n));
  if (!layers) {
    llvm::consumeError(layers.takeError());
    return {};
  }
  if (layers->size() != 1) return {};
  return std::move(layers->front());
}

// May `plan` be cut with `tile` (unsplittable axes whole, divisibility kept)?
bool tileAllowed(const lowering::LayerPlan &plan, const google::protobuf::RepeatedField<int64_t> &tile) {
  for (size_t a = 0; a < plan.space.size(); ++a) {
    int64_t t = std::min<int64_t>(tile[a], plan.space[a]);
    if (a < plan.splittable.size() && !plan.splittable[a] && t < plan.space[a]) return false;
    if (a < plan.divides.size() && plan.divides[a] > 0 && plan.divides[a] % t != 0) return false;
  }
  return true;
}

}  // namespace

llvm::Expected<LmAnalysis> analyseLm(ir::Graph &graph, const device::Hardware &hw,
                                     const std::set<std::string> &keepOwnTiles,
                                     std::vector<std::string> *adoptable) {
  const ir::Schedule &s = graph.schedule();
  std::map<std::string, ir::Node *> byName;
  for (ir::Node &n : *graph.mutable_nodes()) byName[n.name()] = &n;
  std::map<std::string, int> pos, groupOf;
  for (int i = 0; i < s.order_size(); ++i) pos[s.order(i)] = i;
  for (int g = 0; g < s.groups_size(); ++g)
    for (const std::string &n : s.groups(g).nodes()) groupOf[n] = g;
  std::map<std::string, ir::Node *> producer;
  std::map<std::string, std::vector<std::pair<ir::Node *, int>>> consumers;
  for (const std::string &name : s.order()) {
    ir::Node *n = byName.at(name);
    for (const std::string &o : n->outputs()) producer[o] = n;
    for (int i = 0; i < n->inputs_size(); ++i)
      if (!n->inputs(i).empty()) consumers[n->inputs(i)].push_back({n, i});
  }
  // A unit's output can stay in LM only if it is the unit's last node (chain interiors already do).
  auto unitOutput = [&](const ir::Node &p) {
    auto g = groupOf.find(p.name());
    return g == groupOf.end() || s.groups(g->second).nodes().rbegin()->compare(p.name()) == 0;
  };
  lowering::GraphView view(graph);
  LmAnalysis lm;

  // 1. Lone elementwise consumers take their producer's tiles when that makes the input a tile in LM.
  for (const std::string &name : s.order()) {
    ir::Node &c = *byName.at(name);
    if (groupOf.count(name)) continue;
    auto cPlan = singleLayer(c, view);
    if (!cPlan || !cPlan->red_extent.empty() || cPlan->kernel_op.empty()) continue;
    for (int i = 0; i < c.inputs_size(); ++i) {
      auto p = producer.find(c.inputs(i));
      if (p == producer.end() || !unitOutput(*p->second)) continue;
      const ir::Node &prod = *p->second;
      if (llvm::equal(prod.tiling().out_tile(), c.tiling().out_tile())) break;  // already shared
      auto pPlan = singleLayer(prod, view);
      if (!pPlan || pPlan->space != cPlan->space || !tileAllowed(*cPlan, prod.tiling().out_tile())) continue;
      ir::Node candidate = c;
      ir::Tiling &t = *candidate.mutable_tiling();
      *t.mutable_out_tile() = prod.tiling().out_tile();
      t.clear_red_chunk();
      t.set_red_steps(1);
      t.set_pes(prod.tiling().pes());
      t.set_steps(prod.tiling().steps());
      auto adopted = singleLayer(candidate, view);
      if (!adopted || !lowering::readsOutputTile(*pPlan, *adopted, i) ||
          lowering::lmFootprint(*adopted, device::dtypeBytes(adopted->dtype)) > hw.lmBytes())
        continue;
      if (adoptable) adoptable->push_back(c.name());
      if (keepOwnTiles.count(c.name())) break;
      *c.mutable_tiling() = t;
      ++lm.adopted;
      break;
    }
  }

  // 2. Scratch LM per schedule position: its unit's footprint (chains counted whole).
  lm.scratch.assign(s.order_size(), 0);
  std::vector<bool> done(s.groups_size(), false);
  for (int i = 0; i < s.order_size(); ++i) {
    const ir::Node &n = *byName.at(s.order(i));
    if (auto g = groupOf.find(n.name()); g != groupOf.end()) {
      if (done[g->second]) continue;
      done[g->second] = true;
      std::vector<const ir::Node *> nodes;
      for (const std::string &m : s.groups(g->second).nodes()) nodes.push_back(byName.at(m));
      auto bytes = lowering::chainFootprint(nodes, view);
      if (!bytes) return bytes.takeError();
      for (const ir::Node *m : nodes) lm.scratch[pos[m->name()]] = *bytes;
      continue;
    }
    if (ir::isAliasOp(n.op_type()) || n.tiling().out_tile_size() == 0) continue;
    auto layers = lowering::planNode(n, view, tileOf(n));
    if (!layers) return layers.takeError();
    for (const auto &l : *layers)
      lm.scratch[i] = std::max(lm.scratch[i], lowering::lmFootprint(l, device::dtypeBytes(l.dtype)));
  }

  // 3. Candidates: unit outputs with at least one reader on the same tiles.
  std::map<std::string, bool> graphOutput;
  for (const std::string &o : graph.outputs()) graphOutput[o] = true;
  for (const std::string &name : s.order()) {
    const ir::Node &p = *byName.at(name);
    if (!unitOutput(p)) continue;
    auto pPlan = singleLayer(p, view);
    if (!pPlan || pPlan->kernel_op.empty()) continue;
    LmCandidate c;
    c.value = p.outputs(0);
    c.producer = p.name();
    c.first = c.last = pos[p.name()];
    c.needs_dram = graphOutput.count(c.value) > 0;
    for (auto [r, i] : consumers[c.value]) {
      bool inLm = false;
      if (llvm::equal(r->tiling().out_tile(), p.tiling().out_tile()) &&
          llvm::count(r->inputs(), c.value) == 1)
        if (auto rPlan = singleLayer(*r, view)) inLm = lowering::readsOutputTile(*pPlan, *rPlan, i);
      if (inLm) {
        c.readers.push_back(r->name());
        c.last = std::max(c.last, pos[r->name()]);
      } else {
        c.needs_dram = true;
      }
    }
    if (c.readers.empty()) continue;
    int64_t tiles = 1;
    for (size_t a = 0; a < pPlan->space.size(); ++a)
      tiles *= ceilDiv(pPlan->space[a], std::min<int64_t>(p.tiling().out_tile(a), pPlan->space[a]));
    c.steps = ceilDiv(tiles, std::min<int64_t>(tiles, hw.pes()));
    c.step_bytes = lowering::outputTileBytes(*pPlan);
    lm.candidates.push_back(std::move(c));
  }
  return lm;
}

Placement placeResidents(ir::Graph &graph, const LmAnalysis &lm, const std::vector<bool> &wanted,
                         int64_t budget) {
  ir::Schedule &s = *graph.mutable_schedule();
  s.clear_residents();
  struct Region { int first, last; int64_t addr, bytes; };
  std::vector<Region> placed;
  Placement result;
  for (size_t k = 0; k < lm.candidates.size(); ++k) {
    if (!wanted[k]) continue;
    const LmCandidate &c = lm.candidates[k];
    int64_t floor = 0;
    for (int p = c.first; p <= c.last; ++p) floor = std::max(floor, lm.scratch[p]);
    // Highest free place: under the budget's top or just under a region alive at the same time.
    std::vector<int64_t> tops{budget};
    for (const Region &r : placed)
      if (r.first <= c.last && r.last >= c.first) tops.push_back(r.addr);
    llvm::sort(tops, std::greater<int64_t>());
    int64_t addr = -1;
    for (int64_t top : tops) {
      int64_t a = (top - c.bytes()) / 64 * 64;
      if (a < floor) continue;
      bool clash = llvm::any_of(placed, [&](const Region &r) {
        return r.first <= c.last && r.last >= c.first && a < r.addr + r.bytes && r.addr < a + c.bytes();
      });
      if (!clash) {
        addr = a;
        break;
      }
    }
    if (addr < 0) {
      ++result.spilled;
      continue;
    }
    placed.push_back({c.first, c.last, addr, c.bytes()});
    ir::Schedule::Resident &r = *s.add_residents();
    r.set_value(c.value);
    r.set_lm_addr(addr);
    r.set_step_bytes(c.step_bytes);
    r.set_store(c.needs_dram);
    for (const std::string &reader : c.readers) r.add_readers(reader);
    ++result.kept;
    result.bytes_kept += c.bytes();
  }
  return result;
}

llvm::Expected<Placement> spillOpt(ir::Graph &graph, const device::Hardware &hw, int64_t budget) {
  auto chained = chainConsecutive(graph, hw, budget);
  if (!chained) return chained.takeError();
  auto lm = analyseLm(graph, hw);
  if (!lm) return lm.takeError();
  graph.mutable_schedule()->set_scheduler("spill_opt");
  graph.mutable_schedule()->set_prefetch(true);
  return placeResidents(graph, *lm, std::vector<bool>(lm->candidates.size(), true), budget);
}

}  // namespace pfcomp::sched
