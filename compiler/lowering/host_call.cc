#include "compiler/lowering/host_call.h"

#include "runtime/device/cost_model.h"
#include "runtime/host/host_ops.h"
#include "support/error.h"

namespace pfcomp::lowering {
namespace {

void copyAttrs(const ir::Node &node, device::HostCall &call) {
  for (const ir::Attribute &a : node.attrs()) {
    device::HostAttr h;
    h.set_name(a.name());
    switch (a.type()) {
      case ir::Attribute::INT: h.set_kind(device::HostAttr::INT); h.set_i(a.i()); break;
      case ir::Attribute::FLOAT: h.set_kind(device::HostAttr::FLOAT); h.set_f(a.f()); break;
      case ir::Attribute::STRING: h.set_kind(device::HostAttr::STRING); h.set_s(a.s()); break;
      case ir::Attribute::INTS:
        h.set_kind(device::HostAttr::INTS);
        *h.mutable_ints() = a.ints();
        break;
      case ir::Attribute::FLOATS:
        h.set_kind(device::HostAttr::FLOATS);
        *h.mutable_floats() = a.floats();
        break;
      default: continue;
    }
    *call.add_attrs() = std::move(h);
  }
}

}  // namespace

llvm::Expected<int> emitHostCall(const ir::Node &node, const GraphView &graph,
                                 const device::Hardware &hw, BufferTable &buffers,
                                 device::Program &program, int tag) {
  device::Layer *layer = program.add_layers();
  layer->set_name(node.name());
  layer->set_op_type(node.op_type());
  layer->set_placement("host");
  device::Instr in;
  in.set_kind(device::Instr::HOST);
  in.set_layer(program.layers_size() - 1);
  in.set_tag(tag);
  device::HostCall &call = *in.mutable_host();
  call.set_op(node.op_type());
  call.set_node(node.name());
  copyAttrs(node, call);
  int64_t linkBytes = 0, inElements = 0, outElements = 0;
  auto buffer = [&](const std::string &value, int64_t &elements) {
    Dims shape = graph.shape(value);
    int id = buffers.bufferFor(value, shape);
    linkBytes += program.buffers(id).bytes();
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    elements += n;
    return id;
  };
  for (const std::string &v : node.inputs())
    call.add_inputs(v.empty() || !graph.has(v) ? -1 : buffer(v, inElements));
  for (const std::string &v : node.outputs()) {
    if (v.empty() || !graph.has(v))
      return makeError(ErrorCode::StageFileCorrupt, "host node '{0}': output '{1}' has no value",
                       node.name(), v);
    int id = buffer(v, outElements);
    program.mutable_buffers(id)->set_dynamic_shape(graph.value(v).dynamic_shape());
    call.add_outputs(id);
  }
  call.set_link_cycles(device::hostLinkCycles(hw, linkBytes));
  in.set_cycles(call.link_cycles() +
                host::hostComputeCycles(node.op_type(), inElements, outElements, hw.clock_hz / 1e9));
  *program.add_instrs() = std::move(in);
  return tag + 1;
}

}  // namespace pfcomp::lowering
