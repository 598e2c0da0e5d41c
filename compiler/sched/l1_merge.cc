#include "compiler/sched/l1_merge.h"

#include "compiler/emit/program_builder.h"
#include "compiler/ir/op_support.h"
#include "compiler/lowering/chain.h"
#include "compiler/lowering/host_call.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/lm_residency.h"
#include "compiler/lowering/prefetch.h"
#include "compiler/lowering/unit_emit.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/l1bm_store.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

namespace pfcomp::sched {
namespace {

// The units emitted one after the other as emit would (prefetch between them when the schedule
// has it), with `l1bm` values in L1BM.
llvm::Expected<device::Program> emitUnits(const ir::Graph &g, const std::vector<Unit> &units,
                                          const std::set<std::string> &l1bm, const device::Hardware &hw) {
  device::Program program;
  lowering::GraphView view(g);
  lowering::BufferTable buffers(view, program);
  buffers.setL1bmValues(l1bm);
  lowering::LmResidency residency(g);
  std::vector<lowering::EmittedUnit> emitted;
  int tag = 0;
  for (const Unit &unit : units) {
    emitted.push_back({program.layers_size(), residency.scratchLimit(unit)});
    llvm::Expected<int> next = lowering::emitUnit(unit, view, hw, buffers, program, tag, residency);
    if (!next) return next.takeError();
    tag = *next;
  }
  buffers.placeImages();
  if (units.size() > 1 && g.schedule().prefetch()) {
    auto stats = lowering::prefetchAcrossUnits(program, emitted, hw.lmBytes());
    if (!stats) return stats.takeError();
  }
  return program;
}

// Greedy acceptance in candidate order: a legal merge that saves cycles and fits every L1B's
// L1BM on top of those accepted before it. `bytes` carries the L1BM use along.
struct Group {
  std::vector<size_t> candidates, accepted;
  std::vector<int64_t> bytes;
  std::set<size_t> changed;  // units whose tile or placement an accepted merge changed
  std::set<size_t> used;     // units of accepted merges
};

void accept(const std::vector<MergeVerdict> &verdicts, const std::vector<size_t> &candidates, int64_t l1bm,
            Group &into) {
  for (size_t c : candidates) {
    const MergeVerdict &v = verdicts[c];
    // A producer an earlier merge changed no longer stores what this verdict saw, and a change of
    // the producer here would break the earlier merge that reads into it.
    const bool changesProducer = v.unplace_producer || v.align_producer > 0;
    if (!v.legal || v.gain <= 0 || into.changed.count(v.unit) || (changesProducer && into.used.count(v.unit)))
      continue;
    bool fits = true;
    for (size_t b = 0; b < v.l1b_bytes.size() && fits; ++b) fits = into.bytes[b] + v.l1b_bytes[b] <= l1bm;
    if (!fits) continue;
    for (size_t b = 0; b < v.l1b_bytes.size(); ++b) into.bytes[b] += v.l1b_bytes[b];
    into.accepted.push_back(c);
    if (!v.reader_tile.empty() || v.unplace_readers || v.align_readers > 0) into.changed.insert(v.unit + 1);
    if (changesProducer) into.changed.insert(v.unit);
    into.used.insert(v.unit);
    into.used.insert(v.unit + 1);
  }
}

// Left then right, as the sequential walk would see them.
Group combine(const std::vector<MergeVerdict> &verdicts, const Group &left, const Group &right, int64_t l1bm) {
  Group g = left;
  g.candidates.insert(g.candidates.end(), right.candidates.begin(), right.candidates.end());
  accept(verdicts, right.candidates, l1bm, g);
  return g;
}

}  // namespace

std::vector<MergeVerdict> mergeCandidates(const ir::Graph &g, const std::vector<Unit> &units) {
  std::set<std::string> outputs(g.outputs().begin(), g.outputs().end()), resident;
  for (const auto &r : g.schedule().residents()) resident.insert(r.value());
  std::map<std::string, std::vector<const ir::Node *>> readers;
  for (const ir::Node &n : g.nodes())
    for (const std::string &in : n.inputs()) readers[in].push_back(&n);
  auto onDevice = [](const Unit &u) {
    return llvm::none_of(u, [](const ir::Node *n) { return n->on_host() || ir::isAliasOp(n->op_type()); });
  };
  std::vector<MergeVerdict> out;
  for (size_t u = 0; u + 1 < units.size(); ++u) {
    const Unit &prod = units[u], &cons = units[u + 1];
    if (!onDevice(prod) || !onDevice(cons) || prod.back()->outputs_size() != 1) continue;
    const std::string &value = prod.back()->outputs(0);
    if (outputs.count(value) || resident.count(value) || !readers.count(value)) continue;
    if (!llvm::all_of(readers[value], [&](const ir::Node *r) { return llvm::is_contained(cons, r); })) continue;
    MergeVerdict v;
    v.value = value;
    v.unit = u;
    out.push_back(v);
  }
  return out;
}

static std::vector<int64_t> scaledReaderTile(const ir::Graph &g, const Unit &prod, const Unit &cons) {
  const lowering::GraphView view(g);
  const ir::Node &head = *cons.front();
  const lowering::Dims from = view.shape(prod.back()->outputs(0)), to = view.shape(head.outputs(0));
  const auto &tile = prod.front()->tiling().out_tile();
  if (from.size() != to.size() || tile.size() != to.size() || head.tiling().out_tile_size() != tile.size()) return {};
  std::vector<int64_t> out;
  for (size_t a = 0; a < to.size(); ++a) {
    if (from[a] <= 0) return {};
    out.push_back(std::clamp<int64_t>((tile[a] * to[a] + from[a] - 1) / from[a], 1, std::max<int64_t>(to[a], 1)));
  }
  if (std::equal(out.begin(), out.end(), head.tiling().out_tile().begin())) return {};
  return out;
}

// Tiles per block of the outer two axes (a channel block's spatial tiles) of a rank >= 3 value.
static int64_t spatialRun(const lowering::Dims &shape, const std::vector<int64_t> &tile) {
  if (shape.size() < 3 || tile.size() != shape.size()) return 0;
  int64_t run = 1;
  for (size_t a = 2; a < shape.size(); ++a) run *= (shape[a] + tile[a] - 1) / std::max<int64_t>(tile[a], 1);
  return run;
}
static int64_t spatialRun(const lowering::Dims &shape, const google::protobuf::RepeatedField<int64_t> &tile) {
  return spatialRun(shape, std::vector<int64_t>(tile.begin(), tile.end()));
}

llvm::Error evaluateMerge(const ir::Graph &g, const std::vector<Unit> &units, const device::Hardware &hw,
                          MergeVerdict &v) {
  const Unit &prod = units[v.unit], &cons = units[v.unit + 1];
  auto base = emitUnits(g, {prod, cons}, {}, hw);
  if (!base) return base.takeError();
  const int64_t baseCycles = device::computeTimeline(*base).total_cycles;
  // Copies of the pair's nodes, the reader unit's head on `readerTile` if given.
  auto attempt = [&](const std::vector<int64_t> &readerTile, bool unplaceProducer, bool unplaceReaders,
                     int64_t alignProducer, int64_t alignReaders, int64_t runsProducer, int64_t runsReaders,
                     MergeVerdict &out) {
    std::vector<ir::Node> copies;
    copies.reserve(prod.size() + cons.size());
    Unit p, c;
    for (const Unit *from : {&prod, &cons})
      for (const ir::Node *n : *from) {
        copies.push_back(*n);
        ir::Tiling &t = *copies.back().mutable_tiling();
        if (from == &prod ? unplaceProducer : unplaceReaders) t.set_place_tiles(false);
        t.set_l1b_align(from == &prod ? alignProducer : alignReaders);
        t.set_l1b_runs(from == &prod ? runsProducer : runsReaders);
        if (!readerTile.empty() && n == cons.front()) {
          t.clear_out_tile();
          for (int64_t d : readerTile) t.add_out_tile(d);
        }
        (from == &prod ? p : c).push_back(&copies.back());
      }
    auto merged = emitUnits(g, {p, c}, {v.value}, hw);
    if (!merged) {
      out.why = llvm::toString(merged.takeError());
      return;
    }
    auto use = device::checkL1bm(*merged, hw);
    if (!use) {
      out.why = llvm::toString(use.takeError());
      return;
    }
    out.legal = true;
    out.l1b_bytes = use->bytes_per_l1b;
    out.gain = baseCycles - device::computeTimeline(*merged).total_cycles;
    out.reader_tile = readerTile;
    out.unplace_producer = unplaceProducer;
    out.unplace_readers = unplaceReaders;
    out.align_producer = alignProducer;
    out.align_readers = alignReaders;
    out.runs_producer = runsProducer;
    out.runs_readers = runsReaders;
  };
  std::vector<std::vector<int64_t>> tiles = {{}};
  if (!lowering::LmResidency(g).involves(cons))  // LM residents fix the reader's tiles
    if (std::vector<int64_t> t = scaledReaderTile(g, prod, cons); !t.empty()) tiles.push_back(t);
  auto placed = [](const Unit &u) { return llvm::any_of(u, [](const ir::Node *n) { return n->tiling().place_tiles(); }); };
  MergeVerdict best = v;
  std::string why;
  for (const auto &tile : tiles)
    for (int unplace = 0; unplace < 4; ++unplace) {
      const bool producer = unplace & 1, readers = unplace & 2;
      if ((producer && !placed(prod)) || (readers && !placed(cons))) continue;
      MergeVerdict tried = v;
      attempt(tile, producer, readers, 0, 0, 0, 0, tried);
      if (!tried.legal) {
        if (why.empty()) why = tried.why;
        continue;
      }
      if (!best.legal || tried.gain > best.gain) best = tried;
    }
  // Both units in runs of a channel block's spatial tiles, as many channels under each L1B for
  // the producer as for the readers (the most that fit both).
  const int64_t perL1b = hw.pesPerL1b();
  for (const auto &tile : tiles) {
    const lowering::GraphView view(g);
    const std::vector<int64_t> pt(prod.front()->tiling().out_tile().begin(), prod.front()->tiling().out_tile().end());
    const std::vector<int64_t> rt = tile.empty() ? std::vector<int64_t>(cons.front()->tiling().out_tile().begin(),
                                                                        cons.front()->tiling().out_tile().end())
                                                 : tile;
    const int64_t ap = spatialRun(view.shape(v.value), pt), ar = spatialRun(view.shape(cons.front()->outputs(0)), rt);
    if (ap < 1 || ar < 1 || (ap == 1 && ar == 1) || ap > perL1b || ar > perL1b) continue;
    const int64_t cp = pt[1], cr = rt[1];  // channels per tile
    int64_t channels = 0;                  // per L1B, both sides
    for (int64_t k = cp * (perL1b / ap); k >= 1; --k)
      if (k % cp == 0 && k % cr == 0 && ap * (k / cp) <= perL1b && ar * (k / cr) <= perL1b) {
        channels = k;
        break;
      }
    if (channels == 0) continue;
    MergeVerdict tried = v;
    attempt(tile, false, false, ap, ar, channels / cp, channels / cr, tried);
    if (tried.legal && (!best.legal || tried.gain > best.gain)) best = tried;
    else if (!tried.legal && why.empty()) why = tried.why;
  }
  v = best;
  if (!v.legal) v.why = why;
  return llvm::Error::success();
}

llvm::Expected<MergeStats> mergeInL1(ir::Graph &graph, const device::Hardware &hw, const MergeOptions &options) {
  MergeStats stats;
  graph.mutable_schedule()->clear_l1_merges();
  const std::vector<Unit> units = schedulingUnits(graph);
  std::vector<MergeVerdict> verdicts = mergeCandidates(graph, units);
  stats.candidates = static_cast<int>(verdicts.size());
  const size_t n = verdicts.size();
  std::vector<Group> groups;
  // The program without merges (parallel: built while the candidates are costed).
  std::unique_ptr<llvm::Expected<device::Program>> before;
  if (!options.parallel) {
    for (MergeVerdict &v : verdicts)
      if (auto err = evaluateMerge(graph, units, hw, v)) return std::move(err);
    Group all;
    all.bytes.assign(hw.l1bs(), 0);
    for (size_t c = 0; c < n; ++c) all.candidates.push_back(c);
    accept(verdicts, all.candidates, hw.l1bm, all);
    groups.push_back(std::move(all));
  } else {
    llvm::ThreadPool pool(llvm::hardware_concurrency(options.threads));
    std::vector<llvm::Error> errors;
    for (size_t c = 0; c < n; ++c) errors.push_back(llvm::Error::success());
    if (n > 0)
      pool.async([&] { before = std::make_unique<llvm::Expected<device::Program>>(emit::buildProgram(graph, hw)); });
    for (size_t c = 0; c < n; ++c)
      pool.async([&, c] { errors[c] = evaluateMerge(graph, units, hw, verdicts[c]); });
    pool.wait();
    llvm::Error all = before && !*before ? before->takeError() : llvm::Error::success();
    for (llvm::Error &e : errors) all = llvm::joinErrors(std::move(all), std::move(e));
    if (all) return std::move(all);
    for (size_t c = 0; c < n; ++c) {
      Group leaf;
      leaf.candidates = {c};
      leaf.bytes.assign(hw.l1bs(), 0);
      accept(verdicts, leaf.candidates, hw.l1bm, leaf);
      groups.push_back(std::move(leaf));
    }
    // Pairwise over adjacent groups: ceil(log2 N) rounds, each round's combines at once.
    while (groups.size() > 1) {
      std::vector<Group> next((groups.size() + 1) / 2);
      for (size_t k = 0; k < next.size(); ++k)
        pool.async([&, k] {
          next[k] = 2 * k + 1 < groups.size() ? combine(verdicts, groups[2 * k], groups[2 * k + 1], hw.l1bm)
                                               : groups[2 * k];
        });
      pool.wait();
      groups = std::move(next);
      ++stats.rounds;
    }
  }
  for (const MergeVerdict &v : verdicts) stats.legal += v.legal;
  stats.verdicts = verdicts;
  if (groups.empty() || groups.front().accepted.empty()) return stats;

  // The whole program decides: the merges stay only if it got faster.
  if (!before) before = std::make_unique<llvm::Expected<device::Program>>(emit::buildProgram(graph, hw));
  if (!*before) return before->takeError();
  stats.cycles_before = stats.cycles_after = device::computeTimeline(**before).total_cycles;
  std::map<std::string, ir::Tiling> saved;
  for (const ir::Node &nd : graph.nodes()) saved[nd.name()] = nd.tiling();
  std::map<std::string, std::vector<int64_t>> retile;  // reader heads on an L1B-local tile
  std::set<std::string> unplaced;                      // nodes whose tiles go on PEs in grid order
  std::map<std::string, std::pair<int64_t, int64_t>> aligned;  // nodes in L1B-aligned runs of tiles
  ir::Schedule &s = *graph.mutable_schedule();
  for (size_t c : groups.front().accepted) {
    const MergeVerdict &v = verdicts[c];
    ir::Schedule::L1Merge *m = s.add_l1_merges();
    m->set_value(v.value);
    m->set_producer(units[v.unit].back()->name());
    for (const ir::Node *r : units[v.unit + 1])
      if (llvm::is_contained(r->inputs(), v.value)) m->add_readers(r->name());
    m->set_gain_cycles(v.gain);
    for (int64_t b : v.l1b_bytes) stats.l1bm_bytes += b;
    if (!v.reader_tile.empty()) retile[units[v.unit + 1].front()->name()] = v.reader_tile;
    for (size_t u : {v.unit, v.unit + 1}) {
      if (u == v.unit ? v.unplace_producer : v.unplace_readers)
        for (const ir::Node *nd : units[u]) unplaced.insert(nd->name());
      if (int64_t run = u == v.unit ? v.align_producer : v.align_readers; run > 0)
        for (const ir::Node *nd : units[u]) aligned[nd->name()] = {run, u == v.unit ? v.runs_producer : v.runs_readers};
    }
  }
  const lowering::GraphView view(graph);
  for (ir::Node &nd : *graph.mutable_nodes()) {
    ir::Tiling &t = *nd.mutable_tiling();
    if (unplaced.count(nd.name())) t.set_place_tiles(false);
    if (auto a = aligned.find(nd.name()); a != aligned.end())
      t.set_l1b_align(a->second.first), t.set_l1b_runs(a->second.second);
    auto it = retile.find(nd.name());
    if (it == retile.end()) continue;
    t.clear_out_tile();
    int64_t tiles = 1;
    const lowering::Dims shape = view.shape(nd.outputs(0));
    for (size_t a = 0; a < it->second.size(); ++a) {
      t.add_out_tile(it->second[a]);
      tiles *= (shape[a] + it->second[a] - 1) / it->second[a];
    }
    t.set_pes(std::min<int64_t>(tiles, hw.pes()));
    t.set_steps((tiles + t.pes() - 1) / t.pes());
  }
  auto after = emit::buildProgram(graph, hw);
  if (!after) return after.takeError();
  auto use = device::checkL1bm(*after, hw);
  const int64_t cycles = device::computeTimeline(*after).total_cycles;
  if (use && cycles < stats.cycles_before) {
    stats.cycles_after = cycles;
    stats.merged = s.l1_merges_size();
    return stats;
  }
  stats.dropped = use ? "the whole program was not faster (" + std::to_string(cycles) + " cycles)"
                      : llvm::toString(use.takeError());
  s.clear_l1_merges();
  for (ir::Node &nd : *graph.mutable_nodes()) *nd.mutable_tiling() = saved[nd.name()];
  stats.l1bm_bytes = 0;
  return stats;
}

}  // namespace pfcomp::sched
