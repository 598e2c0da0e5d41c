"""Writes OUT/two_branches.onnx (+ two_branches.data/): two elementwise branches from one input,
listed interleaved, so that graph (Kahn) order keeps both branches' first values alive at once:

    a = Relu(x); b = Sigmoid(x); c = Tanh(a); d = Neg(b); y = Add(c, d)

Under a small sram_budget only one of a, b fits in LM at a time; running a branch to its end
before starting the other lets each value pass to its reader in LM."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHAPE = [256, 1024]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    nodes = [helper.make_node("Relu", ["x"], ["a"]),
             helper.make_node("Sigmoid", ["x"], ["b"]),
             helper.make_node("Tanh", ["a"], ["c"]),
             helper.make_node("Neg", ["b"], ["d"]),
             helper.make_node("Add", ["c", "d"], ["y"])]
    graph = helper.make_graph(nodes, "two_branches",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, SHAPE)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "two_branches.onnx"))

    x = np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)
    x64 = x.astype(np.float64)
    y = (np.tanh(np.maximum(x64, 0)) - 1 / (1 + np.exp(-x64))).astype(np.float32)
    data = os.path.join(out, "two_branches.data")
    os.makedirs(data, exist_ok=True)
    for prefix, name, array in (("input", "x", x), ("output", "y", y)):
        with open(os.path.join(data, "%s_0.pb" % prefix), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())


if __name__ == "__main__":
    main()
