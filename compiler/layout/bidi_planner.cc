#include "compiler/layout/bidi_planner.h"

#include "compiler/layout/tile_planner.h"
#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/chain.h"
#include "compiler/lowering/plan_node.h"
#include "compiler/lowering/tiling_space.h"
#include "runtime/device/cost_model.h"
#include "support/error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

namespace pfcomp::layout {
namespace {

using lowering::Tile;

constexpr int kSeedEvaluations = 16;  // tilings costed per start (lpz, legacy) of a node's own search
constexpr size_t kOwnCandidates = 4;  // the best of them stay candidates during propagation
constexpr int kMaxSweeps = 4;         // forward+backward sweeps; usually 1-2 reach a fixed point
constexpr size_t kConstantBytes = 1024;  // params this small may steer planning (indices, shapes)

std::string tileKey(const Tile &t) {
  return lowering::dimsText(t.out) + "/" + lowering::dimsText(t.chunk);
}
std::string tileText(const Tile &t) {
  return "[" + lowering::dimsText(t.out) + "]" +
         (t.chunk.empty() ? "" : " chunk [" + lowering::dimsText(t.chunk) + "]");
}
bool sameTile(const Tile &a, const Tile &b) { return a.out == b.out && a.chunk == b.chunk; }

// Nodes with the same signature (op, attributes, operand shapes and types) cost the same under
// the same tile, so their own search runs once.
std::string signature(const ir::Node &node, const std::map<std::string, const ir::Value *> &values) {
  ir::Node s = node;
  s.clear_name();
  s.clear_cost();
  s.clear_tiling();
  for (auto &in : *s.mutable_inputs()) in = in.empty() ? "" : "in";
  for (auto &out : *s.mutable_outputs()) out = "out";
  std::string text = s.SerializeAsString();
  std::vector<std::string> operands(node.inputs().begin(), node.inputs().end());
  operands.insert(operands.end(), node.outputs().begin(), node.outputs().end());
  for (const std::string &name : operands) {
    auto it = values.find(name);
    if (it == values.end()) continue;
    const ir::Value &v = *it->second;
    text += llvm::formatv("|{0}:{1}:{2}", static_cast<int>(v.dtype()), static_cast<int>(v.kind()),
                          llvm::join(llvm::map_range(v.shape(), [](int64_t d) { return std::to_string(d); }), "x"))
                .str();
    if (v.kind() == ir::Value::PARAM && v.data().size() <= kConstantBytes) text += "|" + v.data();
  }
  return text;
}

ir::Node withTile(const ir::Node &node, const Tile &t) {
  ir::Node probe = node;  // keeps the program-shape flags
  probe.mutable_tiling()->clear_out_tile();
  probe.mutable_tiling()->clear_red_chunk();
  for (int64_t v : t.out) probe.mutable_tiling()->add_out_tile(v);
  for (int64_t v : t.chunk) probe.mutable_tiling()->add_red_chunk(v);
  return probe;
}

struct Evaluated {
  Tile tile;
  int64_t cycles;
};

class Planner {
 public:
  Planner(const ir::Graph &graph, const lowering::GraphView &view, const device::Hardware &hw,
          int64_t budget, bool optimizedProgram, bool chains)
      : graph_(graph), view_(view), hw_(hw), budget_(budget), chains_(chains), n_(graph.nodes_size()),
        nodes_(graph.nodes().begin(), graph.nodes().end()) {
    // Cost every tiling with the program shape simulate and emit will give it.
    for (ir::Node &node : nodes_) {
      node.clear_tiling();
      node.mutable_tiling()->set_place_tiles(optimizedProgram);
      node.mutable_tiling()->set_double_buffer(optimizedProgram);
    }
  }

