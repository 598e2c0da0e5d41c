#include "compiler/lowering/chain.h"

#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/plan_node.h"
#include "runtime/device/kernels/kernel.h"
#include "support/error.h"

namespace pfcomp::lowering {
namespace {

Tile headTile(const ir::Node &head) {
  return {Dims(head.tiling().out_tile().begin(), head.tiling().out_tile().end()),
          Dims(head.tiling().red_chunk().begin(), head.tiling().red_chunk().end())};
}

bool isElementwise(const LayerPlan &p) {
  llvm::StringRef op = p.kernel_op;
  return op.startswith("unary:") || op.startswith("binary:") || op == "where" || op == "clamp";
}

}  // namespace

llvm::Expected<std::vector<LayerPlan>> planChain(const std::vector<const ir::Node *> &nodes,
                                                 const GraphView &graph) {
  Tile tile = headTile(*nodes.front());
  std::vector<LayerPlan> plans;
  for (const ir::Node *n : nodes) {
    Tile t = n == nodes.front() ? tile : Tile{tile.out, {}};
    auto layers = planNode(*n, graph, t);
    if (!layers) return layers.takeError();
    if (layers->size() != 1)
      return makeError(ErrorCode::Internal, "node '{0}' cannot be chained: {1} layers", n->name(), layers->size());
    plans.push_back(std::move(layers->front()));
  }
  return plans;
}

int chainInput(const ir::Node &prev, const ir::Node &next, const GraphView &graph) {
  if (prev.outputs_size() != 1 || next.outputs_size() != 1 || prev.tiling().out_tile_size() == 0) return -1;
  const std::string &v = prev.outputs(0);
  for (const std::string &out : graph.graph().outputs())
    if (out == v) return -1;
  int uses = 0, input = -1;
  for (const ir::Node &n : graph.graph().nodes())
    for (int i = 0; i < n.inputs_size(); ++i)
      if (n.inputs(i) == v) {
        ++uses;
        if (&n == &next || n.name() == next.name()) input = i;
      }
  if (uses != 1 || input < 0) return -1;
  auto plans = planChain({&prev, &next}, graph);
  if (!plans) {
    llvm::consumeError(plans.takeError());
    return -1;
  }
  const LayerPlan &a = (*plans)[0], &b = (*plans)[1];
  if (!isElementwise(b) || !b.red_extent.empty() || a.space != b.space || a.dtype != b.dtype) return -1;
  // The chained input must be exactly the output tile: same view, every axis following its own.
  const OperandMap &in = b.inputs[input];
  if (in.view != a.space || !in.lm_perm.empty() || in.axes.size() != a.space.size()) return -1;
  for (size_t ax = 0; ax < in.axes.size(); ++ax) {
    const auto &m = in.axes[ax];
    if (m.follows() != static_cast<int>(ax) || m.scale() != 1 || m.offset() != 0 || m.step() != 1 ||
        m.red_follows() >= 0 || m.ratio_den() > 0)
      return -1;
  }
  return input;
}

llvm::Expected<int64_t> chainFootprint(const std::vector<const ir::Node *> &nodes, const GraphView &graph) {
  auto plans = planChain(nodes, graph);
  if (!plans) return plans.takeError();
  int64_t bytes = 0;
  for (size_t i = 0; i < plans->size(); ++i) {
    const LayerPlan &p = (*plans)[i];
    int64_t esize = device::dtypeBytes(p.dtype);
    bytes += lmFootprint(p, esize);
    if (i == 0) continue;
    for (const OperandMap &in : p.inputs)  // the chained input is the previous output, in LM
      if (in.value == nodes[i - 1]->outputs(0)) {
        bytes -= (in.elements() * esize + 63) / 64 * 64;
        break;
      }
  }
  return bytes;
}

llvm::Expected<int> emitNodeChain(const std::vector<const ir::Node *> &nodes, const GraphView &graph,
                                  const device::Hardware &hw, BufferTable &buffers,
                                  device::Program &program, int firstTag,
                                  const LmResidency *residency) {
  auto plans = planChain(nodes, graph);
  if (!plans) return plans.takeError();
  std::vector<ChainLink> links;
  for (size_t i = 0; i < nodes.size(); ++i) {
    int input = i == 0 ? -1 : chainInput(*nodes[i - 1], *nodes[i], graph);
    if (i > 0 && input < 0)
      return makeError(ErrorCode::StageFileCorrupt, "node '{0}' cannot run on the LM output of '{1}'",
                       nodes[i]->name(), nodes[i - 1]->name());
    links.push_back({&(*plans)[i], input});
  }
  int64_t lmLimit = residency ? residency->decorate(nodes, links) : -1;
  const LayerPlan &head = plans->front();
  Tile tile = headTile(*nodes.front());
  Dims t(head.space.size()), c(head.red_extent.size());
  for (size_t a = 0; a < t.size(); ++a) t[a] = std::min(tile.out[a], head.space[a]);
  for (size_t r = 0; r < c.size(); ++r) c[r] = std::min(tile.chunk[r], head.red_extent[r]);
  return emitChain(links, t, c, hw, buffers, program, firstTag, lmLimit, emitFlags(nodes.front()->tiling()));
}

}  // namespace pfcomp::lowering
