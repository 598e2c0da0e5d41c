#include "compiler/lowering/instr_gen.h"

#include "compiler/lowering/pe_placement.h"

#include "compiler/lowering/rules.h"
#include "runtime/device/cost_model.h"
#include "runtime/device/kernels/kernel.h"
#include "support/error.h"

#include <algorithm>
#include <array>
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
               device::Program &program, int layerIndex, int &tag, Placement &placement)
      : plan_(plan), hw_(hw), buffers_(buffers), program_(program), layer_(layerIndex), tag_(tag),
        placement_(placement) {}

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
    x->set_broadcast(kind == device::Instr::LOAD && isBroadcast(op));
    for (const auto &h : hops(kind, op, firstTile, active)) *x->add_hops() = h;
    // An L1BM value is in the L1B above the PE its tile was placed on (hops() placed the step).
    if (program_.buffers(x->buffer()).location() == device::Buffer::L1BM)
      for (int64_t p = 0; p < active; ++p)
        x->add_l1b_of_pe(static_cast<int32_t>(placement_.physical(p) / hw_.pesPerL1b()));
    in->set_cycles(device::transferCycles(hw_, {x->hops().begin(), x->hops().end()}));
    in->set_latency(hw_.transfer_latency);
    return in->tag();
  }

  // The legs of moving `op` for the tiles firstTile.. on their placed PEs.
  std::vector<device::Hop> hops(device::Instr::Kind kind, const OperandMap &op, int64_t firstTile,
                                int64_t active) {
    int64_t bytes = op.elements() *
                    device::dtypeBytes(program_.buffers(buffers_.bufferFor(op.value, op.view)).dtype());
    bool dataDependent = false;
    for (const auto &a : op.axes) dataDependent |= a.indirect();
    placement_.ensure(firstTile, active);
    auto spread = kind == device::Instr::LOAD && !dataDependent ? placement_.windows(op) : placement_.distinct();
    if (program_.buffers(buffers_.bufferFor(op.value, op.view)).location() == device::Buffer::L1BM)
      return device::l1bmTransferHops(hw_, bytes, spread, kind == device::Instr::LOAD);
    return device::transferHops(hw_, bytes, spread, kind == device::Instr::LOAD);
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

  void wait(std::vector<int> tags) {
    tags.erase(std::remove(tags.begin(), tags.end(), -1), tags.end());
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
  Placement &placement_;
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

EmitFlags emitFlags(const ir::Tiling &tiling) {
  return {tiling.place_tiles(), tiling.double_buffer(), tiling.l1b_align(), tiling.l1b_runs()};
}

llvm::Error checkSplitRules(const LayerPlan &plan, const Dims &tile) {
  auto dimsText = [](const Dims &d) {
    std::string s;
    for (int64_t v : d) s += (s.empty() ? "" : "x") + std::to_string(v);
    return s;
  };
  for (size_t a = 0; a < plan.space.size() && a < tile.size(); ++a) {
    const int64_t t = std::min(tile[a], plan.space[a]);
    if (t < plan.space[a] && a < plan.splittable.size() && !plan.splittable[a])
      return makeError(ErrorCode::Internal, "layer '{0}': tile {1} cuts output axis {2}, which it must keep whole",
                       plan.name, dimsText(tile), a);
    if (a < plan.divides.size() && plan.divides[a] > 0 && plan.divides[a] % t != 0)
      return makeError(ErrorCode::Internal, "layer '{0}': tile {1} on output axis {2} does not divide {3}",
                       plan.name, dimsText(tile), a, plan.divides[a]);
  }
  return llvm::Error::success();
}

llvm::Expected<int> emitLayer(const LayerPlan &plan, const Dims &tile, const Dims &chunk,
                              const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag, EmitFlags flags,
                              int64_t lmLimit) {
  return emitChain({{&plan, -1}}, tile, chunk, hw, buffers, program, firstTag, lmLimit, flags);
}

llvm::Expected<int> emitChain(const std::vector<ChainLink> &chain, const Dims &tile,
                              const Dims &chunk, const device::Hardware &hw, BufferTable &buffers,
                              device::Program &program, int firstTag, int64_t lmLimit,
                              EmitFlags flags) {
  const LayerPlan &head = *chain.front().plan;
  // A tile that cuts an axis the op's rules keep whole would compute wrong values without any
  // error (a tiling planner or a chain adopting its head's tiles got it wrong): refuse it.
  for (const ChainLink &link : chain)
    if (llvm::Error err = checkSplitRules(*link.plan, tile)) return std::move(err);
  int tag = firstTag;
  int64_t tiles = 1;
  Dims grid;
  for (size_t a = 0; a < head.space.size(); ++a) grid.push_back(ceilDiv(head.space[a], tile[a])), tiles *= grid.back();
  Dims redCount;
  for (size_t r = 0; r < head.red_extent.size(); ++r) redCount.push_back(ceilDiv(head.red_extent[r], chunk[r]));
  Placement placement(hw, grid, tile);

  // One Layer entry and one emitter per link. LM regions one after the other; a region a load
  // writes (and the stored output tile) has two copies when double buffered: [0] and [1].
  using Region = std::array<int64_t, 2>;
  struct Link {
    const LayerPlan *plan;
    int fromPrev;
    const ChainLink *spec;
    std::unique_ptr<LayerEmitter> em;
    std::vector<Region> inAddr, epiAddr;
    Region outAddr{0, 0};
    bool loads(size_t i) const {
      return static_cast<int>(i) != fromPrev && !(i < spec->lm_inputs.size() && spec->lm_inputs[i].valid());
    }
  };
  auto layOut = [&](bool dbl, std::vector<Link> *links) {
    int64_t lm = 0;
    auto take = [&](int64_t bytes, bool twice) {
      Region r{lm, lm};
      lm += bytes;
      if (twice) r[1] = lm, lm += bytes;
      return r;
    };
    std::vector<Region> prevOut;
    for (size_t k = 0; k < chain.size(); ++k) {
      const ChainLink &c = chain[k];
      const LayerPlan &plan = *c.plan;
      const int64_t esize = device::dtypeBytes(plan.dtype);
      Link link{&plan, c.from_prev, &c, nullptr, {}, {}, {0, 0}};
      for (size_t i = 0; i < plan.inputs.size(); ++i) {
        if (static_cast<int>(i) == c.from_prev) {
          link.inAddr.push_back(prevOut.back());
        } else if (!link.loads(i)) {
          link.inAddr.push_back({c.lm_inputs[i].addr, c.lm_inputs[i].addr});  // set per step
        } else {
          const OperandMap &in = plan.inputs[i];
          link.inAddr.push_back(take(align64(in.elements() * (in.lm_dtype != device::DT_UNDEFINED
                                                                  ? device::dtypeBytes(in.lm_dtype) : esize)), dbl));
        }
      }
      const bool movement = plan.kernel_op.empty();
      const bool last = k + 1 == chain.size();
      if (movement)
        link.outAddr = link.inAddr[plan.stored_input];
      else
        link.outAddr = take(align64(rules::product(plan.output.kernel_shape) * esize),
                            dbl && last && c.store && !c.lm_output.valid());
      for (const Epilogue &e : plan.epilogue) link.epiAddr.push_back(take(align64(e.operand.elements() * esize), dbl));
      prevOut.push_back(link.outAddr);
      if (links) links->push_back(std::move(link));
    }
    return lm;
  };
  const int64_t room = lmLimit >= 0 ? std::min(lmLimit, hw.lmBytes()) : hw.lmBytes();
  const bool dbl = flags.double_buffer && layOut(true, nullptr) <= room;
  std::vector<Link> links;
  const int64_t lm = layOut(dbl, &links);
  for (Link &link : links) {
    const LayerPlan &plan = *link.plan;
    device::Layer *layer = program.add_layers();
    layer->set_name(plan.name);
    layer->set_op_type(plan.op_type);
    for (size_t a = 0; a < plan.space.size(); ++a) {
      layer->add_space(plan.space[a]);
      layer->add_out_tile(tile[a]);
      layer->add_grid(grid[a]);
    }
    if (&link == &links.front())
      for (int64_t v : chunk) layer->add_red_chunk(v);
    layer->set_flops(plan.flops);
    link.em = std::make_unique<LayerEmitter>(plan, hw, buffers, program, program.layers_size() - 1, tag, placement);
  }
  if (lmLimit >= 0 && lm > lmLimit)
    return makeError(ErrorCode::LmOverflow,
                     "layer '{0}': needs {1} bytes of scratch LM per PE, values kept in LM begin at {2}",
                     head.name, lm, lmLimit);
  if (lm > hw.lmBytes())
    return makeError(ErrorCode::LmOverflow,
                     "layer '{0}': tile [{1}] needs {2} bytes of LM per PE, a PE has {3}",
                     head.name, llvm::join(llvm::map_range(tile, [](int64_t v) { return std::to_string(v); }), "x"),
                     lm, hw.lmBytes());
  program.set_lm_bytes(std::max(program.lm_bytes(), lm));
  if (const ChainLink &last = chain.back(); last.lm_output.valid()) {
    int64_t steps = ceilDiv(tiles, std::min<int64_t>(tiles, hw.pes()));
    int64_t end = last.lm_output.at(steps - 1) + align64(rules::product(last.plan->output.kernel_shape) *
                                                         device::dtypeBytes(last.plan->dtype));
    if (end > hw.lmBytes())
      return makeError(ErrorCode::LmOverflow, "layer '{0}': output kept in LM up to byte {1}, a PE has {2}",
                       last.plan->name, end, hw.lmBytes());
    program.set_lm_bytes(std::max(program.lm_bytes(), end));
  }

  int64_t redTotal = 1;
  for (int64_t n : redCount) redTotal *= n;
  const int64_t pes = std::min<int64_t>(tiles, hw.pes());
  const int64_t steps = ceilDiv(tiles, pes);
  auto activeAt = [&](int64_t s) { return std::min(pes, tiles - s * pes); };
  auto coordsOf = [&](int64_t rc) {
    Dims coords(redCount.size());
    for (int r = static_cast<int>(coords.size()) - 1, rest = rc; r >= 0; --r)
      coords[r] = rest % redCount[r], rest /= redCount[r];
    return coords;
  };
  // Head inputs reloaded per reduction chunk alternate per chunk (unit u = s * redTotal + rc);
  // everything loaded once per step alternates per step.
  auto chunkwise = [&](const Link &link, size_t i) {
    return &link == &links.front() && redTotal > 1 && link.plan->inputs[i].follows_reduction();
  };
  auto addrOf = [&](const Link &link, size_t i, int64_t s, int64_t u) -> int64_t {
    if (static_cast<int>(i) != link.fromPrev && !link.loads(i)) return link.spec->lm_inputs[i].at(s);
    return link.inAddr[i][(chunkwise(link, i) ? u : s) % 2];
  };
  auto outOf = [&](const Link &link, int64_t s) -> int64_t {
    if (&link == &links.back() && link.spec->lm_output.valid() && !link.plan->kernel_op.empty())
      return link.spec->lm_output.at(s);
    if (link.plan->kernel_op.empty()) return addrOf(link, link.plan->stored_input, s, s * redTotal);
    return link.outAddr[s % 2];
  };
  // Loads of head unit (s, rc): the chunk's windows (all inputs at rc 0). With `stepWide`, also
  // the step's loads of the other links and every epilogue operand (double buffering issues
  // them early, behind the step's last chunk: they are needed only after it).
  // Tags of the step-wide loads, per step parity and link (double buffered).
  std::array<std::vector<std::vector<int>>, 2> linkLoads, epiLoads;
  for (int p = 0; p < 2; ++p) linkLoads[p].resize(links.size()), epiLoads[p].resize(links.size());
  auto loadLink = [&](size_t k, int64_t s, int64_t rc) {
    Link &link = links[k];
    const LayerPlan &plan = *link.plan;
    const int64_t u = s * redTotal + rc;
    std::vector<int> tags;
    for (size_t i = 0; i < plan.inputs.size(); ++i)
      if (link.loads(i) && (rc == 0 || plan.inputs[i].follows_reduction()))
        tags.push_back(link.em->transfer(device::Instr::LOAD, plan.inputs[i], addrOf(link, i, s, u), s * pes,
                                         activeAt(s), k == 0 ? coordsOf(rc) : Dims{},
                                         plan.inputs[i].indirect_input >= 0
                                             ? addrOf(link, plan.inputs[i].indirect_input, s, u) : -1));
    return tags;
  };
  auto loadEpilogue = [&](size_t k, size_t e, int64_t s) {
    Link &link = links[k];
    return link.em->transfer(device::Instr::LOAD, link.plan->epilogue[e].operand, link.epiAddr[e][s % 2],
                             s * pes, activeAt(s), {});
  };
  auto loadUnit = [&](int64_t s, int64_t rc, bool stepWide) {
    std::vector<int> tags = loadLink(0, s, rc);
    if (stepWide && rc + 1 == redTotal)
      for (size_t k = 0; k < links.size(); ++k) {
        if (k > 0) linkLoads[s % 2][k] = loadLink(k, s, 0);
        epiLoads[s % 2][k].clear();
        for (size_t e = 0; e < links[k].plan->epilogue.size(); ++e)
          epiLoads[s % 2][k].push_back(loadEpilogue(k, e, s));
      }
    return tags;
  };

  // Placement: row-major, or the grid order that shares the most bytes under one node when the
  // cycle model says it moves the first step faster.
  if (flags.l1b_align > 0) {
    placement.setAligned(flags.l1b_align, flags.l1b_runs);
    if (!placement.fitsAligned(std::min<int64_t>(tiles, hw.pes())))
      return makeError(ErrorCode::Internal, "layer '{0}': {1} tiles in L1B-aligned runs of {2} do not fit the PEs",
                       head.name, tiles, flags.l1b_align);
  } else if (flags.place_tiles) {
    std::vector<const OperandMap *> ops;
    for (const Link &link : links) {
      for (size_t i = 0; i < link.plan->inputs.size(); ++i)
        if (link.loads(i)) ops.push_back(&link.plan->inputs[i]);
      for (const Epilogue &e : link.plan->epilogue) ops.push_back(&e.operand);
    }
    std::vector<int64_t> bytes;
    for (const OperandMap *op : ops)
      bytes.push_back(op->elements() * device::dtypeBytes(program.buffers(buffers.bufferFor(op->value, op->view)).dtype()));
    auto firstStepCycles = [&]() {
      int64_t cycles = 0;
      for (const OperandMap *op : ops)
        cycles += device::transferCycles(hw, links.front().em->hops(device::Instr::LOAD, *op, 0, activeAt(0)));
      return cycles * std::max<int64_t>(1, redTotal);
    };
    // Candidates: row-major, the sharing order, and each cut axis moved innermost.
    std::vector<std::vector<int>> orders = {{}, placement.sharingOrder(ops, bytes)};
    for (size_t a = 0; a < grid.size(); ++a) {
      if (grid[a] <= 1) continue;
      std::vector<int> o;
      for (size_t b = 0; b < grid.size(); ++b)
        if (b != a) o.push_back(static_cast<int>(b));
      o.push_back(static_cast<int>(a));
      orders.push_back(o);
    }
    int64_t best = -1;
    std::vector<int> bestOrder;
    std::set<std::vector<int>> tried;  // axes of one tile do not change the placement
    for (const auto &o : orders) {
      std::vector<int> cut;
      for (int a : o)
        if (grid[a] > 1) cut.push_back(a);
      if (!o.empty() && !tried.insert(cut).second) continue;
      placement.setOrder(o, true);
      const int64_t cycles = firstStepCycles();
      if (best < 0 || cycles < best) best = cycles, bestOrder = o;
    }
    // Then the best order with its outermost cut axis in blocks moved innermost: a Group keeps
    // the same tiles, an L1B gets a few of each of two axes instead of many of one.
    int blockAxis = -1;
    int64_t bestBlock = 1;
    std::vector<int> axes = bestOrder;
    if (axes.empty())
      for (size_t a = 0; a < grid.size(); ++a) axes.push_back(static_cast<int>(a));
    std::vector<int> cutAxes;
    for (int a : axes)
      if (grid[a] > 1) cutAxes.push_back(a);
    if (cutAxes.size() >= 2)
      for (int64_t block : {2, 4, 8, 16}) {
        if (block >= grid[cutAxes.front()]) break;
        placement.setOrder(bestOrder, true, cutAxes.front(), block);
        const int64_t cycles = firstStepCycles();
        if (cycles < best) best = cycles, blockAxis = cutAxes.front(), bestBlock = block;
      }
    placement.setOrder(bestOrder, true, blockAxis, bestBlock);
  }
  for (size_t k = 0; k < links.size(); ++k)
    program.mutable_layers(program.layers_size() - static_cast<int>(links.size()) + static_cast<int>(k))
        ->set_placement(placement.describe() + (dbl ? ", double-buffered LM" : ""));

  int lastCompute = -1;                // the PEs run in order: waiting for it waits for all
  std::vector<int> stores(2, -1);      // the last store of each output copy
  std::vector<int> pending = loadUnit(0, 0, dbl);
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t first = s * pes, active = activeAt(s);
    std::vector<int> computeTags;
    for (size_t k = 0; k < links.size(); ++k) {
      Link &link = links[k];
      const LayerPlan &plan = *link.plan;
      LayerEmitter &em = *link.em;
      const bool isHead = k == 0;
      const bool movement = plan.kernel_op.empty();
      const int64_t chunks = isHead ? redTotal : 1;
      for (int64_t rc = 0; rc < chunks; ++rc) {
        const int64_t u = s * redTotal + rc;
        Dims coords = isHead ? coordsOf(rc) : Dims{};
        std::vector<int> loads;
        if (isHead) {
          if (!dbl && !(s == 0 && rc == 0)) {
            // One copy: the chunk's windows overwrite what the previous compute read.
            if (rc > 0) em.wait({lastCompute});
            pending = loadUnit(s, rc, false);
          }
          loads = pending;
          if (dbl && rc == 0) loads.push_back(stores[s % 2]);  // its output copy has left LM
        } else {
          loads = dbl ? linkLoads[s % 2][k] : loadLink(k, s, 0);
        }
        if (link.fromPrev >= 0) loads.insert(loads.end(), computeTags.begin(), computeTags.end());
        em.wait(loads);
        const int guard = lastCompute;  // the last compute that read the other copies
        if (!movement) {
          std::vector<int64_t> addrs;
          for (size_t i = 0; i < plan.inputs.size(); ++i) addrs.push_back(addrOf(link, i, s, u));
          addrs.push_back(outOf(link, s));
          std::vector<Dims> shapes;
          for (const OperandMap &in : plan.inputs) shapes.push_back(in.kernel_shape);
          shapes.push_back(plan.output.kernel_shape);
          auto t = em.compute(plan.kernel_op, addrs, shapes, plan.kernel_ints, plan.kernel_floats,
                              rc > 0, rc + 1 == chunks, first, active, coords);
          if (!t) return t.takeError();
          computeTags = {*t};
          lastCompute = *t;
        }
        // Double buffered: the next unit's loads go to the other copies once the compute that
        // last read them is done, and run while this one computes.
        if (dbl && isHead && (rc + 1 < chunks || s + 1 < steps)) {
          em.wait({guard});
          const bool nextStep = rc + 1 == chunks;
          pending = loadUnit(nextStep ? s + 1 : s, nextStep ? 0 : rc + 1, true);
        }
        if (movement) break;
      }
      for (size_t e = 0; e < plan.epilogue.size(); ++e) {
        const Epilogue &epi = plan.epilogue[e];
        // (double buffered, the loads of step s+1 were issued above: these are step s's)
        em.wait({dbl ? epiLoads[s % 2][k][e] : loadEpilogue(k, e, s)});
        const int64_t epiAddr = link.epiAddr[e][s % 2];
        if (epi.operand_scale != 1.0) {
          auto t = em.compute("unary:Scale", {epiAddr, epiAddr},
                              {epi.operand.kernel_shape, epi.operand.kernel_shape}, {},
                              {epi.operand_scale, 0.0}, false, true, first, active, {});
          if (!t) return t.takeError();
          lastCompute = *t;
        }
        const int64_t out = outOf(link, s);
        auto t = em.compute(epi.kernel_op, {out, epiAddr, out},
                            {plan.output.kernel_shape, epi.operand.kernel_shape, plan.output.kernel_shape},
                            {}, {}, false, true, first, active, {});
        if (!t) return t.takeError();
        computeTags = {*t};
        lastCompute = *t;
      }
    }
    // Only the last link's output leaves LM.
    Link &last = links.back();
    if (!last.spec->store) continue;  // kept in LM only: every reader finds it there
    last.em->wait(computeTags);
    stores[s % 2] = last.em->transfer(device::Instr::STORE, last.plan->output, outOf(last, s), first, active, {});
  }
  return tag;
}

}  // namespace pfcomp::lowering

#include "compiler/ir/op_support.h"
#include "compiler/lowering/plan_node.h"

namespace pfcomp::lowering {

llvm::Expected<int> emitNode(const ir::Node &node, const GraphView &graph,
                             const device::Hardware &hw, BufferTable &buffers,
                             device::Program &program, int tag, int64_t lmLimit) {
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
    auto next = emitLayer(layer, t, c, hw, buffers, program, tag, emitFlags(node.tiling()), lmLimit);
    if (!next) return next.takeError();
    tag = *next;
  }
  return tag;
}

}  // namespace pfcomp::lowering
