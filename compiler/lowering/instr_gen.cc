#include "compiler/lowering/instr_gen.h"

#include "compiler/lowering/rules.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/kernels/kernel.h"
#include "support/error.h"

#include <map>
#include <set>

namespace pfcomp::lowering {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t align64(int64_t bytes) { return (bytes + 63) / 64 * 64; }

bool isBroadcast(const OperandMap &op) {
  for (const auto &a : op.axes)
    if (a.follows() >= 0) return false;
  return true;
}

device::Kernel::Shape shapeOf(const Dims &dims) {
  device::Kernel::Shape s;
  for (int64_t d : dims) s.add_dims(d);
  return s;
}

// Builds the instruction stream of one layer.
class LayerEmitter {
 public:
  LayerEmitter(const LayerPlan &plan, const device::Hardware &hw, BufferTable &buffers,
               device::Program &program, int layerIndex, int &tag)
      : plan_(plan), hw_(hw), buffers_(buffers), program_(program), layer_(layerIndex), tag_(tag) {}

  int transfer(device::Instr::Kind kind, const OperandMap &op, int64_t lmAddr, int64_t firstTile,
               int64_t active, const Dims &redCoords, int64_t indirectAddr = -1) {
    device::Instr *in = add(kind, firstTile, active, redCoords);
    device::Transfer *x = in->mutable_xfer();
    x->set_buffer(buffers_.bufferFor(op.value, op.view));
    for (const auto &a : op.axes) {
      device::AxisMap *m = x->add_axes();
      *m = a;
      if (a.indirect()) m->set_indirect_lm_addr(indirectAddr);
    }
    for (int32_t p : op.lm_perm) x->add_lm_perm(p);
    x->set_lm_addr(lmAddr);
    x->set_pad(op.pad);
    // The layer computes in its own type (transfers convert), index tiles stay integers.
    x->set_lm_dtype(op.lm_dtype != device::DT_UNDEFINED ? op.lm_dtype : plan_.dtype);
    bool broadcast = kind == device::Instr::LOAD && isBroadcast(op);
    x->set_broadcast(broadcast);
    int64_t bytes = op.elements() * device::dtypeBytes(program_.buffers(x->buffer()).dtype());
    bool dataDependent = false;
    for (const auto &a : op.axes) dataDependent |= a.indirect();
    auto spread = kind == device::Instr::LOAD && !dataDependent ? windowSpread(op, firstTile, active)
                                              : device::WindowSpread{active, std::min(active, hw_.pesPerGroup()),
                                                                     std::min(active, hw_.pesPerL2b()),
                                                                     std::min(active, hw_.pesPerL1b())};
    auto hops = device::transferHops(hw_, bytes, spread, kind == device::Instr::LOAD);
    for (const auto &h : hops) *x->add_hops() = h;
    in->set_cycles(device::transferCycles(hw_, hops));
    in->set_latency(hw_.transfer_latency);
    return in->tag();
  }

  llvm::Expected<int> compute(const std::string &op, const std::vector<int64_t> &addrs,
                              const std::vector<Dims> &shapes, const std::vector<int64_t> &ints,
                              const std::vector<double> &floats, bool accumulate, bool finalize,
                              int64_t firstTile, int64_t active, const Dims &redCoords) {
    device::Instr *in = add(device::Instr::COMPUTE, firstTile, active, redCoords);
    device::Kernel *k = in->mutable_kernel();
    k->set_op(op);
    k->set_dtype(plan_.dtype);
    for (int64_t a : addrs) k->add_addrs(a);
    for (const Dims &s : shapes) *k->add_shapes() = shapeOf(s);
    for (int64_t i : ints) k->add_ints(i);
    for (double f : floats) k->add_floats(f);
    k->set_accumulate(accumulate);
    k->set_finalize(finalize);
    auto prepared = device::prepareKernel(*k);
    if (!prepared)
      return llvm::joinErrors(makeError(ErrorCode::Internal, "layer '{0}':", plan_.name),
                              prepared.takeError());
    in->set_cycles(device::computeCycles(hw_, plan_.dtype, (*prepared)->work));
    return in->tag();
  }