  llvm::Expected<BidiPlan> run() {
    if (auto err = seed()) return std::move(err);
    findEdges();
    for (int i = 0; i < n_; ++i)
      if (spaces_[i]) plan_.seed_cycles += *cycles(i, cur_[i]);
    for (int sweep = 1; sweep <= kMaxSweeps; ++sweep) {
      plan_.sweeps = sweep;
      bool changed = false;
      for (int i = 0; i < n_; ++i) changed |= decide(i, "forward", sweep);
      for (int i = n_ - 1; i >= 0; --i) changed |= decide(i, "backward", sweep);
      if (!changed) break;
    }
    for (int i = 0; i < n_; ++i) {
      if (!spaces_[i]) continue;
      plan_.final_cycles += *cycles(i, cur_[i]);
      for (int c : consumers_[i])
        if (cur_[c].out == cur_[i].out) {
          plan_.saved_cycles += saving(i, c, cur_[i]);
          ++plan_.chained_edges;
        }
    }
    plan_.tiles = cur_;
    return std::move(plan_);
  }

 private:
  // Each node's own search: the lpz and legacy starts, then a greedy descent over halving and
  // doubling one axis or reduction chunk (the moves simulate makes), parallel over signatures.
  llvm::Error seed() {
    std::map<std::string, const ir::Value *> values;
    for (const ir::Value &v : graph_.values()) values[v.name()] = &v;
    spaces_.resize(n_);
    cur_.resize(n_);
    own_.resize(n_);
    sig_.resize(n_);
    std::map<std::string, int> first;  // signature -> first node with it
    for (int i = 0; i < n_; ++i) {
      auto space = std::make_unique<lowering::TilingSpace>(nodes_[i], view_, hw_);
      if (auto err = space->init()) return err;
      if (!space->empty()) spaces_[i] = std::move(space);
      sig_[i] = signature(graph_.nodes(i), values);
      first.emplace(sig_[i], i);
    }
    struct Job {
      std::vector<Tile> starts;
      std::vector<Evaluated> evaluated;
      std::string error;
    };
    std::map<int, Job> jobs;
    for (int i = 0; i < n_; ++i) {  // graph order, so the first node that cannot fit is named
      if (!spaces_[i] || first.at(sig_[i]) != i) continue;
      // The lpz and legacy starts; a node no tiling fits fails here with lpz's own error.
      for (bool keepInner : {true, false}) {
        auto start = chooseTiling(nodes_[i], view_, hw_, budget_, keepInner);
        if (!start) return start.takeError();
        jobs[i].starts.push_back(start->tile);
      }
    }
    {
      llvm::ThreadPool pool(llvm::hardware_concurrency());
      for (auto &entry : jobs) {
        int i = entry.first;
        Job *job = &entry.second;
        pool.async([this, i, job] {
          if (auto err = search(i, job->starts, job->evaluated)) job->error = llvm::toString(std::move(err));
        });
      }
      pool.wait();
    }
    for (auto &[i, job] : jobs) {
      if (!job.error.empty())
        return makeError(ErrorCode::StageFailed, "bidi: node '{0}' ({1}): {2}", graph_.nodes(i).name(),
                         graph_.nodes(i).op_type(), job.error);
      for (const Evaluated &e : job.evaluated) memo_[sig_[i] + "|" + tileKey(e.tile)] = e.cycles;
    }
    for (int i = 0; i < n_; ++i) {
      if (!spaces_[i]) continue;
      std::vector<Evaluated> all = jobs.at(first.at(sig_[i])).evaluated;
      std::stable_sort(all.begin(), all.end(),
                       [](const Evaluated &a, const Evaluated &b) { return a.cycles < b.cycles; });
      BidiDecision d{"seed", 0, graph_.nodes(i).name()};
      for (const Evaluated &e : all) {
        d.candidates.push_back(llvm::formatv("{0}: {1} cycles", tileText(e.tile), e.cycles).str());
        if (own_[i].size() < kOwnCandidates) own_[i].push_back(e.tile);
      }
      if (own_[i].empty())
        return makeError(ErrorCode::LmOverflow, "bidi: node '{0}' ({1}): no tiling fits {2} bytes of LM",
                         graph_.nodes(i).name(), graph_.nodes(i).op_type(), budget_);
      cur_[i] = own_[i].front();
      d.chosen = tileText(cur_[i]);
      d.changed = true;
      plan_.history.push_back(std::move(d));
    }
    return llvm::Error::success();
  }

