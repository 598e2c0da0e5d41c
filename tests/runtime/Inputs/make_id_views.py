"""Writes id_views.onnx and id_views.data into the folder given: token ids read with two shapes
(Equal on [1, 6], the embedding Gather's flat [6] view), as RoBERTa-style position ids do."""
import os, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

out = sys.argv[1]
table = np.arange(40, dtype=np.float32).reshape(10, 4) / 8
nodes = [
    helper.make_node("Equal", ["ids", "pad"], ["is_pad"]),
    helper.make_node("Not", ["is_pad"], ["keep"]),
    helper.make_node("Cast", ["keep"], ["keepf"], to=TP.FLOAT),
    helper.make_node("Unsqueeze", ["keepf", "last"], ["keep3"]),
    helper.make_node("Gather", ["table", "ids"], ["emb"]),
    helper.make_node("Mul", ["emb", "keep3"], ["y"]),
]
graph = helper.make_graph(
    nodes, "id_views", [helper.make_tensor_value_info("ids", TP.INT64, [1, 6])],
    [helper.make_tensor_value_info("y", TP.FLOAT, [1, 6, 4])],
    [numpy_helper.from_array(np.array([1], np.int64), "pad"),
     numpy_helper.from_array(np.array([-1], np.int64), "last"),
     numpy_helper.from_array(table, "table")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "id_views.onnx"))
ids = np.array([[3, 1, 7, 9, 1, 0]], np.int64)
y = table[ids] * (ids != 1)[..., None]
data = os.path.join(out, "id_views.data")
os.makedirs(data, exist_ok=True)
open(os.path.join(data, "input_0.pb"), "wb").write(numpy_helper.from_array(ids, "ids").SerializeToString())
open(os.path.join(data, "output_0.pb"), "wb").write(numpy_helper.from_array(y.astype(np.float32), "y").SerializeToString())
