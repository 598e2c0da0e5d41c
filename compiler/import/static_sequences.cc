#include "compiler/import/static_sequences.h"

#include "compiler/import/const_eval.h"
#include "compiler/import/graph_edit.h"
#include "compiler/import/rewrite_builder.h"
#include "compiler/import/sequence_values.h"
#include "compiler/import/subgraph_inline.h"
#include "compiler/import/unroll.h"

#include <map>
#include <optional>

namespace pfcomp::import {
namespace {

class Resolver {
 public:
  Resolver(onnx::GraphProto &g, int64_t opset)
      : g_(g), c_(g, opset), types_(collectValueTypes(g)), sequenceValues_(sequenceValues(g)) {
    for (const auto &vi : g.value_info()) typeProtos_[vi.name()] = vi.type();
    for (const auto &vi : g.input()) typeProtos_[vi.name()] = vi.type();
    for (const auto &t : g.initializer()) {
      auto &tensor = *typeProtos_[t.name()].mutable_tensor_type();
      tensor.set_elem_type(t.data_type());
      for (int64_t d : t.dims()) tensor.mutable_shape()->add_dim()->set_dim_value(d);
    }
  }

  int run() {
    int rewritten = 0;
    for (const auto &n : g_.node()) {
      if (n.output_size() && isCanonical(n.op_type())) known_[n.output(0)] = n;
      if (n.output_size() && !n.output(0).empty() && rewrite(n)) ++rewritten;
      else *parts_.nodes.Add() = n;
    }
    rewritten += splitOutputs();
    if (rewritten == 0) return 0;
    g_.mutable_node()->Swap(&parts_.nodes);
    for (auto &t : parts_.initializers) *g_.add_initializer() = std::move(t);
    for (auto &vi : parts_.valueInfo) *g_.add_value_info() = std::move(vi);
    removeDeadNodes(g_);
    pruneUnused(g_);
    return rewritten;
  }

 private:
  static bool isCanonical(const std::string &op) {
    return op == "SequenceConstruct" || op == "SequenceEmpty" || op == "Optional";
  }

  // The values of a known sequence, in order.
  std::optional<std::vector<std::string>> elements(const std::string &name) const {
    auto it = known_.find(name);
    if (it == known_.end() || it->second.op_type() == "Optional") return std::nullopt;
    return std::vector<std::string>(it->second.input().begin(), it->second.input().end());
  }

  // A constant integer scalar (or one-element tensor), e.g. a position.
  std::optional<int64_t> constantInt(const std::string &name) {
    const HostTensor *t = name.empty() ? nullptr : c_.constant(name);
    if (!t || t->numElements() != 1) return std::nullopt;
    return t->getI(0);
  }

  // Element type of a sequence's values (an empty sequence keeps the type it was made with).
  int32_t elemType(const std::string &seq, const std::vector<std::string> &elems) const {
    if (auto it = known_.find(seq); it != known_.end() && it->second.op_type() == "SequenceEmpty")
      return static_cast<int32_t>(attrInt(it->second, "dtype", onnx::TensorProto::FLOAT));
    for (const auto &e : elems)
      if (auto t = types_.find(e); t != types_.end() && t->second.elem_type) return t->second.elem_type;
    if (auto t = typeProtos_.find(seq); t != typeProtos_.end())
      if (int32_t type = t->second.sequence_type().elem_type().tensor_type().elem_type()) return type;
    return onnx::TensorProto::FLOAT;
  }

  std::string base(const onnx::NodeProto &n) const {
    return n.name().empty() ? n.op_type() + "_" + n.output(0) : n.name();
  }

  onnx::NodeProto &add(const std::string &op, const std::string &name, std::vector<std::string> ins,
                       const std::string &out) {
    onnx::NodeProto &n = *parts_.nodes.Add();
    n.set_op_type(op);
    n.set_name(name);
    for (auto &i : ins) n.add_input(i);
    n.add_output(out);
    return n;
  }

  // `out` := the sequence of `elems` (SequenceEmpty of `type` when there are none).
  void emitSequence(const std::string &name, const std::vector<std::string> &elems, int32_t type,
                    const std::string &out) {
    onnx::NodeProto &n = add(elems.empty() ? "SequenceEmpty" : "SequenceConstruct", name, elems, out);
    if (elems.empty()) setAttr(n, "dtype", static_cast<int64_t>(type));
    known_[out] = n;
  }

  // `out` := a copy of the known sequence or optional `from`.
  void emitCopy(const std::string &name, const std::string &from, const std::string &out) {
    onnx::NodeProto copy = known_.at(from);
    copy.set_name(name);
    copy.set_output(0, out);
    known_[out] = copy;
    *parts_.nodes.Add() = std::move(copy);
  }

  void emitConstant(const HostTensor &t, const std::string &out) {
    parts_.initializers.push_back(encodeTensor(t, out));
  }

  bool rewrite(const onnx::NodeProto &n);
  bool identityOrGet(const onnx::NodeProto &n);
  bool insertOrErase(const onnx::NodeProto &n);
  bool splitToSequence(const onnx::NodeProto &n);
  bool sequenceMap(const onnx::NodeProto &n);
  int splitOutputs();