  llvm::Error search(int i, const std::vector<Tile> &starts, std::vector<Evaluated> &out) const {
    const ir::Node &node = nodes_[i];
    const lowering::TilingSpace &space = *spaces_[i];
    std::map<std::string, bool> seen;
    auto evaluate = [&](const Tile &t) -> llvm::Expected<std::optional<int64_t>> {
      if (!seen.emplace(tileKey(t), true).second) return std::nullopt;
      auto fit = space.footprint(t);
      if (!fit) return fit.takeError();
      if (*fit > budget_) return std::nullopt;
      auto c = lowering::tileCycles(node, view_, hw_, t);
      if (!c) {  // a tiling the rules cannot build is no candidate
        llvm::consumeError(c.takeError());
        return std::nullopt;
      }
      out.push_back({t, *c});
      return *c;
    };
    // Descend from each start on its own: they often lead to different local optima.
    for (const Tile &start : starts) {
      auto c = evaluate(start);
      if (!c) return c.takeError();
      if (!*c) continue;  // the same start as before, or one the rules cannot build
      Evaluated best{start, **c};
      const size_t limit = seen.size() + kSeedEvaluations;
      for (bool improved = true; improved && seen.size() < limit;) {
        improved = false;
        std::vector<lowering::Candidate> moves = space.cuts(best.tile, true);
        for (size_t a = 0; a < best.tile.out.size(); ++a)
          if (space.canGrow(best.tile, a)) moves.push_back({space.grown(best.tile, a), "grow"});
        for (size_t r = 0; r < best.tile.chunk.size(); ++r)
          if (best.tile.chunk[r] < space.red()[r]) {
            Tile t = best.tile;
            t.chunk[r] = std::min(space.red()[r], t.chunk[r] * 2);
            moves.push_back({t, "grow chunk"});
          }
        Evaluated next = best;
        for (const lowering::Candidate &m : moves) {
          if (seen.size() >= limit) break;
          auto mc = evaluate(m.tile);
          if (!mc) return mc.takeError();
          if (*mc && **mc < next.cycles) next = {m.tile, **mc};
        }
        if (next.cycles < best.cycles) best = next, improved = true;
      }
    }
    return llvm::Error::success();
  }

  // Producer -> consumer pairs that can run as a chain: the consumer is elementwise over the
  // producer's iteration space, the only reader of its output (lowering::chainInput) and runs
  // right after it (the schedulers that chain keep the graph's topological order and chain only
  // consecutive nodes). Without such a scheduler there are none.
  void findEdges() {
    consumers_.resize(n_);
    producers_.resize(n_);
    if (!chains_) return;
    std::map<std::string, int> producer;
    for (int i = 0; i < n_; ++i)
      for (const std::string &o : graph_.nodes(i).outputs()) producer[o] = i;
    for (int c = 0; c < n_; ++c) {
      if (!spaces_[c]) continue;
      for (const std::string &in : graph_.nodes(c).inputs()) {
        auto it = producer.find(in);
        if (it == producer.end() || !spaces_[it->second]) continue;
        int p = it->second;
        if (p + 1 != c || llvm::is_contained(consumers_[p], c)) continue;
        ir::Node prev = withTile(nodes_[p], cur_[p]);
        ir::Node next = withTile(nodes_[c], {cur_[p].out, {}});
        if (lowering::chainInput(prev, next, view_) < 0) continue;
        consumers_[p].push_back(c);
        producers_[c].push_back(p);
      }
    }
  }

