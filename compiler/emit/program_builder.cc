#include "compiler/emit/program_builder.h"

#include "compiler/lowering/buffer_table.h"
#include "compiler/lowering/chain.h"
#include "compiler/lowering/host_call.h"
#include "compiler/lowering/instr_gen.h"
#include "compiler/lowering/prefetch.h"
#include "compiler/lowering/unit_emit.h"
#include "runtime/device/cost_model.h"
#include "support/error.h"
#include "support/version.h"

#include <map>
#include <set>

namespace pfcomp::emit {

llvm::Expected<device::Program> buildProgram(const ir::Graph &graph, const device::Hardware &hw) {
  if (!graph.has_schedule() || graph.schedule().order_size() != graph.nodes_size())
    return makeError(ErrorCode::StageFileCorrupt, "the graph has no complete schedule: run schedule first");
  std::map<std::string, const ir::Node *> byName;
  for (const ir::Node &n : graph.nodes()) byName[n.name()] = &n;
  device::Program program;
  program.set_tool_version(kToolVersion);
  program.set_hardware(hw.name);
  lowering::GraphView view(graph);
  lowering::BufferTable buffers(view, program);
  std::set<std::string> l1bm;  // L1Merge: values that stay in the L1B memories
  for (const auto &m : graph.schedule().l1_merges()) l1bm.insert(m.value());
  buffers.setL1bmValues(std::move(l1bm));
  // Chained nodes (reuse_consecutive) are emitted together when their head comes up.
  std::map<std::string, const ir::Schedule::Group *> groupOf;
  for (const auto &g : graph.schedule().groups())
    for (const std::string &n : g.nodes()) groupOf[n] = &g;
  lowering::LmResidency residency(graph);  // values kept in LM between layers (spill_opt)
  std::vector<lowering::EmittedUnit> units;  // for the cross-unit prefetch
  int tag = 0;
  for (const std::string &name : graph.schedule().order()) {
    auto it = byName.find(name);
    if (it == byName.end())
      return makeError(ErrorCode::StageFileCorrupt, "the schedule names unknown node '{0}'", name);
    std::vector<const ir::Node *> nodes{it->second};
    if (auto g = groupOf.find(name); g != groupOf.end() && !it->second->on_host()) {
      if (g->second->nodes(0) != name) continue;  // emitted with its head
      nodes.clear();
      for (const std::string &n : g->second->nodes()) {
        if (!byName.count(n))
          return makeError(ErrorCode::StageFileCorrupt, "the schedule names unknown node '{0}'", n);
        nodes.push_back(byName[n]);
      }
    }
    units.push_back({program.layers_size(), it->second->on_host() ? -1 : residency.scratchLimit(nodes)});
    llvm::Expected<int> next = lowering::emitUnit(nodes, view, hw, buffers, program, tag, residency);
    if (!next) return next.takeError();
    tag = *next;
  }
  if (auto err = buffers.bindGraphIo()) return std::move(err);
  buffers.placeImages();
  // The L1BM image rides behind DRAM in the emulator (runtime/device/l1bm_store.h).
  if (program.dram_bytes() + program.l1bm_image_bytes() > hw.dramBytes())
    return makeError(ErrorCode::DramOutOfRange, "the program needs {0} bytes of DRAM, the device has {1}",
                     program.dram_bytes() + program.l1bm_image_bytes(), hw.dramBytes());
  if (graph.schedule().prefetch()) {
    auto stats = lowering::prefetchAcrossUnits(program, units, hw.lmBytes());
    if (!stats) return stats.takeError();
  }
  program.set_predicted_cycles(device::computeTimeline(program).total_cycles);
  return program;
}

}  // namespace pfcomp::emit
