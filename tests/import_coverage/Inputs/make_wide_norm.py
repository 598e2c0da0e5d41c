"""Makes wide_norm.onnx (+ .data): normalisations over instances wider than one PE's LM holds
(InstanceNorm on 48x48 planes, GroupNorm, LayerNorm over 2048, Softmax / LogSoftmax over 3000)
beside a narrow InstanceNorm that keeps the device kernel; reference from onnxruntime-node.
Run from anywhere with Debian's python3 after npm ci."""
import os, sys, torch, torch.nn as nn
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.dirname(os.path.abspath(__file__))
from ort_tools import save_case
torch.manual_seed(0)
class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.wide = nn.InstanceNorm2d(3, affine=True)
        s.group = nn.GroupNorm(2, 4)
        s.narrow = nn.InstanceNorm2d(3, affine=True)
        s.ln = nn.LayerNorm(2048)
        for p in s.parameters():
            nn.init.normal_(p, 1.0, 0.5)
    def forward(s, img, small, vec, logits):
        return (s.wide(img * 3 + 1), s.group(torch.cat([img, img[:, :1]], 1)), s.narrow(small),
                s.ln(vec), torch.softmax(logits, -1), torch.log_softmax(logits, 1))
ins = (torch.randn(1, 3, 48, 48), torch.randn(1, 3, 8, 8), torch.randn(2, 2048) * 4, torch.randn(2, 3000) * 5)
names = ["img", "small", "vec", "logits"]
path = os.path.join(OUT, "wide_norm.onnx")
with torch.no_grad():
    torch.onnx.export(M().eval(), ins, path, opset_version=17, input_names=names,
                      output_names=["inorm", "gnorm", "narrow", "lnorm", "softmax", "logsoftmax"])
save_case(OUT, "wide_norm", [(n, x.numpy()) for n, x in zip(names, ins)])
