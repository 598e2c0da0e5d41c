#!/usr/bin/python3
"""Makes "real" models as users export them from PyTorch, for tools/check_real_models.sh.

Run from anywhere with Debian's Python (python3-torch, python3-torchvision, python3-onnx) after
`ONNXRUNTIME_NODE_INSTALL=skip npm ci`:

    /usr/bin/python3 tools/make_real_models.py [--cache DIR] [--force] [NAME ...]

Writes into the cache (default .cache/models/, git-ignored), for each model,
NAME.onnx and NAME.data/{input_0.pb, output_0.pb} (ONNX backend-test layout). The reference
output comes from onnxruntime-node (tools/ort_reference.js, one thread); max |ort - torch| is
printed as a sanity check. A model whose three files already exist is skipped (--force
rewrites). Weights are random (fixed seeds, no downloads); BatchNorm layers get real running
statistics from a few train-mode forward passes before eval(), so activations do not collapse.

Models: resnet18, resnet18_dynamic (symbolic batch; compile with --input_shape=x=1x3x224x224),
mobilenet_v2, transformer (2 TransformerEncoderLayers, GELU, opset 14), lstm (2-layer LSTM),
unet_small (ConvTranspose2d + nearest Upsample + skip concat), mlp_opset9 (opset 9 attribute
forms of Squeeze/Unsqueeze/Slice), and the families of tools/wild_models.py: style_transfer,
yolo_tiny, audio_encoder, hf_bert (two inputs: input_ids, attention_mask) and t5_attention;
r3d_18 (torchvision's video ResNet, 3-D convolutions, on an 8x56x56 clip).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

from ort_tools import ort_reference, write_tensors
import torchvision
import wild_models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CACHE = os.path.join(ROOT, ".cache", "models")


# ---------------------------------------------------------------------------------------------
# Models


def calibrate_bn(model, shape, steps=4, batch=4):
    """A few train-mode forward passes on random data, so BatchNorm has real statistics."""
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(batch, *shape[1:]))
    model.eval()
    return model


class TransformerModel(nn.Module):
    def __init__(self, d_model=128, classes=10):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=d_model, nhead=4, dim_feedforward=256,
                                           activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x):                    # [1,128,128]
        return self.head(self.encoder(x))    # [1,128,10]


class LstmModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=32, hidden_size=64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 10)

    def forward(self, x):                    # [1,16,32]
        h, _ = self.lstm(x)                  # [1,16,64]
        return self.head(h)                  # [1,16,10]


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class UNetSmall(nn.Module):
    def __init__(self, classes=2):
        super().__init__()
        self.down1 = conv_bn_relu(3, 16)                         # 64x64
        self.down2 = conv_bn_relu(16, 32)                        # 32x32
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = conv_bn_relu(32, 64)                   # 16x16
        self.up_t = nn.ConvTranspose2d(64, 32, 2, stride=2)      # 16 -> 32
        self.dec2 = conv_bn_relu(64, 32)                         # cat(up_t, down2)
        self.up_n = nn.Upsample(scale_factor=2, mode="nearest")  # 32 -> 64
        self.dec1 = conv_bn_relu(48, 16)                         # cat(up_n, down1)
        self.final = nn.Conv2d(16, classes, 1)

    def forward(self, x):                                        # [1,3,64,64]
        d1 = self.down1(x)                                       # [1,16,64,64]
        d2 = self.down2(self.pool(d1))                           # [1,32,32,32]
        b = self.bottleneck(self.pool(d2))                       # [1,64,16,16]
        u2 = self.dec2(torch.cat([self.up_t(b), d2], dim=1))     # [1,32,32,32]
        u1 = self.dec1(torch.cat([self.up_n(u2), d1], dim=1))    # [1,16,64,64]
        return self.final(u1)                                    # [1,2,64,64]


class MlpOpset9(nn.Module):
    """An MLP whose export uses Unsqueeze/Slice/Squeeze (attribute forms in opset 9)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):                       # [4,64]
        h = torch.relu(self.fc1(x))             # [4,128]
        h = h.unsqueeze(1)                      # [4,1,128]  Unsqueeze(axes=[1])
        h = h[:, :, 16:80]                      # [4,1,64]   Slice(starts, ends, axes)
        h = h.squeeze(1)                        # [4,64]     Squeeze(axes=[1])
        return self.fc2(h)                      # [4,10]


