"""Writes chained_einsum.onnx (+ .data) into the folder given: attention written as two Einsums
with spaced equations (as torchvision's maxvit exports them), the second reading the first
through a Softmax. ONNX 1.12's shape inference gives the first no output shape, so the second
can only be rewritten once the first is. Reference by numpy."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

out = sys.argv[1]
nodes = [helper.make_node("Einsum", ["q", "k"], ["s"], equation="B H I D, B H J D -> B H I J"),
         helper.make_node("Softmax", ["s"], ["p"], axis=-1),
         helper.make_node("Einsum", ["p", "v"], ["y"], equation="B H I J, B H J D -> B H I D")]
shape = [1, 2, 5, 4]
graph = helper.make_graph(nodes, "chained_einsum",
                          [helper.make_tensor_value_info(n, TP.FLOAT, shape) for n in "qkv"],
                          [helper.make_tensor_value_info("y", TP.FLOAT, shape)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "chained_einsum.onnx"))
rs = np.random.RandomState(0)
q, k, v = (rs.randn(*shape).astype(np.float32) for _ in range(3))
s = np.einsum("bhid,bhjd->bhij", q, k)
p = np.exp(s - s.max(-1, keepdims=True))
p /= p.sum(-1, keepdims=True)
data = os.path.join(out, "chained_einsum.data")
os.makedirs(data, exist_ok=True)
for kind, k_, name, a in (("input", 0, "q", q), ("input", 1, "k", k), ("input", 2, "v", v),
                          ("output", 0, "y", np.einsum("bhij,bhjd->bhid", p, v))):
    with open(os.path.join(data, "%s_%d.pb" % (kind, k_)), "wb") as f:
        f.write(numpy_helper.from_array(a.astype(np.float32), name).SerializeToString())
