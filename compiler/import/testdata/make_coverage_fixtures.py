#!/usr/bin/python3
"""torch.onnx.export fixtures of the coverage ops for compiler/import tests.

Run with Debian's python3-torch: /usr/bin/python3 compiler/import/testdata/make_coverage_fixtures.py
Writes cov_<name>.onnx next to this script: recurrent layers (LSTM / GRU / RNN, batch_first and
bidirectional), resampling (nn.Upsample, F.interpolate over opsets 9-13), ConvTranspose2d,
PixelShuffle (DepthToSpace), torch.where with a computed mask, argmax, cumsum and einsum.
Static shapes, torch's constant folding off (as make_fixtures.py), one input named "x".
"""
import os
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


class Recurrent(torch.nn.Module):
    """A recurrent layer; returns its output sequence and (for LSTM) the last cell state."""

    def __init__(self, kind, batch_first, bidirectional, layers=1, **kw):
        super().__init__()
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
        self.kind = kind
        self.rnn = cls(4, 6, num_layers=layers, batch_first=batch_first,
                       bidirectional=bidirectional, **kw)

    def forward(self, x):
        y, state = self.rnn(x)
        if self.kind == "lstm":
            return y, state[1]
        return y, state


class Lambda(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def where_mask(x):
    return torch.where(x.sum(dim=1, keepdim=True) > 0.5, x * 2.0, -x)


def einsum_attention(x):
    q = x[:, :, :, :4]
    k = x[:, :, :, 4:]
    return torch.einsum("bhqd,bhkd->bhqk", q, k)


def einsum_bmm(x):
    return torch.einsum("bij,bjk->bik", x, x.transpose(1, 2))


CASES = [
    # name, module, input shape, opset
    ("lstm", Recurrent("lstm", False, False), (5, 2, 4), 13),
    ("lstm_bf_bidir", Recurrent("lstm", True, True), (2, 5, 4), 13),
    ("lstm_2layer", Recurrent("lstm", False, True, layers=2), (3, 2, 4), 11),
    ("gru", Recurrent("gru", False, False), (5, 2, 4), 13),
    ("gru_bf_bidir", Recurrent("gru", True, True), (2, 4, 4), 13),
    ("rnn_relu", Recurrent("rnn", False, True, nonlinearity="relu"), (4, 2, 4), 13),
    ("rnn_bf", Recurrent("rnn", True, False), (2, 4, 4), 9),
    ("upsample_nearest", torch.nn.Upsample(scale_factor=2, mode="nearest"), (1, 2, 3, 4), 13),
    ("upsample_nearest_opset9", torch.nn.Upsample(scale_factor=2, mode="nearest"), (1, 2, 3, 4), 9),
    ("upsample_nearest_opset10", torch.nn.Upsample(scale_factor=2, mode="nearest"), (1, 2, 3, 4), 10),
    ("upsample_bilinear", torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
     (1, 2, 3, 4), 13),
    ("interpolate_size", Lambda(lambda x: F.interpolate(x, size=(5, 7), mode="bilinear",
                                                        align_corners=False)), (1, 2, 3, 4), 11),
    ("interpolate_align", Lambda(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear",
                                                         align_corners=True)), (1, 2, 3, 4), 13),
    ("conv_transpose", torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
     (1, 3, 4, 5), 13),
    ("pixel_shuffle", torch.nn.PixelShuffle(2), (1, 8, 3, 4), 13),
    ("where_mask", Lambda(where_mask), (2, 3, 4), 13),
    ("argmax", Lambda(lambda x: torch.argmax(x, dim=1)), (3, 5), 13),
    ("cumsum", Lambda(lambda x: torch.cumsum(x, dim=1)), (2, 5), 13),
    ("einsum_attention", Lambda(einsum_attention), (1, 2, 3, 8), 13),
    ("einsum_bmm", Lambda(einsum_bmm), (2, 3, 4), 13),
]


def main():
    for k, (name, module, shape, opset) in enumerate(CASES):
        torch.manual_seed(k)
        module.eval()
        path = os.path.join(HERE, f"cov_{name}.onnx")
        example = torch.randn(*shape)
        with torch.no_grad():
            outputs = module(example)
        n_out = len(outputs) if isinstance(outputs, tuple) else 1
        torch.onnx.export(module, (example,), path, opset_version=opset, input_names=["x"],
                          output_names=["y"] + [f"y{i}" for i in range(1, n_out)],
                          do_constant_folding=False)
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
