#include "compiler/lowering/tiling_space.h"

#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/node_cost.h"
#include "compiler/lowering/plan_node.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace pfcomp::lowering {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string dimsText(const Dims &d) {
  return llvm::join(llvm::map_range(d, [](int64_t v) { return std::to_string(v); }), "x");
}

// Largest value <= limit that divides n (n > 0).
int64_t divisorAtMost(int64_t n, int64_t limit) {
  for (int64_t v = std::max<int64_t>(1, limit); v > 1; --v)
    if (n % v == 0) return v;
  return 1;
}


// Cycles of `node` cut with `tile`, from its tile program.
llvm::Expected<int64_t> tileCycles(const ir::Node &node, const GraphView &graph,
                                          const device::Hardware &hw, const Tile &tile) {
  ir::Node probe = node;  // keeps the program-shape flags (place_tiles, double_buffer)
  probe.mutable_tiling()->clear_out_tile();
  probe.mutable_tiling()->clear_red_chunk();
  for (int64_t v : tile.out) probe.mutable_tiling()->add_out_tile(v);
  for (int64_t v : tile.chunk) probe.mutable_tiling()->add_red_chunk(v);
  auto cost = costNode(probe, graph, hw);
  if (!cost) return cost.takeError();
  return cost->timeline.total_cycles;
}

std::string layoutText(const Dims &space, const Dims &tile, const device::Hardware &hw) {
  // Tiles are numbered row-major and tile k goes to PE k mod P: the innermost axes fill the PEs
  // of a MAB first, then MABs, L1Bs, L2Bs and Groups; what is left over is time (T).
  struct Level { const char *name; int64_t count; };
  const Level levels[] = {{"PE", hw.pe_per_mab}, {"MAB", hw.mab_per_l1b}, {"L1B", hw.l1b_per_l2b},
                          {"L2B", hw.l2b_per_group}, {"Group", hw.groups}, {"T", INT64_MAX}};
  size_t level = 0;
  int64_t room = levels[0].count;
  std::vector<std::string> axes;
  for (int a = static_cast<int>(space.size()) - 1; a >= 0; --a) {
    int64_t grid = ceilDiv(space[a], tile[a]);
    std::vector<std::string> parts;
    while (grid > 1) {
      int64_t take = std::min(grid, room);
      parts.push_back(llvm::formatv("{0}_{1}", take, levels[level].name).str());
      grid = ceilDiv(grid, take);
      room = ceilDiv(room, take);
      if (room <= 1 && level + 1 < std::size(levels)) room = levels[++level].count;
    }
    parts.push_back(llvm::formatv("{0}:1", tile[a]).str());
    axes.insert(axes.begin(), "(" + llvm::join(parts, ", ") + ")");
  }
  return "(" + llvm::join(axes, ", ") + ")";
}


void setTiling(ir::Node &node, const Tile &tile, const TilingSpace &space, const device::Hardware &hw) {
  ir::Tiling *t = node.mutable_tiling();
  const EmitFlags flags = emitFlags(*t);
  t->Clear();
  t->set_place_tiles(flags.place_tiles);
  t->set_double_buffer(flags.double_buffer);
  for (int64_t v : tile.out) t->add_out_tile(v);
  for (int64_t v : tile.chunk) t->add_red_chunk(v);
  int64_t tiles = space.tiles(tile);
  t->set_pes(std::min<int64_t>(tiles, hw.pes()));
  t->set_steps(ceilDiv(tiles, t->pes()));
  int64_t red = 1;
  for (size_t r = 0; r < tile.chunk.size(); ++r) red *= ceilDiv(space.red()[r], tile.chunk[r]);
  t->set_red_steps(red);
}

}  // namespace pfcomp::lowering
