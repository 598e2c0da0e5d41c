#!/usr/bin/python3
"""Small torch.onnx.export fixtures for compiler/import tests, across opsets 7-17.

Run with Debian's python3-torch: /usr/bin/python3 compiler/import/testdata/make_fixtures.py
Writes <model>_opset<N>.onnx next to this script. Exports keep torch's own constant folding off
(do_constant_folding=False) so the Shape/Gather/Concat chains and BatchNormalization nodes reach
onnx-import as torch emits them without the optimisation; opset 13 files have a dynamic batch.
"""
import os
import warnings

import torch

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


class SmallCnn(torch.nn.Module):
    """Conv + BN + ReLU + pool, a slice, reshape by x.size(0), dropout, clamp, linear, softmax."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4 * 3 * 3, 5)
        self.bn1d = torch.nn.BatchNorm1d(5)
        self.drop = torch.nn.Dropout(0.2)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        y = torch.nn.functional.max_pool2d(y, 2)[:, :, 1:, :-1]
        y = self.drop(y.reshape(x.size(0), -1))
        y = torch.clamp(y, 0.0, 6.0)
        return torch.softmax(self.bn1d(self.fc(y)), dim=-1)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


def train_bn(model, shape):
    # Real running statistics, so BN folding is tested with non-trivial numbers.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(*shape))
    model.eval()


def main():
    torch.manual_seed(0)
    cnn = SmallCnn()
    train_bn(cnn, (4, 3, 8, 8))
    enc = Encoder().eval()
    for name, model, shape, opsets in [("cnn", cnn, (2, 3, 8, 8), [7, 9, 11, 13, 17]),
                                       ("encoder", enc, (2, 5, 16), [11, 13, 17])]:
        for opset in opsets:
            path = os.path.join(HERE, f"{name}_opset{opset}.onnx")
            torch.onnx.export(model, torch.randn(*shape), path, opset_version=opset,
                              input_names=["x"], output_names=["y"], do_constant_folding=False,
                              dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}} if opset == 13 else None)
            print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
