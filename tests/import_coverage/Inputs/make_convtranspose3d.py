"""Makes convtranspose3d.onnx (+ .data): 3-D ConvTranspose with strides, pads, output_padding,
dilations and a bias, and one with auto_pad-free defaults and several input channels; reference
from onnxruntime-node. Run from anywhere with Debian's python3 after npm ci."""
import os, sys, torch, torch.nn as nn
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.dirname(os.path.abspath(__file__))
from ort_tools import save_case
torch.manual_seed(0)
class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.a = nn.ConvTranspose3d(3, 4, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1),
                                 output_padding=(1, 0, 1), dilation=(1, 2, 1))
        s.b = nn.ConvTranspose3d(3, 2, 2, bias=False)
    def forward(s, x):
        return s.a(x), s.b(x)
x = torch.randn(2, 3, 4, 5, 3)
torch.onnx.export(M().eval(), (x,), os.path.join(OUT, "convtranspose3d.onnx"), opset_version=13,
                  input_names=["x"], output_names=["a", "b"])
save_case(OUT, "convtranspose3d", [("x", x.numpy())])
