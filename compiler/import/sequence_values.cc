#include "compiler/import/sequence_values.h"

namespace pfcomp::import {
namespace {

bool isSequenceType(const onnx::TypeProto &t) { return t.has_sequence_type() || t.has_optional_type(); }

// Ops whose outputs are sequences or optionals.
bool makesSequence(const std::string &op) {
  return op == "SequenceConstruct" || op == "SequenceEmpty" || op == "SequenceInsert" ||
         op == "SequenceErase" || op == "SplitToSequence" || op == "SequenceMap" || op == "Optional";
}

}  // namespace

bool isSequenceOp(const std::string &op) {
  return makesSequence(op) || op == "SequenceAt" || op == "SequenceLength" ||
         op == "ConcatFromSequence" || op == "OptionalHasElement" || op == "OptionalGetElement";
}

llvm::StringSet<> sequenceValues(const onnx::GraphProto &g) {
  llvm::StringSet<> values;
  for (const auto *list : {&g.input(), &g.output(), &g.value_info()})
    for (const auto &vi : *list)
      if (isSequenceType(vi.type())) values.insert(vi.name());
  for (const auto &n : g.node())
    if (makesSequence(n.op_type()))
      for (const auto &o : n.output()) values.insert(o);
  return values;
}

bool hasSequenceValues(const onnx::GraphProto &g) {
  for (const auto &n : g.node())
    if (isSequenceOp(n.op_type())) return true;
  for (const auto *list : {&g.input(), &g.output(), &g.value_info()})
    for (const auto &vi : *list)
      if (isSequenceType(vi.type())) return true;
  return false;
}

}  // namespace pfcomp::import
