// checkSequencesResolved (static_sequences.h): what is left of sequences after resolution is
// refused, naming the graph inputs a fixed structure would come from.
#include "compiler/import/static_sequences.h"

#include "compiler/import/sequence_values.h"
#include "compiler/import/unroll.h"
#include "support/error.h"

#include <map>

namespace pfcomp::import {
namespace {

// Names read inside `g` and the subgraphs nested in it.
void subgraphReads(const onnx::GraphProto &g, std::vector<std::string> &reads) {
  for (const auto &n : g.node()) {
    reads.insert(reads.end(), n.input().begin(), n.input().end());
    for (const auto &a : n.attribute()) {
      if (a.has_g()) subgraphReads(a.g(), reads);
      for (const auto &sub : a.graphs()) subgraphReads(sub, reads);
    }
  }
}

// The operands that decide the structure of what `n` makes or reads: the sequences and
// optionals it reads, positions, split sizes, an If's condition, a Loop's trip count inputs.
std::vector<std::string> structureOperands(const onnx::NodeProto &n, const llvm::StringSet<> &seqs) {
  std::vector<std::string> ops, reads(n.input().begin(), n.input().end());
  for (const auto &a : n.attribute())  // a Loop body or If branch may read sequences by name
    if (a.has_g()) subgraphReads(a.g(), reads);
  for (const auto &i : reads)
    if (seqs.contains(i)) ops.push_back(i);
  const std::string &op = n.op_type();
  auto operand = [&](int k) {
    if (n.input_size() > k && !n.input(k).empty()) ops.push_back(n.input(k));
  };
  if (op == "SequenceInsert") operand(2);
  if (op == "SequenceErase" || op == "SequenceAt" || op == "SplitToSequence") operand(1);
  if (op == "If") operand(0);
  if (op == "Loop")
    for (const auto &c : loopControlInputs(n)) ops.push_back(c);
  return ops;
}

std::string listText(const std::vector<std::string> &items) {
  std::string s;
  for (const auto &i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

}  // namespace

llvm::Error checkSequencesResolved(const onnx::GraphProto &g, llvm::StringRef modelPath) {
  const llvm::StringSet<> seqs = sequenceValues(g);
  if (seqs.empty()) return llvm::Error::success();
  std::map<std::string, const onnx::NodeProto *> producer;
  for (const auto &n : g.node())
    for (const auto &o : n.output()) producer[o] = &n;
  std::vector<std::string> bad, work;
  for (const auto &n : g.node()) {
    // The canonical forms of known structure are left only while something else reads them.
    const std::string &op = n.op_type();
    if (op == "SequenceConstruct" || op == "SequenceEmpty" || op == "Optional") continue;
    bool involved = isSequenceOp(op);
    for (const auto &v : n.output()) involved |= seqs.contains(v);
    std::vector<std::string> reads(n.input().begin(), n.input().end());
    for (const auto &a : n.attribute())
      if (a.has_g()) subgraphReads(a.g(), reads);
    for (const auto &v : reads) involved |= seqs.contains(v);
    if (!involved) continue;
    bad.push_back("'" + (n.name().empty() ? n.output(0) : n.name()) + "' (" + op + ")");
    for (auto &v : structureOperands(n, seqs)) work.push_back(v);
  }
  for (const auto &vi : g.output())  // a sequence input passed straight through
    if (seqs.contains(vi.name()) && !producer.count(vi.name())) {
      bad.push_back("'" + vi.name() + "' (a graph input given as output)");
      work.push_back(vi.name());
    }
  if (bad.empty()) return llvm::Error::success();
  // Back to the graph inputs: through structure operands where a sequence is made, through
  // every operand of a tensor (a position computed from an input).
  llvm::StringSet<> seen, feeding;
  while (!work.empty()) {
    const std::string v = work.back();
    work.pop_back();
    if (v.empty() || !seen.insert(v).second) continue;
    feeding.insert(v);
    auto p = producer.find(v);
    if (p == producer.end()) continue;
    const bool makesSeq =
        llvm::any_of(p->second->output(), [&](const std::string &o) { return seqs.contains(o); });
    if (makesSeq) {
      for (auto &o : structureOperands(*p->second, seqs)) work.push_back(o);
    } else {
      for (const auto &i : p->second->input()) work.push_back(i);
    }
  }
  std::vector<std::string> inputs;
  for (const auto &vi : g.input())
    if (feeding.contains(vi.name())) inputs.push_back(vi.name());
  std::string msg = "node " + bad.front() + ": a sequence or optional whose structure (a sequence's "
                    "length and the value at each position, an optional's presence) is not known at "
                    "compile time; sequences run only resolved at import into tensors (constant "
                    "positions and split sizes, If conditions and Loop trip counts known)";
  if (bad.size() > 1) {
    bad.erase(bad.begin());
    msg += "; also: " + listText(bad);
  }
  msg += " in " + modelPath.str();
  // Kept last and in this form: tools/conformance reads the names after the final ": ".
  if (!inputs.empty())
    msg += "; to compile the model for fixed values of them, pass --constant_input=NAME=FILE.pb "
           "for the graph inputs they are computed from: " + listText(inputs);
  return makeError(ErrorCode::UnsupportedOp, msg);
}

}  // namespace pfcomp::import
