#include "compiler/ir/text_dump.h"

#include "compiler/ir/dtype.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace pfcomp::ir {
namespace {

template <typename Range>
std::string joined(const Range &items, const char *sep = "x") {
  std::string out;
  llvm::raw_string_ostream os(out);
  bool first = true;
  for (const auto &item : items) {
    if (!first) os << sep;
    os << item;
    first = false;
  }
  return os.str();
}

std::string typeText(const Value &v) {
  return dtypeName(v.dtype()) + "[" + joined(v.shape()) + "]";
}

std::string attrText(const Attribute &a) {
  switch (a.type()) {
    case Attribute::INT: return a.name() + "=" + std::to_string(a.i());
    case Attribute::FLOAT: return llvm::formatv("{0}={1}", a.name(), a.f()).str();
    case Attribute::STRING: return a.name() + "=\"" + a.s() + "\"";
    case Attribute::INTS: return a.name() + "=[" + joined(a.ints(), ",") + "]";
    case Attribute::FLOATS: {
      std::vector<std::string> parts;
      for (double f : a.floats()) parts.push_back(llvm::formatv("{0}", f).str());
      return a.name() + "=[" + joined(parts, ",") + "]";
    }
    default: return a.name() + "=?";
  }
}

}  // namespace

std::string dumpGraph(const Graph &g) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "mngraph " << g.name() << " version " << g.ir_version() << "\n";
  std::vector<std::pair<std::string, std::string>> meta(g.meta().begin(), g.meta().end());
  std::sort(meta.begin(), meta.end());
  for (const auto &[k, v] : meta) os << "meta " << k << " = " << v << "\n";
  if (g.stages_size()) os << "stages " << joined(g.stages(), ",") << "\n";
  for (const Value &v : g.values()) {
    const char *kind = v.kind() == Value::INPUT ? "input" : v.kind() == Value::PARAM ? "param" : "value";
    os << kind << " %" << v.name() << " : " << typeText(v);
    if (v.has_layout() && !v.layout().text().empty()) os << " layout " << v.layout().text();
    os << "\n";
  }
  for (const Node &n : g.nodes()) {
    os << "node " << n.name() << " = " << n.op_type() << "(";
    std::vector<std::string> ins;
    for (const auto &i : n.inputs()) ins.push_back(i.empty() ? "_" : "%" + i);
    os << joined(ins, ", ") << ") -> (";
    std::vector<std::string> outs;
    for (const auto &o : n.outputs()) outs.push_back("%" + o);
    os << joined(outs, ", ") << ")";
    if (n.attrs_size()) {
      std::vector<std::string> attrs;
      for (const auto &a : n.attrs()) attrs.push_back(attrText(a));
      os << " {" << joined(attrs, ", ") << "}";
    }
    if (n.has_tiling())
      os << " tile [" << joined(n.tiling().out_tile()) << "] red [" << joined(n.tiling().red_chunk())
         << "] pes " << n.tiling().pes() << " steps " << n.tiling().steps() << "x"
         << n.tiling().red_steps();
    if (n.has_cost()) os << " cycles " << n.cost().cycles();
    os << "\n";
  }
  os << "inputs " << joined(g.inputs(), ", ") << "\n";
  os << "outputs " << joined(g.outputs(), ", ") << "\n";
  if (g.has_schedule())
    os << "schedule " << g.schedule().scheduler() << ": " << joined(g.schedule().order(), ", ") << "\n";
  if (g.has_schedule() && g.schedule().prefetch()) os << "prefetch across units\n";
  for (const auto &group : g.schedule().groups()) os << "chain " << joined(group.nodes(), ", ") << "\n";
  for (const auto &r : g.schedule().residents())
    os << "lm %" << r.value() << " @" << r.lm_addr() << " step " << r.step_bytes()
       << (r.store() ? " stored" : " lm-only") << " readers " << joined(r.readers(), ", ") << "\n";
  for (const auto &m : g.schedule().l1_merges())
    os << "l1merge %" << m.value() << " from " << m.producer() << " to " << joined(m.readers(), ", ")
       << " gain " << m.gain_cycles() << "\n";
  return os.str();
}

}  // namespace pfcomp::ir