class BertTiny(nn.Module):
    """A BERT-like encoder on token ids: embedding lookup (Gather with run-time indices), learned
    positions, 2 post-norm GELU encoder layers, a classifier on the first token."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 64)
        self.pos = nn.Parameter(torch.randn(1, 16, 64) * 0.1)
        layer = nn.TransformerEncoderLayer(64, 4, 128, activation="gelu", batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(64, 2)

    def forward(self, ids):
        return self.head(self.enc(self.emb(ids) + self.pos)[:, 0])


def build(name):
    """Returns (model in eval mode, example input, opset, export kwargs, no_grad export)."""
    if name in ("resnet18", "resnet18_dynamic"):
        torch.manual_seed(18)
        shape = (1, 3, 224, 224)
        model = calibrate_bn(torchvision.models.resnet18(weights=None), shape)
        torch.manual_seed(1018)
        kwargs = {}
        if name == "resnet18_dynamic":
            kwargs["dynamic_axes"] = {"x": {0: "batch"}, "y": {0: "batch"}}
        return model, torch.randn(*shape), 13, kwargs, True
    if name == "mobilenet_v2":
        torch.manual_seed(2)
        shape = (1, 3, 224, 224)
        model = calibrate_bn(torchvision.models.mobilenet_v2(weights=None), shape)
        torch.manual_seed(1002)
        return model, torch.randn(*shape), 13, {}, True
    if name == "transformer":
        torch.manual_seed(128)
        model = TransformerModel().eval()
        torch.manual_seed(1128)
        # Exported WITHOUT torch.no_grad(): the fused fast path does not export (BUILD-NOTES).
        return model, torch.randn(1, 128, 128), 14, {}, False
    if name == "lstm":
        torch.manual_seed(64)
        model = LstmModel().eval()
        torch.manual_seed(1064)
        return model, torch.randn(1, 16, 32), 13, {}, True
    if name == "unet_small":
        torch.manual_seed(7)
        shape = (1, 3, 64, 64)
        model = calibrate_bn(UNetSmall(), shape)
        torch.manual_seed(1007)
        return model, torch.randn(*shape), 13, {}, True
    if name in TORCHVISION_EXTRA:  # more torchvision families: hard-swish, channel shuffle, fire
        torch.manual_seed(len(name))
        shape = (1, 3, 224, 224)
        model = calibrate_bn(getattr(torchvision.models, name)(weights=None), shape)
        torch.manual_seed(1000 + len(name))
        return model, torch.randn(*shape), 13, {}, True
    if name == "bert_tiny":
        torch.manual_seed(30)
        model = BertTiny().eval()
        torch.manual_seed(1030)
        # Token ids of any length: compile with --input_shape=x=1x16.
        kwargs = {"dynamic_axes": {"x": {0: "batch", 1: "seq"}}}
        return model, torch.randint(0, 1000, (1, 16)), 14, kwargs, False
    if name in ("style_transfer", "yolo_tiny"):
        torch.manual_seed(41 if name == "style_transfer" else 42)
        shape = (1, 3, 64, 64) if name == "style_transfer" else (1, 3, 128, 128)
        model = wild_models.StyleTransfer() if name == "style_transfer" else wild_models.YoloTiny()
        model = calibrate_bn(model, shape)
        torch.manual_seed(1041)
        return model, torch.randn(*shape), 13, {}, True
    if name == "audio_encoder":
        torch.manual_seed(43)
        model = wild_models.AudioEncoder().eval()
        torch.manual_seed(1043)
        return model, torch.randn(1, 1, 4000), 14, {}, False
    if name == "hf_bert":
        torch.manual_seed(44)
        model = wild_models.HfBert().eval()
        torch.manual_seed(1044)
        ids, mask = torch.randint(0, 2000, (1, 64)), torch.ones(1, 64, dtype=torch.long)
        mask[:, 50:] = 0  # padding: the additive mask matters
        seq = {0: "batch", 1: "sequence"}
        kwargs = {"dynamic_axes": {"input_ids": seq, "attention_mask": seq}}
        return model, [("input_ids", ids), ("attention_mask", mask)], 14, kwargs, True
    if name == "r3d_18":  # video: 3-D convolutions on a short clip
        torch.manual_seed(46)
        shape = (1, 3, 8, 56, 56)
        model = calibrate_bn(torchvision.models.video.r3d_18(weights=None), shape)
        torch.manual_seed(1046)
        return model, torch.randn(*shape), 13, {}, True
    if name == "t5_attention":
        torch.manual_seed(45)
        model = wild_models.T5Attention().eval()
        torch.manual_seed(1045)
        kwargs = {"dynamic_axes": {"x": {0: "batch", 1: "sequence"}}}
        return model, torch.randint(0, 500, (1, 48)), 14, kwargs, True
    if name == "mlp_opset9":
        torch.manual_seed(9)
        model = MlpOpset9().eval()
        torch.manual_seed(1009)
        return model, torch.randn(4, 64), 9, {}, True
    raise KeyError(name)


TORCHVISION_EXTRA = ["mobilenet_v3_small", "shufflenet_v2_x0_5", "squeezenet1_0"]
MODELS = ["resnet18", "resnet18_dynamic", "mobilenet_v2", "transformer", "lstm", "unet_small",
          "mlp_opset9", "bert_tiny"] + TORCHVISION_EXTRA + [
          "style_transfer", "yolo_tiny", "audio_encoder", "hf_bert", "t5_attention", "r3d_18"]


# ---------------------------------------------------------------------------------------------
# Export and references (same layout and reference executor as tools/make_testdata.py)


def files_of(cache, name):
    return (os.path.join(cache, name + ".onnx"),
            os.path.join(cache, name + ".data", "input_0.pb"),
            os.path.join(cache, name + ".data", "output_0.pb"))


def make(cache, name):
    model, x, opset, kwargs, no_grad = build(name)
    named = x if isinstance(x, list) else [("x", x)]  # several inputs: (name, tensor) pairs
    onnx_path = os.path.join(cache, name + ".onnx")
    tmp_path = onnx_path + ".tmp"
    export = lambda: torch.onnx.export(model, tuple(t for _, t in named), tmp_path,
                                       opset_version=opset, input_names=[n for n, _ in named],
                                       output_names=["y"], **kwargs)
    if no_grad:
        with torch.no_grad():
            export()
    else:
        export()
    onnx.checker.check_model(onnx.load(tmp_path))
    with torch.no_grad():
        expected = model(*[t for _, t in named]).numpy()
    arrays = [(n, t.numpy()) for n, t in named]
    outputs = ort_reference(tmp_path, arrays)
    folder = os.path.join(cache, name + ".data")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    write_tensors(folder, "input", arrays)
    write_tensors(folder, "output", outputs)
    os.replace(tmp_path, onnx_path)  # last: the .onnx existing means the case is complete
    got = outputs[0][1]
    diff = float(np.max(np.abs(got - expected)))
    scale = float(np.max(np.abs(expected)))
    ops = sorted({n.op_type for n in onnx.load(onnx_path).graph.node})
    print("%-17s opset %-2d input %-17s output %-15s max|ort - torch| = %.3g (max|y| = %.3g)"
          % (name, opset, " ".join(str(list(t.shape)) for _, t in named), list(got.shape), diff,
             scale))
    print("%-17s ops: %s" % ("", " ".join(ops)))
    if diff > 1e-3 * max(1.0, scale):
        print("make_real_models: warning: %s: onnxruntime and torch disagree (%g)" % (name, diff),
              file=sys.stderr)
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=os.environ.get("PFCOMP_MODEL_CACHE", DEFAULT_CACHE))
    parser.add_argument("--force", action="store_true", help="rewrite models that exist")
    parser.add_argument("names", nargs="*", help="models to make (default: all): "
                        + " ".join(MODELS))
    args = parser.parse_args()
    names = args.names or MODELS
    for name in names:
        if name not in MODELS:
            sys.exit("make_real_models: unknown model %r (known: %s)" % (name, " ".join(MODELS)))
    os.makedirs(args.cache, exist_ok=True)
    torch.set_num_threads(1)
    for name in names:
        if not args.force and all(os.path.exists(f) for f in files_of(args.cache, name)):
            print("%-17s exists, skipped" % name)
            continue
        make(args.cache, name)
    print("models in", os.path.relpath(args.cache, os.getcwd()))


if __name__ == "__main__":
    main()
