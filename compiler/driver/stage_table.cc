#include "compiler/driver/stage_table.h"

#include "support/error.h"

namespace pfcomp::driver {

const std::vector<Stage> &stageTable() {
  static const std::vector<Stage> table = {
      {"onnx-import", "import", "import", "model.onnx", "mngraph.import.pb", {}},
      {"layout-plan", "layout", "layout", "mngraph.import.pb", "mngraph.layout.pb",
       {"layout.html", "layout_plan_history.html"}},
      {"simulate", "sim", "sim", "mngraph.layout.pb", "mngraph.simulate.pb", {}},
      {"schedule", "sched", "sched", "mngraph.simulate.pb", "mngraph.schedule.pb",
       {"l3ir.txt", "time_slice.txt", "time_slice.html"}},
      {"emit", "emit", "emit", "mngraph.schedule.pb", "program.gpfnapp",
       {"profile.json", "trace.json", "perf_stats.json"}},
  };
  return table;
}

llvm::Expected<size_t> findStage(llvm::StringRef name, llvm::StringRef option) {
  const auto &table = stageTable();
  std::string choices;
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i].name == name || table[i].alias == name) return i;
    choices += (i ? "|" : "") + table[i].name;
    if (table[i].alias != table[i].name) choices += "|" + table[i].alias;
  }
  return makeError(ErrorCode::BadOptionValue, "bad value '{0}' for --{1}; allowed: {2}", name,
                   option, choices);
}

int stageProducing(llvm::StringRef file) {
  const auto &table = stageTable();
  for (size_t i = 0; i < table.size(); ++i)
    if (table[i].outputFile == file) return static_cast<int>(i);
  return -1;
}

}  // namespace pfcomp::driver
