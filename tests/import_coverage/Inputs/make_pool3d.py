"""Makes pool3d.onnx (+ .data): 3-D MaxPool (ceil_mode, pads) and AveragePool (count_include_pad
0 and 1, anisotropic strides), reference from onnxruntime-node. Run from anywhere with Debian's
python3 after npm ci."""
import os, sys, torch, torch.nn as nn
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.dirname(os.path.abspath(__file__))
from ort_tools import save_case
torch.manual_seed(0)
class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.a = nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True)
        s.b = nn.AvgPool3d(2, stride=(1, 2, 2), padding=(0, 1, 1), count_include_pad=False)
        s.c = nn.AvgPool3d(3, stride=1, padding=1, count_include_pad=True)
    def forward(s, x):
        return s.a(x), s.b(x), s.c(x)
x = torch.randn(1, 3, 7, 9, 10)
torch.onnx.export(M().eval(), (x,), os.path.join(OUT, "pool3d.onnx"), opset_version=13, input_names=["x"], output_names=["a", "b", "c"])
save_case(OUT, "pool3d", [("x", x.numpy())])
