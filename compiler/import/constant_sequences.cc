#include "compiler/import/constant_sequences.h"

#include "compiler/import/graph_edit.h"
#include "support/error.h"

#include <onnx/onnx-data_pb.h>

namespace pfcomp::import {
namespace {

class Freezer {
 public:
  Freezer(onnx::GraphProto &g, const std::string &name, const std::string &file)
      : g_(g), name_(name), file_(file) {}

  llvm::Error bad(const llvm::Twine &why) const {
    return makeError(ErrorCode::BadConstantInput, "--constant_input={0}={1}: {2}", name_, file_, why.str());
  }

  // `out` := the sequence `seq` of type `type`.
  llvm::Error sequence(const onnx::SequenceProto &seq, const onnx::TypeProto::Sequence &type,
                       const std::string &out) {
    if (seq.elem_type() != onnx::SequenceProto::TENSOR && seq.elem_type() != onnx::SequenceProto::UNDEFINED)
      return bad("only sequences of tensors are supported");
    const int32_t want = type.elem_type().tensor_type().elem_type();
    onnx::NodeProto n;
    n.set_op_type(seq.tensor_values_size() ? "SequenceConstruct" : "SequenceEmpty");
    n.set_name(out + "/frozen");
    for (int k = 0; k < seq.tensor_values_size(); ++k) {
      onnx::TensorProto t = seq.tensor_values(k);
      if (want && t.data_type() != want)
        return bad(llvm::formatv("element {0} has type {1}, the input's elements {2}", k,
                                 t.data_type(), want));
      t.set_name(freshValueName(g_, out + "/" + std::to_string(k)));
      n.add_input(t.name());
      *g_.add_initializer() = std::move(t);
    }
    if (!seq.tensor_values_size()) {
      auto *a = n.add_attribute();
      a->set_name("dtype"), a->set_type(onnx::AttributeProto::INT);
      a->set_i(want ? want : onnx::TensorProto::FLOAT);
    }
    n.add_output(out);
    nodes_.push_back(std::move(n));
    return llvm::Error::success();
  }

  llvm::Error optional(const onnx::OptionalProto &opt, const onnx::TypeProto::Optional &type,
                       const std::string &out) {
    onnx::NodeProto n;
    n.set_op_type("Optional");
    n.set_name(out + "/frozen");
    const onnx::TypeProto &elem = type.elem_type();
    if (opt.has_tensor_value()) {
      onnx::TensorProto t = opt.tensor_value();
      const int32_t want = elem.tensor_type().elem_type();
      if (want && t.data_type() != want)
        return bad(llvm::formatv("the tensor has type {0}, the input's {1}", t.data_type(), want));
      t.set_name(freshValueName(g_, out + "/value"));
      n.add_input(t.name());
      *g_.add_initializer() = std::move(t);
    } else if (opt.has_sequence_value()) {
      const std::string value = freshValueName(g_, out + "/value");
      if (auto err = sequence(opt.sequence_value(), elem.sequence_type(), value)) return err;
      n.add_input(value);
    } else if (opt.elem_type() != onnx::OptionalProto::UNDEFINED &&
               opt.elem_type() != onnx::OptionalProto::TENSOR &&
               opt.elem_type() != onnx::OptionalProto::SEQUENCE) {
      return bad("only optionals of tensors or sequences of tensors are supported");
    } else {  // absent
      auto *a = n.add_attribute();
      a->set_name("type"), a->set_type(onnx::AttributeProto::TYPE_PROTO);
      *a->mutable_tp() = elem;
    }
    n.add_output(out);
    nodes_.push_back(std::move(n));
    return llvm::Error::success();
  }

  // The nodes made, before the graph's own.
  void insertNodes() {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> all;
    for (auto &n : nodes_) *all.Add() = std::move(n);
    for (auto &n : *g_.mutable_node()) *all.Add() = std::move(n);
    g_.mutable_node()->Swap(&all);
  }

 private:
  onnx::GraphProto &g_;
  std::string name_, file_;
  std::vector<onnx::NodeProto> nodes_;
};

}  // namespace

bool isSequenceOrOptional(const onnx::TypeProto &type) {
  return type.has_sequence_type() || type.has_optional_type();
}

llvm::Error freezeSequenceInput(onnx::GraphProto &g, int index, const std::string &bytes,
                                const std::string &file) {
  const onnx::ValueInfoProto input = g.input(index);
  Freezer f(g, input.name(), file);
  if (input.type().has_sequence_type()) {
    onnx::SequenceProto seq;
    if (!seq.ParseFromString(bytes)) return f.bad("not a serialized onnx SequenceProto");
    if (auto err = f.sequence(seq, input.type().sequence_type(), input.name())) return err;
  } else {
    onnx::OptionalProto opt;
    if (!opt.ParseFromString(bytes)) return f.bad("not a serialized onnx OptionalProto");
    if (auto err = f.optional(opt, input.type().optional_type(), input.name())) return err;
  }
  f.insertNodes();
  g.mutable_input()->DeleteSubrange(index, 1);
  return llvm::Error::success();
}

}  // namespace pfcomp::import
