// emit: lowers the scheduled MNGraph to the tile-level device program (program.gpfnapp) and
// writes the predicted profile.json / trace.json and perf_stats.json next to it.
#include <glog/logging.h>

#include "compiler/emit/perf_stats.h"
#include "compiler/emit/program_builder.h"
#include "compiler/ir/graph_io.h"
#include "compiler/options/stage_main.h"
#include "llvm/Support/Path.h"
#include "runtime/device/profile.h"
#include "runtime/device/program_io.h"
#include "support/atomic_file.h"
#include "support/error.h"

using namespace pfcomp;

static llvm::Error run(const options::StageInvocation &inv) {
  auto graph = ir::readGraph(inv.input);
  if (!graph) return graph.takeError();
  auto hw = device::resolveHardware(inv.options.hardware);
  if (!hw) return hw.takeError();
  auto program = emit::buildProgram(*graph, *hw);
  if (!program) return program.takeError();
  device::Timeline timeline = device::computeTimeline(*program);
  LOG(INFO) << "program: " << program->instrs_size() << " instructions, " << program->layers_size()
            << " layers, DRAM " << program->dram_bytes() << " bytes, LM " << program->lm_bytes()
            << " bytes per PE, predicted " << timeline.total_cycles << " cycles";
  auto sibling = [&](const char *name) { return options::besideOutput(inv.output, name); };
  if (auto err = writeFileAtomically(sibling("profile.json"),
                                     device::profileJson(*program, timeline, *hw).dump(1)))
    return err;
  if (auto err = writeFileAtomically(sibling("trace.json"),
                                     device::traceJson(*program, timeline, *hw).dump()))
    return err;
  if (auto err = writeFileAtomically(sibling("perf_stats.json"),
                                     emit::perfStats(*graph, *program, timeline, *hw).dump(1)))
    return err;
  return device::writeProgram(*program, inv.output);
}

int main(int argc, char **argv) {
  return options::runStageMain(
      "emit", "emit",
      "emit MNGRAPH -o PROGRAM: lower the scheduled graph to the device program; also writes "
      "profile.json, trace.json and perf_stats.json next to PROGRAM.",
      argc, argv, run);
}
