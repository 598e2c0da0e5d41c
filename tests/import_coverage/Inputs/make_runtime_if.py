"""Writes runtime_if.onnx and two data sets into the folder given: an If whose condition is
computed from the input (sum(x) > 0), the then-branch reading an outer initializer, the else-
branch a chain of its own; run once with a positive and once with a negative sum. Reference
by numpy."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

out = sys.argv[1]
shape = [2, 3]
w = np.arange(6, dtype=np.float32).reshape(shape) / 4
then_g = helper.make_graph([helper.make_node("Mul", ["x", "w"], ["t"])], "then", [],
                           [helper.make_tensor_value_info("t", TP.FLOAT, shape)])
else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["n"]), helper.make_node("Exp", ["n"], ["e"])],
                           "else", [], [helper.make_tensor_value_info("e", TP.FLOAT, shape)])
nodes = [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
         helper.make_node("Greater", ["s", "zero"], ["positive"]),
         helper.make_node("If", ["positive"], ["y"], then_branch=then_g, else_branch=else_g),
         helper.make_node("Add", ["y", "x"], ["z"])]
graph = helper.make_graph(nodes, "runtime_if", [helper.make_tensor_value_info("x", TP.FLOAT, shape)],
                          [helper.make_tensor_value_info("z", TP.FLOAT, shape)],
                          [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array(0, np.float32), "zero")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "runtime_if.onnx"))
for name, x in (("positive", np.abs(np.random.RandomState(1).randn(*shape))),
                ("negative", -np.abs(np.random.RandomState(2).randn(*shape)))):
    x = x.astype(np.float32)
    z = (x * w if x.sum() > 0 else np.exp(-x)) + x
    data = os.path.join(out, name)
    os.makedirs(data, exist_ok=True)
    for kind, a, n in (("input", x, "x"), ("output", z.astype(np.float32), "z")):
        with open(os.path.join(data, kind + "_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(a, n).SerializeToString())
