#!/usr/bin/python3
"""Writes a synthetic ONNX chain of N nodes (Relu, Add with a constant, alternating) for the
dashboard figures: python3 bench/dashboard_make_chain.py OUT.onnx [N=10000] [WIDTH=64]."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    nodes, inits = [], [numpy_helper.from_array(np.full((1, width), 0.001, np.float32), "c")]
    prev = "x"
    for i in range(n):
        name = "v%d" % i
        if i % 2 == 0:
            nodes.append(helper.make_node("Relu", [prev], [name], name="relu_%d" % i))
        else:
            nodes.append(helper.make_node("Add", [prev, "c"], [name], name="add_%d" % i))
        prev = name
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(nodes, "chain%d" % n,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, width])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="dashboard_make_chain")
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
