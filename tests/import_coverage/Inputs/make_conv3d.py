"""Makes conv3d.onnx (+ .data): 3-D Conv with strides, pads, dilations, groups and a bias, one
with defaults and no bias, and (added to the export) a Conv with auto_pad SAME_UPPER and a
ConvTranspose with auto_pad SAME_LOWER, both strided; reference from onnxruntime-node. Run
from anywhere with Debian's python3 after npm ci."""
import os, sys, torch, torch.nn as nn
import numpy as np, onnx
from onnx import helper as h, numpy_helper
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.dirname(os.path.abspath(__file__))
from ort_tools import save_case
torch.manual_seed(0)
class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.a = nn.Conv3d(4, 6, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2)
        s.b = nn.Conv3d(4, 3, 2, bias=False)
    def forward(s, x):
        return s.a(x), s.b(x)
x = torch.randn(2, 4, 7, 6, 5)
torch.onnx.export(M().eval(), (x,), os.path.join(OUT, "conv3d.onnx"), opset_version=13,
                  input_names=["x"], output_names=["a", "b"])
model = onnx.load(os.path.join(OUT, "conv3d.onnx"))
g = model.graph
g.initializer.append(numpy_helper.from_array(
    np.random.default_rng(0).standard_normal((4, 2, 2, 3, 2)).astype(np.float32), "wt"))
g.node.append(h.make_node("Conv", ["x", g.node[-1].input[1]], ["c"], auto_pad="SAME_UPPER", strides=[2, 2, 2]))
g.node.append(h.make_node("ConvTranspose", ["x", "wt"], ["d"], auto_pad="SAME_LOWER", strides=[2, 1, 2]))
g.output.append(h.make_tensor_value_info("c", onnx.TensorProto.FLOAT, [2, 3, 4, 3, 3]))
g.output.append(h.make_tensor_value_info("d", onnx.TensorProto.FLOAT, [2, 2, 14, 6, 10]))
onnx.checker.check_model(model)
onnx.save(model, os.path.join(OUT, "conv3d.onnx"))
save_case(OUT, "conv3d", [("x", x.numpy())])