  // May node i be cut with t? A neighbour's tiling must respect this node's own rules: axes
  // its layers cannot split stay whole, and tiles divide what they must divide.
  bool allowed(int i, const Tile &t) const {
    if (t.out.size() != spaces_[i]->space().size() || t.chunk.size() != spaces_[i]->red().size()) return false;
    auto layers = lowering::planNode(nodes_[i], view_, {});
    if (!layers) {
      llvm::consumeError(layers.takeError());
      return false;
    }
    for (const lowering::LayerPlan &l : *layers)
      for (size_t a = 0; a < l.space.size() && a < t.out.size(); ++a) {
        int64_t cut = std::min(t.out[a], l.space[a]);
        if (a < l.splittable.size() && !l.splittable[a] && cut < l.space[a]) return false;
        if (a < l.divides.size() && l.divides[a] > 0 && l.divides[a] % cut != 0) return false;
      }
    return true;
  }

  // Cycles of node i cut with t (nullopt: not allowed, does not fit LM or cannot be built).
  std::optional<int64_t> cycles(int i, const Tile &t) {
    std::string key = sig_[i] + "|" + tileKey(t);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second < 0 ? std::nullopt : std::optional(it->second);
    int64_t result = -1;
    if (allowed(i, t)) {
      auto fit = spaces_[i]->footprint(t);
      if (!fit) llvm::consumeError(fit.takeError());
      else if (*fit <= budget_) {
        auto c = lowering::tileCycles(nodes_[i], view_, hw_, t);
        if (c) result = *c;
        else llvm::consumeError(c.takeError());
      }
    }
    memo_[key] = result;
    return result < 0 ? std::nullopt : std::optional(result);
  }

  // DRAM round trip removed when consumer c runs on producer p's tiles t: the two nodes' own
  // cycles minus their chain's (0 if the chain does not fit LM or cannot be built).
  int64_t saving(int p, int c, const Tile &t) {
    std::string key = std::to_string(p) + ">" + std::to_string(c) + "|" + tileKey(t);
    if (auto it = savings_.find(key); it != savings_.end()) return it->second;
    int64_t saved = 0;
    auto own = cycles(p, t);
    auto theirs = cycles(c, {t.out, {}});
    ir::Node prev = withTile(nodes_[p], t);
    ir::Node next = withTile(nodes_[c], {t.out, {}});
    if (own && theirs && lowering::chainInput(prev, next, view_) >= 0) {
      auto bytes = lowering::chainFootprint({&prev, &next}, view_);
      if (!bytes) llvm::consumeError(bytes.takeError());
      else if (*bytes <= budget_) {
        device::Program scratch;
        lowering::BufferTable buffers(view_, scratch);
        auto tag = lowering::emitNodeChain({&prev, &next}, view_, hw_, buffers, scratch, 0);
        if (!tag) llvm::consumeError(tag.takeError());
        else saved = std::max<int64_t>(0, *own + *theirs - device::computeTimeline(scratch).total_cycles);
      }
    }
    savings_[key] = saved;
    return saved;
  }

  // The objective's terms that involve `group` under assignment `a` (cur_ elsewhere): their
  // own cycles minus the savings of every matched chain edge touching them.
  std::optional<int64_t> groupCost(const std::vector<int> &group, const std::map<int, Tile> &a,
                                   std::string &why) {
    auto at = [&](int n) -> const Tile & { auto it = a.find(n); return it == a.end() ? cur_[n] : it->second; };
    int64_t total = 0;
    std::vector<std::pair<int, int>> edges;
    for (int n : group) {
      auto own = cycles(n, at(n));
      if (!own) return std::nullopt;  // does not fit LM, or the rules cannot build it
      total += *own;
      for (int p : producers_[n])
        if (!llvm::is_contained(group, p)) edges.push_back({p, n});
      for (int c : consumers_[n]) edges.push_back({n, c});
    }
    const int i = group.front();
    why = llvm::formatv("{0}: {1} cycles", tileText(at(i)), *cycles(i, at(i))).str();
    if (group.size() > 1) why += llvm::formatv(" ({0} nodes of its chain with it)", group.size() - 1).str();
    for (auto [p, c] : edges) {
      if (at(p).out != at(c).out) continue;
      int64_t saved = saving(p, c, at(p));
      total -= saved;
      if (saved && (p == i || c == i))
        why += llvm::formatv(", matches {0} {1} (saves {2})", p == i ? "consumer" : "producer",
                             graph_.nodes(p == i ? c : p).name(), saved).str();
    }
    why += llvm::formatv(" -> {0}", total).str();
    return total;
  }

