#include "compiler/sched/scheduler.h"

#include "support/error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <queue>
#include <set>

namespace pfcomp::sched {

llvm::Expected<ir::Schedule> scheduleAlwaysFromDram(const ir::Graph &g) {
  std::map<std::string, int> producer;
  for (int i = 0; i < g.nodes_size(); ++i)
    for (const auto &o : g.nodes(i).outputs()) producer[o] = i;
  std::vector<int> pending(g.nodes_size(), 0);
  std::vector<std::vector<int>> users(g.nodes_size());
  for (int i = 0; i < g.nodes_size(); ++i) {
    std::set<int> deps;
    for (const auto &in : g.nodes(i).inputs())
      if (auto it = producer.find(in); it != producer.end()) deps.insert(it->second);
    pending[i] = deps.size();
    for (int d : deps) users[d].push_back(i);
  }
  // Kahn's algorithm, smallest graph index first: deterministic and close to the ONNX order.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < g.nodes_size(); ++i)
    if (!pending[i]) ready.push(i);
  ir::Schedule s;
  s.set_scheduler("always_from_dram");
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    s.add_order(g.nodes(i).name());
    for (int u : users[i])
      if (--pending[u] == 0) ready.push(u);
  }
  if (s.order_size() != g.nodes_size())
    return makeError(ErrorCode::StageFileCorrupt, "the graph has a cycle: {0} of {1} nodes ordered",
                     s.order_size(), g.nodes_size());
  return s;
}

static std::string dims(const google::protobuf::RepeatedField<int64_t> &d) {
  return llvm::join(llvm::map_range(d, [](int64_t v) { return std::to_string(v); }), "x");
}

std::string timeSliceText(const ir::Graph &g) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "# time slices of " << g.name() << " (scheduler " << g.schedule().scheduler() << ")\n"
     << "# node\top\ttile\tPEs\ttime steps\treduction steps\n";
  std::map<std::string, const ir::Node *> byName;
  for (const auto &n : g.nodes()) byName[n.name()] = &n;
  int sliced = 0;
  for (const auto &name : g.schedule().order()) {
    const ir::Node &n = *byName[name];
    if (n.tiling().steps() <= 1 && n.tiling().red_steps() <= 1) continue;
    ++sliced;
    os << n.name() << "\t" << n.op_type() << "\t" << dims(n.tiling().out_tile()) << "\t"
       << n.tiling().pes() << "\t" << n.tiling().steps() << "\t" << n.tiling().red_steps() << "\n";
  }
  os << "# " << sliced << " of " << g.nodes_size() << " nodes are sliced over time\n";
  return os.str();
}

std::string timeSliceHtml(const ir::Graph &g) {
  std::string text = timeSliceText(g), escaped;
  for (char c : text) escaped += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>time slices</title></head>"
         "<body><h1>Time slices</h1><p>Nodes cut over time steps (more tiles than PEs) or over "
         "reduction chunks, in schedule order.</p><pre>" + escaped + "</pre></body></html>\n";
}

}  // namespace pfcomp::sched