  onnx::GraphProto &g_;
  UnrollContext c_;  // constants, static types and fresh names of the graph
  llvm::StringMap<ValueType> types_;
  llvm::StringSet<> sequenceValues_;
  std::map<std::string, onnx::TypeProto> typeProtos_;
  std::map<std::string, onnx::NodeProto> known_;  // canonical producers of known values
  InlinedParts parts_;
};

bool Resolver::rewrite(const onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  if (op == "Identity" || op == "OptionalGetElement") return identityOrGet(n);
  if (op == "SequenceInsert" || op == "SequenceErase") return insertOrErase(n);
  if (op == "SplitToSequence") return splitToSequence(n);
  if (op == "SequenceMap") return sequenceMap(n);
  if (op == "OptionalHasElement") {
    // No input (opset 18) is an absent optional; a plain sequence is present.
    const std::string in = n.input_size() ? n.input(0) : "";
    auto it = known_.find(in);
    if (!in.empty() && it == known_.end()) return false;
    const bool present = !in.empty() && (it->second.op_type() != "Optional" ||
                                         (it->second.input_size() && !it->second.input(0).empty()));
    HostTensor t = HostTensor::make(onnx::TensorProto::BOOL, {});
    t.i[0] = present;
    emitConstant(t, n.output(0));
    return true;
  }
  auto elems = n.input_size() ? elements(n.input(0)) : std::nullopt;
  if (!elems) return false;
  const int64_t count = static_cast<int64_t>(elems->size());
  if (op == "SequenceLength") {
    emitConstant(HostTensor::ints({count}), n.output(0));
    parts_.initializers.back().clear_dims();  // a scalar
    return true;
  }
  if (op == "SequenceAt") {
    auto pos = constantInt(n.input_size() > 1 ? n.input(1) : "");
    if (!pos || *pos < -count || *pos >= count) return false;
    appendIdentity(parts_, base(n), (*elems)[*pos < 0 ? *pos + count : *pos], n.output(0));
    return true;
  }
  if (op == "ConcatFromSequence") {
    if (elems->empty()) return false;  // ONNX: an error at run time
    const int64_t axis = attrInt(n, "axis", 0);
    if (attrInt(n, "new_axis", 0)) {
      appendStack(parts_, base(n), *elems, axis, c_.opset(), n.output(0));
    } else {
      setAttr(add("Concat", base(n), *elems, n.output(0)), "axis", axis);
    }
    return true;
  }
  return false;
}

// Identity of a known sequence or optional; OptionalGetElement of a present optional (or of a
// sequence, which opset 18 allows).
bool Resolver::identityOrGet(const onnx::NodeProto &n) {
  auto it = n.input_size() ? known_.find(n.input(0)) : known_.end();
  if (it == known_.end()) return false;
  if (n.op_type() == "OptionalGetElement" && it->second.op_type() == "Optional") {
    if (!it->second.input_size() || it->second.input(0).empty()) return false;  // absent: an error
    const std::string &elem = it->second.input(0);
    if (known_.count(elem)) emitCopy(base(n), elem, n.output(0));
    else appendIdentity(parts_, base(n), elem, n.output(0));
    return true;
  }
  emitCopy(base(n), n.input(0), n.output(0));
  return true;
}

bool Resolver::insertOrErase(const onnx::NodeProto &n) {
  auto elems = elements(n.input(0));
  if (!elems) return false;
  const bool insert = n.op_type() == "SequenceInsert";
  const int64_t count = static_cast<int64_t>(elems->size());
  const int posInput = insert ? 2 : 1;
  int64_t pos = insert ? count : count - 1;  // the defaults: at the end, the last
  if (n.input_size() > posInput && !n.input(posInput).empty()) {
    auto p = constantInt(n.input(posInput));
    if (!p) return false;
    pos = *p < 0 ? *p + count : *p;
  }
  if (pos < 0 || pos > count || (!insert && pos == count)) return false;  // out of range
  if (insert) {
    if (n.input_size() < 2) return false;
    elems->insert(elems->begin() + pos, n.input(1));
  } else {
    elems->erase(elems->begin() + pos);
  }
  emitSequence(base(n), *elems, elemType(n.input(0), *elems), n.output(0));
  return true;
}

// Split (in the opset's form), each part squeezed when keepdims=0 and no split is given.
bool Resolver::splitToSequence(const onnx::NodeProto &n) {
  const ValueType *x = c_.staticType(n.input(0));
  if (!x) return false;
  const int64_t rank = static_cast<int64_t>(x->dims.size());
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return false;
  const int64_t length = x->dims[axis];
  std::vector<int64_t> sizes;
  const bool hasSplit = n.input_size() > 1 && !n.input(1).empty();
  const bool squeeze = !hasSplit && attrInt(n, "keepdims", 1) == 0;
  if (hasSplit) {
    const HostTensor *s = c_.constant(n.input(1));
    if (!s) return false;
    if (s->dims.empty()) {  // a scalar: chunks of that size, the last one may be shorter
      const int64_t chunk = s->getI(0);
      if (chunk <= 0) return false;
      for (int64_t at = 0; at < length; at += chunk) sizes.push_back(std::min(chunk, length - at));
    } else {
      int64_t sum = 0;
      for (int64_t k = 0; k < s->numElements(); ++k) sizes.push_back(s->getI(k)), sum += s->getI(k);
      if (sum != length) return false;
    }
  } else {
    sizes.assign(length, 1);
  }
  const std::string prefix = c_.freshPrefix(base(n));
  std::vector<std::string> parts;
  if (!sizes.empty()) {
    onnx::NodeProto &split = *parts_.nodes.Add();
    split.set_op_type("Split");
    split.set_name(prefix + "split");
    split.add_input(n.input(0));
    setAttr(split, "axis", axis);
    if (c_.opset() >= 13) {
      split.add_input(prefix + "sizes");
      parts_.initializers.push_back(encodeTensor(HostTensor::ints(sizes), prefix + "sizes"));
    } else {
      setAttr(split, "split", sizes);
    }
    for (size_t k = 0; k < sizes.size(); ++k) split.add_output(prefix + "part" + std::to_string(k));
    parts.assign(split.output().begin(), split.output().end());
  }
  if (squeeze) {
    if (c_.opset() >= 13)
      parts_.initializers.push_back(encodeTensor(HostTensor::ints({axis}), prefix + "axes"));
    for (auto &p : parts) {
      onnx::NodeProto &sq = add("Squeeze", p + "/squeeze", {p}, p + "/squeezed");
      if (c_.opset() >= 13) sq.add_input(prefix + "axes");
      else setAttr(sq, "axes", std::vector<int64_t>{axis});
      p = sq.output(0);
    }
  }
  emitSequence(base(n), parts, x->elem_type ? x->elem_type : onnx::TensorProto::FLOAT, n.output(0));
  return true;
}

// The body once per element; its inputs read the sequences' elements and the tensors as given.
bool Resolver::sequenceMap(const onnx::NodeProto &n) {
  const onnx::GraphProto *body = graphAttr(n, "body");
  if (!body || body->input_size() != n.input_size() || body->output_size() != n.output_size()) return false;
  std::vector<std::optional<std::vector<std::string>>> seqs;
  std::optional<size_t> count;
  for (int k = 0; k < n.input_size(); ++k) {
    seqs.push_back(elements(n.input(k)));
    const bool isSeq = seqs.back().has_value();
    if (!isSeq && (k == 0 || sequenceValues_.contains(n.input(k)))) return false;  // not known yet
    if (isSeq && count && *count != seqs.back()->size()) return false;        // lengths differ
    if (isSeq) count = seqs.back()->size();
  }
  const std::string prefix = c_.freshPrefix(base(n));
  std::vector<std::vector<std::string>> outs(n.output_size());
  for (size_t i = 0; i < *count; ++i) {
    std::vector<std::string> ins;
    for (int k = 0; k < n.input_size(); ++k) ins.push_back(seqs[k] ? (*seqs[k])[i] : n.input(k));
    auto made = inlineSubgraph(*body, prefix + "e" + std::to_string(i) + "/", ins, parts_);
    for (int j = 0; j < n.output_size(); ++j) outs[j].push_back(made[j]);
  }
  for (int j = 0; j < n.output_size(); ++j) {
    const int32_t type = body->output(j).type().tensor_type().elem_type();
    emitSequence(base(n) + "/out" + std::to_string(j), outs[j], type ? type : onnx::TensorProto::FLOAT,
                 n.output(j));
  }
  return true;
}

// Graph outputs holding known sequences or optionals: one output per element.
int Resolver::splitOutputs() {
  int split = 0;
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> outputs;
  llvm::StringSet<> names = usedValueNames(g_);
  for (const auto &vi : g_.output()) names.insert(vi.name());
  for (const auto &vi : g_.output()) {
    auto it = known_.find(vi.name());
    if (it == known_.end()) {
      *outputs.Add() = vi;
      continue;
    }
    std::vector<std::string> elems;
    if (it->second.op_type() != "Optional") elems = *elements(vi.name());
    else if (it->second.input_size() && !it->second.input(0).empty())
      elems = known_.count(it->second.input(0)) ? *elements(it->second.input(0))
                                                 : std::vector<std::string>{it->second.input(0)};
    for (size_t k = 0; k < elems.size(); ++k) {
      const std::string want = vi.name() + "." + std::to_string(k);
      std::string name = want;
      for (int j = 1; names.contains(name); ++j) name = want + "_" + std::to_string(j);
      names.insert(name);
      appendIdentity(parts_, name, elems[k], name);
      onnx::ValueInfoProto &out = *outputs.Add();
      out.set_name(name);
      if (auto t = typeProtos_.find(elems[k]); t != typeProtos_.end()) *out.mutable_type() = t->second;
    }
    ++split;
  }
  if (split) g_.mutable_output()->Swap(&outputs);
  return split;
}

}  // namespace

int resolveStaticSequences(onnx::GraphProto &g, int64_t opset) {
  if (!hasSequenceValues(g)) return 0;  // the common case: no tables to build
  return Resolver(g, opset).run();
}

}  // namespace pfcomp::import
