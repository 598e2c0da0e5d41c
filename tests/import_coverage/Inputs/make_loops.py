"""Makes loops.onnx (+ .data): a Scan with two scan inputs over different axes and directions
and two scan outputs (one along the last axis in reverse), and a while-style Loop (M = 10, the
body's condition i + 1 < 4 ends it after 4 iterations) whose body reads a graph input; reference
from onnxruntime-node. Run from anywhere with Debian's python3 after npm ci."""
import os, sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.dirname(os.path.abspath(__file__))
from ort_tools import ort_reference, write_tensors

F = T.FLOAT
scan_body = h.make_graph(
    [h.make_node("Mul", ["e1", "e2"], ["prod"]), h.make_node("Add", ["acc", "prod"], ["acco"]),
     h.make_node("Identity", ["acco"], ["out1"]), h.make_node("Sub", ["e1", "e2"], ["out2"])],
    "scan_body",
    [h.make_tensor_value_info("acc", F, [2]), h.make_tensor_value_info("e1", F, [2]),
     h.make_tensor_value_info("e2", F, [2])],
    [h.make_tensor_value_info("acco", F, [2]), h.make_tensor_value_info("out1", F, [2]),
     h.make_tensor_value_info("out2", F, [2])])
scan = h.make_node("Scan", ["s0", "x1", "x2"], ["s", "z1", "z2"], body=scan_body, num_scan_inputs=2,
                   scan_input_axes=[1, 0], scan_input_directions=[1, 0],
                   scan_output_axes=[-1, 0], scan_output_directions=[1, 0])
loop_body = h.make_graph(
    [h.make_node("Constant", [], ["one"], value=h.make_tensor("one_t", T.INT64, [], [1])),
     h.make_node("Constant", [], ["four"], value=h.make_tensor("four_t", T.INT64, [], [4])),
     h.make_node("Constant", [], ["half"], value=h.make_tensor("half_t", F, [], [0.5])),
     h.make_node("Add", ["i", "one"], ["next"]), h.make_node("Less", ["next", "four"], ["co"]),
     h.make_node("Mul", ["v", "half"], ["vh"]), h.make_node("Add", ["vh", "x"], ["vo"]),
     h.make_node("Identity", ["vo"], ["so"])],
    "loop_body",
    [h.make_tensor_value_info("i", T.INT64, []), h.make_tensor_value_info("c", T.BOOL, []),
     h.make_tensor_value_info("v", F, [3])],
    [h.make_tensor_value_info("co", T.BOOL, []), h.make_tensor_value_info("vo", F, [3]),
     h.make_tensor_value_info("so", F, [3])])
loop = h.make_node("Loop", ["m", "t", "v0"], ["v", "vs"], body=loop_body)
graph = h.make_graph(
    [scan, loop], "loops",
    [h.make_tensor_value_info(n, F, s) for n, s in
     [("s0", [2]), ("x1", [2, 3]), ("x2", [3, 2]), ("v0", [3]), ("x", [3])]],
    [h.make_tensor_value_info("s", F, [2]), h.make_tensor_value_info("z1", F, [2, 3]),
     h.make_tensor_value_info("z2", F, [3, 2]), h.make_tensor_value_info("v", F, [3]),
     h.make_tensor_value_info("vs", F, [4, 3])],
    [h.make_tensor("m", T.INT64, [], [10]), h.make_tensor("t", T.BOOL, [], [1])])
model = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)], producer_name="make_loops.py")
onnx.checker.check_model(model)
path = os.path.join(OUT, "loops.onnx")
onnx.save(model, path)
rng = np.random.default_rng(0)
inputs = [(n, rng.standard_normal(s).astype(np.float32)) for n, s in
          [("s0", [2]), ("x1", [2, 3]), ("x2", [3, 2]), ("v0", [3]), ("x", [3])]]
outs = ort_reference(path, inputs)
DATA = os.path.join(OUT, "loops.data"); os.makedirs(DATA, exist_ok=True)
write_tensors(DATA, "input", inputs); write_tensors(DATA, "output", outs)
