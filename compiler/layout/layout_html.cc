#include "compiler/layout/layout_html.h"

#include "compiler/ir/dtype.h"
#include "compiler/layout/bidi_planner.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace pfcomp::layout {
namespace {

const char kStyle[] =
    "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left;font-size:13px}"
    "th{background:#eee}code{font-size:12px}</style>";

std::string dims(const google::protobuf::RepeatedField<int64_t> &d) {
  return llvm::join(llvm::map_range(d, [](int64_t v) { return std::to_string(v); }), "x");
}

}  // namespace

std::string htmlEscape(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string layoutHtml(const ir::Graph &g) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>layout: " << htmlEscape(g.name())
     << "</title>" << kStyle << "</head><body><h1>Layouts of " << htmlEscape(g.name()) << "</h1>"
     << "<p>Planner: " << htmlEscape(g.meta().count("layout_planner") ? g.meta().at("layout_planner") : "")
     << ". Each axis is written <code>grid_LEVEL:tile</code>: the tile one PE holds and the tree "
        "levels (PE, MAB, L1B, L2B, Group) or time steps (T) its tiles spread over.</p>"
     << "<h2>Values</h2><table><tr><th>value</th><th>kind</th><th>dtype</th><th>shape</th>"
        "<th>location</th><th>layout</th><th>PEs</th><th>steps</th></tr>";
  for (const ir::Value &v : g.values()) {
    const char *kind = v.kind() == ir::Value::INPUT ? "input" : v.kind() == ir::Value::PARAM ? "param" : "activation";
    os << "<tr><td>" << htmlEscape(v.name()) << "</td><td>" << kind << "</td><td>"
       << ir::dtypeName(v.dtype()) << "</td><td>" << dims(v.shape()) << "</td><td>DRAM</td><td><code>"
       << htmlEscape(v.layout().text().empty() ? "(row-major, streamed per consumer tile)" : v.layout().text())
       << "</code></td><td>" << v.layout().pes() << "</td><td>" << v.layout().steps() << "</td></tr>";
  }
  os << "</table><h2>Nodes</h2><table><tr><th>node</th><th>op</th><th>output tile</th>"
        "<th>reduction chunk</th><th>PEs</th><th>steps</th><th>reduction steps</th></tr>";
  for (const ir::Node &n : g.nodes())
    os << "<tr><td>" << htmlEscape(n.name()) << "</td><td>" << htmlEscape(n.op_type()) << "</td><td>"
       << dims(n.tiling().out_tile()) << "</td><td>" << dims(n.tiling().red_chunk()) << "</td><td>"
       << n.tiling().pes() << "</td><td>" << n.tiling().steps() << "</td><td>"
       << n.tiling().red_steps() << "</td></tr>";
  os << "</table></body></html>\n";
  return os.str();
}

std::string historyHtml(const ir::Graph &g,
                        const std::vector<std::pair<std::string, std::vector<std::string>>> &history) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>layout plan history: "
     << htmlEscape(g.name()) << "</title>" << kStyle << "</head><body><h1>Layout plan history of "
     << htmlEscape(g.name()) << "</h1><table><tr><th>#</th><th>node</th><th>decision</th></tr>";
  int step = 0;
  for (const auto &[node, decisions] : history)
    for (const std::string &d : decisions)
      os << "<tr><td>" << ++step << "</td><td>" << htmlEscape(node) << "</td><td>" << htmlEscape(d)
         << "</td></tr>";
  os << "</table></body></html>\n";
  return os.str();
}

std::string bidiHistoryHtml(const ir::Graph &g, const BidiPlan &plan) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>layout plan history: "
     << htmlEscape(g.name()) << "</title>" << kStyle << "</head><body><h1>Layout plan history of "
     << htmlEscape(g.name()) << " (bidi)</h1><p>Seeds: each node's own tilings, costed by its tile "
     << "program through the cycle model. Then forward passes (a node may take its producer's "
     << "tiling) and backward passes (a node may take its consumer's tiling), each node choosing the "
     << "least own cycles minus the DRAM round trips it saves by running on a neighbour's tiles.</p>"
     << "<p>" << plan.sweeps << " sweeps; sum of own cycles " << plan.seed_cycles << " after the seeds, "
     << plan.final_cycles << " at the end; " << plan.chained_edges
     << " producer/consumer pairs on the same tiles, saving " << plan.saved_cycles << " cycles.</p>"
     << "<table><tr><th>#</th><th>sweep</th><th>pass</th><th>node</th><th>candidates (cycles)</th>"
        "<th>chosen</th><th>changed</th></tr>";
  int step = 0;
  for (const BidiDecision &d : plan.history) {
    os << "<tr><td>" << ++step << "</td><td>" << d.sweep << "</td><td>" << d.pass << "</td><td>"
       << htmlEscape(d.node) << "</td><td>";
    for (const std::string &c : d.candidates) os << htmlEscape(c) << "<br>";
    os << "</td><td><code>" << htmlEscape(d.chosen) << "</code></td><td>" << (d.changed ? "yes" : "")
       << "</td></tr>\n";  // one decision per line, for diff and grep
  }
  os << "</table></body></html>\n";
  return os.str();
}

}  // namespace pfcomp::layout