  // Distinct windows among the active PEs, overall and under the busiest node of each level:
  // PEs whose windows start at the same place read the same bytes.
  device::WindowSpread windowSpread(const OperandMap &op, int64_t firstTile, int64_t active) const {
    std::set<Dims> all;
    int64_t perGroup = 1, perL2b = 1, perL1b = 1;
    std::map<int64_t, std::set<Dims>> g, m2, m1;
    auto count = [](std::map<int64_t, std::set<Dims>> &nodes, int64_t node, const Dims &key, int64_t &most) {
      auto &s = nodes[node];
      s.insert(key);
      most = std::max<int64_t>(most, s.size());
    };
    Dims start(grid_.size());
    for (int64_t pe = 0; pe < active; ++pe) {
      int64_t tile = firstTile + pe;
      for (int a = static_cast<int>(grid_.size()) - 1; a >= 0; --a) {
        start[a] = (tile % grid_[a]) * tileSize_[a];
        tile /= grid_[a];
      }
      Dims key;
      for (const auto &m : op.axes) {
        if (m.follows() < 0) continue;
        int64_t ts = start[m.follows()];
        key.push_back(m.ratio_den() > 0 ? (m.ratio_num() * ts) / m.ratio_den()
                                        : m.scale() * (ts / std::max<int64_t>(1, m.div())));
      }
      all.insert(key);
      count(g, pe / hw_.pesPerGroup(), key, perGroup);
      count(m2, pe / hw_.pesPerL2b(), key, perL2b);
      count(m1, pe / hw_.pesPerL1b(), key, perL1b);
    }
    return {static_cast<int64_t>(all.size()), perGroup, perL2b, perL1b};
  }

  void setGrid(Dims grid, Dims tile) { grid_ = std::move(grid), tileSize_ = std::move(tile); }

  void wait(const std::vector<int> &tags) {
    if (tags.empty()) return;
    device::Instr *in = add(device::Instr::WAIT, 0, 0, {});
    for (int t : tags) in->add_wait_tags(t);
  }

 private:
  device::Instr *add(device::Instr::Kind kind, int64_t firstTile, int64_t active, const Dims &red) {
    device::Instr *in = program_.add_instrs();
    in->set_kind(kind);
    in->set_layer(layer_);
    in->set_first_tile(firstTile);
    in->set_active_pes(active);
    for (int64_t r : red) in->add_red_coords(r);
    in->set_tag(tag_++);
    return in;
  }

  const LayerPlan &plan_;
  const device::Hardware &hw_;
  BufferTable &buffers_;
  device::Program &program_;
  int layer_;
  int &tag_;  // shared by the layers of a chain
  Dims grid_, tileSize_;
};

}  // namespace

LayerPlacement placeLayer(const LayerPlan &plan, const Dims &tile, const device::Hardware &hw) {
  LayerPlacement p;
  int64_t tiles = 1;
  for (size_t a = 0; a < plan.space.size(); ++a) tiles *= ceilDiv(plan.space[a], tile[a]);
  p.pes = std::min<int64_t>(tiles, hw.pes());
  p.steps = ceilDiv(tiles, p.pes);
  return p;
}

llvm::Expected<int> emitLayer(const LayerPlan &plan, const Dims &tile, const Dims &chunk,
                              const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag) {
  return emitChain({{&plan, -1}}, tile, chunk, hw, buffers, program, firstTag);
}

