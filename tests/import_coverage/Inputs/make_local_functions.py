"""Writes local_functions.onnx (+ .data) and recursive_function.onnx into the folder given.
local_functions: model-local functions as torch's dynamo exporter writes them -- a Linear
function calling a Gelu function (nested), called twice, and a LeakyAct function whose alpha
is an attribute reference (one call gives it, one takes LeakyRelu's default). Reference by
numpy. recursive_function: a function that calls itself."""
import math
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

out = sys.argv[1]
ONNX, NS = helper.make_opsetid("", 13), helper.make_opsetid("local.ns", 1)


def const(name, value):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(value, np.float32)))


gelu = helper.make_function("local.ns", "Gelu", ["X"], ["Y"], [
    const("r2", 1 / math.sqrt(2)), helper.make_node("Mul", ["X", "r2"], ["s"]),
    helper.make_node("Erf", ["s"], ["e"]), const("one", 1.0), helper.make_node("Add", ["e", "one"], ["e1"]),
    helper.make_node("Mul", ["X", "e1"], ["p"]), const("half", 0.5), helper.make_node("Mul", ["p", "half"], ["Y"])],
    [ONNX])
linear = helper.make_function("local.ns", "Linear", ["X", "W", "B"], ["Y"], [
    helper.make_node("MatMul", ["X", "W"], ["m"]), helper.make_node("Add", ["m", "B"], ["a"]),
    helper.make_node("Gelu", ["a"], ["Y"], domain="local.ns")], [ONNX, NS])
leaky_node = helper.make_node("LeakyRelu", ["X"], ["Y"])
alpha_ref = leaky_node.attribute.add()  # onnx 1.12's helper has no make_attribute_ref
alpha_ref.name, alpha_ref.ref_attr_name, alpha_ref.type = "alpha", "alpha", onnx.AttributeProto.FLOAT
leaky = helper.make_function("local.ns", "LeakyAct", ["X"], ["Y"], [leaky_node], [ONNX], attributes=["alpha"])

rs = np.random.RandomState(0)
w1, b1 = rs.randn(16, 8).astype(np.float32), rs.randn(8).astype(np.float32)
w2, b2 = rs.randn(8, 4).astype(np.float32), rs.randn(4).astype(np.float32)
nodes = [helper.make_node("Linear", ["x", "w1", "b1"], ["h"], domain="local.ns", name="fc1"),
         helper.make_node("Linear", ["h", "w2", "b2"], ["z"], domain="local.ns", name="fc2"),
         helper.make_node("LeakyAct", ["z"], ["y"], domain="local.ns", alpha=0.2),
         helper.make_node("LeakyAct", ["z"], ["y_default"], domain="local.ns")]
graph = helper.make_graph(nodes, "local_functions", [helper.make_tensor_value_info("x", TP.FLOAT, [3, 16])],
                          [helper.make_tensor_value_info("y", TP.FLOAT, [3, 4]),
                           helper.make_tensor_value_info("y_default", TP.FLOAT, [3, 4])],
                          [numpy_helper.from_array(a, n) for n, a in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2))])
model = helper.make_model(graph, opset_imports=[ONNX, NS], functions=[gelu, linear, leaky])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "local_functions.onnx"))

erf = np.vectorize(math.erf)
def g(a): return 0.5 * a * (1 + erf(a / math.sqrt(2)))
x = rs.randn(3, 16).astype(np.float32)
z = g(g(x @ w1 + b1) @ w2 + b2)
data = os.path.join(out, "local_functions.data")
os.makedirs(data, exist_ok=True)
for name, kind, k, a in (("x", "input", 0, x), ("y", "output", 0, np.where(z > 0, z, 0.2 * z)),
                         ("y_default", "output", 1, np.where(z > 0, z, 0.01 * z))):
    with open(os.path.join(data, "%s_%d.pb" % (kind, k)), "wb") as f:
        f.write(numpy_helper.from_array(a.astype(np.float32), name).SerializeToString())

loop = helper.make_function("local.ns", "Forever", ["X"], ["Y"],
                            [helper.make_node("Forever", ["X"], ["Y"], domain="local.ns")], [ONNX, NS])
graph = helper.make_graph([helper.make_node("Forever", ["x"], ["y"], domain="local.ns")], "recursive",
                          [helper.make_tensor_value_info("x", TP.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", TP.FLOAT, [2])])
recursive = helper.make_model(graph, opset_imports=[ONNX, NS], functions=[loop])
onnx.save(recursive, os.path.join(out, "recursive_function.onnx"))
