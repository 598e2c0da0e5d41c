"""Makes sequences.onnx (+ .data): sequences and an optional with a structure known at compile
time inside a tensor model: SplitToSequence (keepdims=0), SequenceInsert at a constant position,
SequenceErase of the last, SequenceAt at a position folded from SequenceLength, SequenceMap with
a sequence and a tensor operand, ConcatFromSequence with and without new_axis, and
Optional / OptionalHasElement / OptionalGetElement; reference from onnxruntime-node. Run from
anywhere with Debian's python3 after npm ci."""
import os, sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.dirname(os.path.abspath(__file__))
from ort_tools import ort_reference, write_tensors

F = T.FLOAT
map_body = h.make_graph(
    [h.make_node("Mul", ["e", "w"], ["ew"]), h.make_node("Relu", ["ew"], ["o"])], "map_body",
    [h.make_tensor_value_info("e", F, [3]), h.make_tensor_value_info("w", F, [3])],
    [h.make_tensor_value_info("o", F, [3])])
nodes = [
    h.make_node("SplitToSequence", ["x"], ["rows"], axis=0, keepdims=0),   # 4 rows of 3
    h.make_node("SequenceInsert", ["rows", "a", "one"], ["ins"]),           # a at position 1
    h.make_node("SequenceErase", ["ins"], ["seq"]),                         # without the last row
    h.make_node("SequenceLength", ["seq"], ["n"]),                          # 4
    h.make_node("Sub", ["n", "three"], ["pos"]),                            # 1: a
    h.make_node("SequenceAt", ["seq", "pos"], ["picked"]),
    h.make_node("SequenceMap", ["seq", "w"], ["mapped"], body=map_body),
    h.make_node("ConcatFromSequence", ["mapped"], ["stacked"], axis=0, new_axis=1),  # 4x3
    h.make_node("ConcatFromSequence", ["seq"], ["flat"], axis=0),                    # 12
    h.make_node("Optional", ["picked"], ["opt"]),
    h.make_node("OptionalHasElement", ["opt"], ["has"]),
    h.make_node("OptionalGetElement", ["opt"], ["got"]),
    h.make_node("Where", ["has", "got", "w"], ["chosen"]),
]
graph = h.make_graph(
    nodes, "sequences",
    [h.make_tensor_value_info(n, F, s) for n, s in [("x", [4, 3]), ("a", [3]), ("w", [3])]],
    [h.make_tensor_value_info("stacked", F, [4, 3]), h.make_tensor_value_info("flat", F, [12]),
     h.make_tensor_value_info("chosen", F, [3])],
    [h.make_tensor("one", T.INT64, [], [1]), h.make_tensor("three", T.INT64, [], [3])])
model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)], producer_name="make_sequences.py")
model.ir_version = 8
onnx.checker.check_model(model)
path = os.path.join(OUT, "sequences.onnx")
onnx.save(model, path)
rng = np.random.default_rng(0)
inputs = [(n, rng.standard_normal(s).astype(np.float32)) for n, s in [("x", [4, 3]), ("a", [3]), ("w", [3])]]
outs = ort_reference(path, inputs)
DATA = os.path.join(OUT, "sequences.data"); os.makedirs(DATA, exist_ok=True)
write_tensors(DATA, "input", inputs); write_tensors(DATA, "output", outs)