llvm::Expected<int> emitChain(const std::vector<ChainLink> &chain, const Dims &tile,
                              const Dims &chunk, const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag) {
  const LayerPlan &head = *chain.front().plan;
  int tag = firstTag;
  int64_t tiles = 1;
  Dims grid;
  for (size_t a = 0; a < head.space.size(); ++a) grid.push_back(ceilDiv(head.space[a], tile[a])), tiles *= grid.back();
  Dims redCount;
  for (size_t r = 0; r < head.red_extent.size(); ++r) redCount.push_back(ceilDiv(head.red_extent[r], chunk[r]));

  // One Layer entry and one emitter per link; LM regions laid out one after the other.
  struct Link {
    const LayerPlan *plan;
    int fromPrev;
    std::unique_ptr<LayerEmitter> em;
    std::vector<int64_t> inAddr, epiAddr;
    int64_t outAddr = 0;
  };
  std::vector<Link> links;
  int64_t lm = 0;
  for (const ChainLink &c : chain) {
    const LayerPlan &plan = *c.plan;
    device::Layer *layer = program.add_layers();
    layer->set_name(plan.name);
    layer->set_op_type(plan.op_type);
    for (size_t a = 0; a < plan.space.size(); ++a) {
      layer->add_space(plan.space[a]);
      layer->add_out_tile(tile[a]);
      layer->add_grid(grid[a]);
    }
    if (&c == &chain.front())
      for (int64_t v : chunk) layer->add_red_chunk(v);
    layer->set_flops(plan.flops);
    Link link{&plan, c.from_prev, std::make_unique<LayerEmitter>(plan, hw, buffers, program, program.layers_size() - 1, tag), {}, {}, 0};
    link.em->setGrid(grid, tile);
    // Input windows, the output tile, epilogue operands, each 64-byte aligned. An input fed by
    // the previous link is its output tile, already in LM.
    const int64_t esize = device::dtypeBytes(plan.dtype);
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      if (static_cast<int>(i) == c.from_prev) {
        link.inAddr.push_back(links.back().outAddr);
        continue;
      }
      const OperandMap &in = plan.inputs[i];
      link.inAddr.push_back(lm);
      lm += align64(in.elements() * (in.lm_dtype != device::DT_UNDEFINED ? device::dtypeBytes(in.lm_dtype) : esize));
    }
    const bool movement = plan.kernel_op.empty();
    link.outAddr = movement ? link.inAddr[plan.stored_input] : lm;
    if (!movement) lm += align64(rules::product(plan.output.kernel_shape) * esize);
    for (const Epilogue &e : plan.epilogue) {
      link.epiAddr.push_back(lm);
      lm += align64(e.operand.elements() * esize);
    }
    links.push_back(std::move(link));
  }
  if (lm > hw.lmBytes())
    return makeError(ErrorCode::LmOverflow,
                     "layer '{0}': tile [{1}] needs {2} bytes of LM per PE, a PE has {3}",
                     head.name, llvm::join(llvm::map_range(tile, [](int64_t v) { return std::to_string(v); }), "x"),
                     lm, hw.lmBytes());
  program.set_lm_bytes(std::max(program.lm_bytes(), lm));

  int64_t redTotal = 1;
  for (int64_t n : redCount) redTotal *= n;
  const int64_t pes = std::min<int64_t>(tiles, hw.pes());
  for (int64_t first = 0; first < tiles; first += pes) {
    const int64_t active = std::min(pes, tiles - first);
    std::vector<int> computeTags;
    for (Link &link : links) {
      const LayerPlan &plan = *link.plan;
      LayerEmitter &em = *link.em;
      const bool isHead = &link == &links.front();
      const bool movement = plan.kernel_op.empty();
      const int64_t chunks = isHead ? redTotal : 1;
      for (int64_t rc = 0; rc < chunks; ++rc) {
        Dims coords(isHead ? redCount.size() : 0);
        for (int r = static_cast<int>(coords.size()) - 1, rest = rc; r >= 0; --r)
          coords[r] = rest % redCount[r], rest /= redCount[r];
        std::vector<int> loads;
        for (size_t i = 0; i < plan.inputs.size(); ++i)
          if (static_cast<int>(i) != link.fromPrev && (rc == 0 || plan.inputs[i].follows_reduction()))
            loads.push_back(em.transfer(device::Instr::LOAD, plan.inputs[i], link.inAddr[i], first, active, coords,
                                        plan.inputs[i].indirect_input >= 0 ? link.inAddr[plan.inputs[i].indirect_input] : -1));
        if (link.fromPrev >= 0) loads.insert(loads.end(), computeTags.begin(), computeTags.end());
        em.wait(loads);
        if (movement) break;
        std::vector<int64_t> addrs(link.inAddr);
        addrs.push_back(link.outAddr);
        std::vector<Dims> shapes;
        for (const OperandMap &in : plan.inputs) shapes.push_back(in.kernel_shape);
        shapes.push_back(plan.output.kernel_shape);
        auto t = em.compute(plan.kernel_op, addrs, shapes, plan.kernel_ints, plan.kernel_floats,
                            rc > 0, rc + 1 == chunks, first, active, coords);
        if (!t) return t.takeError();
        computeTags = {*t};
      }
      for (size_t e = 0; e < plan.epilogue.size(); ++e) {
        const Epilogue &epi = plan.epilogue[e];
        em.wait({em.transfer(device::Instr::LOAD, epi.operand, link.epiAddr[e], first, active, {})});
        if (epi.operand_scale != 1.0) {
          auto t = em.compute("unary:Scale", {link.epiAddr[e], link.epiAddr[e]},
                              {epi.operand.kernel_shape, epi.operand.kernel_shape}, {},
                              {epi.operand_scale, 0.0}, false, true, first, active, {});
          if (!t) return t.takeError();
        }
        auto t = em.compute(epi.kernel_op, {link.outAddr, link.epiAddr[e], link.outAddr},
                            {plan.output.kernel_shape, epi.operand.kernel_shape, plan.output.kernel_shape},
                            {}, {}, false, true, first, active, {});
        if (!t) return t.takeError();
        computeTags = {*t};
      }
    }
    // Only the last link's output leaves LM.
    Link &last = links.back();
    last.em->wait(computeTags);
    last.em->transfer(device::Instr::STORE, last.plan->output, last.outAddr, first, active, {});
  }
  return tag;
}

}  // namespace pfcomp::lowering

