"""Writes OUT/gelu_mlp.onnx (+ gelu_mlp.data/): a transformer's feed-forward block,

    h = x @ w1 + b1; g = h * 0.5 * (1 + erf(h / sqrt(2))); y = x + g @ w2 + b2
    x: 1x128x128, h and g: 1x128x256

The GELU chain leaves g for the second MatMul alone; each of its rows is stored by PEs under one
L1B and read by PEs under the same L1B, so L1Merge can keep g in the L1B memories."""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

S, D, F = 128, 128, 256


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    consts = {
        "w1": (rng.standard_normal([D, F]) / np.sqrt(D)).astype(np.float32),
        "b1": (rng.standard_normal([F]) * 0.1).astype(np.float32),
        "w2": (rng.standard_normal([F, D]) / np.sqrt(F)).astype(np.float32),
        "b2": (rng.standard_normal([D]) * 0.1).astype(np.float32),
        "sqrt2": np.array(math.sqrt(2), np.float32),
        "one": np.array(1, np.float32),
        "half": np.array(0.5, np.float32),
    }
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["m1"]),
             helper.make_node("Add", ["m1", "b1"], ["h"]),
             helper.make_node("Div", ["h", "sqrt2"], ["d"]),
             helper.make_node("Erf", ["d"], ["e"]),
             helper.make_node("Add", ["e", "one"], ["e1"]),
             helper.make_node("Mul", ["h", "e1"], ["p"]),
             helper.make_node("Mul", ["p", "half"], ["g"]),
             helper.make_node("MatMul", ["g", "w2"], ["m2"]),
             helper.make_node("Add", ["m2", "b2"], ["o"]),
             helper.make_node("Add", ["x", "o"], ["y"])]
    graph = helper.make_graph(nodes, "gelu_mlp",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, S, D])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, S, D])],
                              [numpy_helper.from_array(v, n) for n, v in consts.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "gelu_mlp.onnx"))

    x = rng.standard_normal([1, S, D]).astype(np.float32)
    x64 = x.astype(np.float64)
    h = x64 @ consts["w1"] + consts["b1"]
    erf = np.vectorize(math.erf)
    g = h * 0.5 * (1 + erf(h / math.sqrt(2)))
    y = (x64 + g @ consts["w2"] + consts["b2"]).astype(np.float32)
    data = os.path.join(out, "gelu_mlp.data")
    os.makedirs(data, exist_ok=True)
    for prefix, name, array in (("input", "x", x), ("output", "y", y)):
        with open(os.path.join(data, "%s_0.pb" % prefix), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())


if __name__ == "__main__":
    main()
