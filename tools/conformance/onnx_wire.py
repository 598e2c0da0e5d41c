# Reads the little the harness needs from a model.onnx (graph input/output element types and the
# node op types) straight from the protobuf wire format, so the harness needs no third-party module.
#
# Field numbers are ONNX's (onnx.proto3): ModelProto.graph = 7; GraphProto.node = 1,
# initializer = 5, input = 11, output = 12; NodeProto.op_type = 4; ValueInfoProto.name = 1,
# type = 2; TypeProto.tensor_type = 1; TypeProto.Tensor.elem_type = 1; TensorProto.name = 8.

# TensorProto.DataType values used to pick --float_dtype.
FLOAT, FLOAT16, DOUBLE, BFLOAT16 = 1, 10, 11, 16


def _varint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def fields(buf):
    """Yields (field number, value) for every field of one message; value is an int for
    varints and a bytes slice for length-delimited fields; fixed-width fields are skipped."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, value
        elif wire == 2:
            size, pos = _varint(buf, pos)
            yield number, buf[pos:pos + size]
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wire)


def _first(buf, number):
    for n, v in fields(buf):
        if n == number:
            return v
    return None


def _elem_type(value_info):
    type_proto = _first(value_info, 2)
    if type_proto is None:
        return None
    tensor = _first(type_proto, 1)
    return None if tensor is None else _first(tensor, 1)


# TypeProto's value fields: tensor_type = 1, sequence_type = 4, optional_type = 9.
_KINDS = {1: "tensor", 4: "sequence", 9: "optional"}


def _kind(value_info):
    type_proto = _first(value_info, 2)
    for number, _ in fields(type_proto if type_proto is not None else b""):
        if number in _KINDS:
            return _KINDS[number]
    return "tensor"


def tensors_of(buf, kind):
    """The TensorProto bytes a value file holds, in order: itself for a tensor; the elements of a
    SequenceProto (tensor_values = 3); of an OptionalProto (tensor_value = 3, sequence_value = 5)
    its tensor, its sequence's elements, or none when it is empty."""
    if kind == "tensor":
        return [bytes(buf)]
    if kind == "sequence":
        return [bytes(v) for n, v in fields(memoryview(buf)) if n == 3]
    out = []
    for n, v in fields(memoryview(buf)):
        if n == 3:
            out.append(bytes(v))
        elif n == 5:
            out.extend(tensors_of(v, "sequence"))
    return out


def read_model_summary(path):
    """Returns {"elem_types": set of graph input/output element types, "ops": [op types],
    "inputs": [graph input names that are not initializers, in order]} (the order of a test
    data set's input_K.pb files), "output_kinds": ["tensor" | "sequence" | "optional", per graph
    output]}."""
    with open(path, "rb") as f:
        model = memoryview(f.read())
    graph = _first(model, 7)
    elem_types, ops, inputs, inits, output_kinds = set(), [], [], set(), []
    if graph is None:
        return {"elem_types": elem_types, "ops": ops, "inputs": inputs, "output_kinds": output_kinds}
    for number, value in fields(graph):
        if number == 12:
            output_kinds.append(_kind(value))
        if number == 11:
            name = _first(value, 1)
            inputs.append(bytes(name or b"").decode("utf-8", "replace"))
        elif number == 5:
            name = _first(value, 8)
            inits.add(bytes(name or b"").decode("utf-8", "replace"))
        if number in (11, 12):
            t = _elem_type(value)
            if t is not None:
                elem_types.add(t)
        elif number == 1:
            op = _first(value, 4)
            if op is not None:
                ops.append(bytes(op).decode("utf-8", "replace"))
    return {"elem_types": elem_types, "ops": ops, "inputs": [i for i in inputs if i not in inits],
            "output_kinds": output_kinds}


def float_dtype_for(elem_types):
    """The --float_dtype that computes in the model's own float type."""
    if DOUBLE in elem_types:
        return "double"
    if FLOAT16 in elem_types and FLOAT not in elem_types:
        return "half"
    return "float"