  // One node's decision in a pass: its own tilings, plus its producers' (forward) or its
  // consumers' (backward) current tilings as proposals. Each is tried for the node alone and for
  // the node with the rest of its chain on that side (a chain runs on one tiling, so moving one
  // link at a time could never leave a matched pair for a better matched pair).
  bool decide(int i, const char *pass, int sweep) {
    // A node without chainable neighbours keeps its own best tiling: nothing to trade.
    if (!spaces_[i] || (producers_[i].empty() && consumers_[i].empty())) return false;
    const bool forward = std::string(pass) == "forward";
    std::vector<int> group{i};
    for (size_t k = 0; k < group.size(); ++k)
      for (int j : forward ? producers_[group[k]] : consumers_[group[k]])
        if (!llvm::is_contained(group, j)) group.push_back(j);
    std::vector<Tile> proposals{cur_[i]};
    auto propose = [&](const Tile &t) {
      if (std::none_of(proposals.begin(), proposals.end(), [&](const Tile &p) { return sameTile(p, t); }))
        proposals.push_back(t);
    };
    for (const Tile &t : own_[i]) propose(t);
    for (int other : forward ? producers_[i] : consumers_[i]) {
      // The neighbour's cut of the shared axes, with each reduction chunk this node has tried.
      propose({cur_[other].out, cur_[i].chunk});
      for (const Tile &t : own_[i]) propose({cur_[other].out, t.chunk});
    }
    BidiDecision d{pass, sweep, graph_.nodes(i).name()};
    std::map<int, Tile> best;
    std::optional<int64_t> bestCost;
    for (const Tile &t : proposals)
      for (bool together : {false, true}) {
        if (together && group.size() == 1) continue;
        std::map<int, Tile> a{{i, t}};
        if (together)
          for (int j : group)
            if (j != i) a[j] = {t.out, cur_[j].chunk};
        std::string why;
        auto cost = groupCost(group, a, why);
        if (!cost) continue;
        d.candidates.push_back(why);
        if (!bestCost || *cost < *bestCost) bestCost = cost, best = a;  // ties keep the earlier
      }
    d.changed = false;
    for (auto &[n, t] : best) {
      d.changed |= !sameTile(t, cur_[n]);
      cur_[n] = t;
    }
    d.chosen = tileText(cur_[i]) + (best.size() > 1 && d.changed ? " (with its chain)" : "");
    plan_.history.push_back(std::move(d));
    return plan_.history.back().changed;
  }

  const ir::Graph &graph_;
  const lowering::GraphView &view_;
  const device::Hardware &hw_;
  const int64_t budget_;
  const bool chains_;
  const int n_;
  std::vector<ir::Node> nodes_;  // the graph's nodes with the program-shape flags to cost with
  std::vector<std::unique_ptr<lowering::TilingSpace>> spaces_;  // null for alias ops
  std::vector<std::string> sig_;
  std::vector<Tile> cur_;
  std::vector<std::vector<Tile>> own_;
  std::vector<std::vector<int>> producers_, consumers_;  // chainable neighbours
  std::map<std::string, int64_t> memo_;                   // signature|tile -> cycles (-1: none)
  std::map<std::string, int64_t> savings_;
  BidiPlan plan_;
};

}  // namespace

llvm::Expected<BidiPlan> planBidi(const ir::Graph &graph, const lowering::GraphView &view,
                                  const device::Hardware &hw, int64_t lmBudget,
                                  bool optimizedProgram, bool chains) {
  return Planner(graph, view, hw, lmBudget, optimizedProgram, chains).run();
}

}  // namespace pfcomp::layout