#include "compiler/ir/op_support.h"
#include "compiler/lowering/plan_node.h"

namespace pfcomp::lowering {

llvm::Expected<int> emitNode(const ir::Node &node, const GraphView &graph,
                             const device::Hardware &hw, BufferTable &buffers,
                             device::Program &program, int tag) {
  if (ir::isAliasOp(node.op_type())) {
    buffers.alias(node.outputs(0), node.inputs(0));
    return tag;
  }
  if (node.tiling().out_tile_size() == 0) {
    auto layers = planNode(node, graph, {});
    if (layers && layers->empty()) return tag;  // nothing to compute (empty outputs)
    if (!layers) llvm::consumeError(layers.takeError());
    return makeError(ErrorCode::StageFileCorrupt, "node '{0}' has no tiling: run layout-plan first",
                     node.name());
  }
  Tile tile{Dims(node.tiling().out_tile().begin(), node.tiling().out_tile().end()),
            Dims(node.tiling().red_chunk().begin(), node.tiling().red_chunk().end())};
  auto layers = planNode(node, graph, tile);
  if (!layers) return layers.takeError();
  for (const LayerPlan &layer : *layers) {
    Dims t(layer.space.size()), c(layer.red_extent.size());
    for (size_t a = 0; a < t.size(); ++a) t[a] = std::min(tile.out[a], layer.space[a]);
    for (size_t r = 0; r < c.size(); ++r) c[r] = std::min(tile.chunk[r], layer.red_extent[r]);
    auto next = emitLayer(layer, t, c, hw, buffers, program, tag);
    if (!next) return next.takeError();
    tag = *next;
  }
  return tag;
}

}  // namespace pfcomp::lowering
