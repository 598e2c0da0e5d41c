#!/usr/bin/python3
"""torch.onnx.export fixtures of the coverage ops for compiler/import tests.

Run with Debian's python3-torch: /usr/bin/python3 compiler/import/testdata/make_coverage_fixtures.py
Writes cov_<name>.onnx next to this script: recurrent layers (LSTM / GRU / RNN, batch_first and
bidirectional), resampling (nn.Upsample, F.interpolate over opsets 9-13), ConvTranspose2d,
PixelShuffle (DepthToSpace), torch.where with a computed mask, argmax, cumsum and einsum.
Static shapes, torch's constant folding off (as make_fixtures.py), one input named "x".
Also cov_hand_<name>.onnx, built with onnx.helper, for the forms torch does not emit (GRU with
linear_before_reset 0, LSTM layout 1 with given initial states and other activations, RNN
reverse, other Einsum equations, variadic Sum / Mean / Max, CRD DepthToSpace, SpaceToDepth,
Tile, the composite reductions). onnxruntime has no batch-first (layout 1) LSTM, so
cov_hand_lstm_layout1.ref.onnx is the same LSTM at layout 0 between Transposes: the reference
check_rewrites.py runs instead.
"""
import os
import warnings

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
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


torch.manual_seed(0)  # the modules below are built at import: fixed weights on every run
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
    ("pad", Lambda(lambda x: F.pad(x, (1, 2, 0, 1), value=0.5)), (1, 2, 3, 4), 13),
    ("pad_opset9", Lambda(lambda x: F.pad(x, (1, 2, 0, 1), value=0.5)), (1, 2, 3, 4), 9),
    ("expand_repeat", Lambda(lambda x: x.expand(2, 3, 4) + x.repeat(2, 1, 4)), (1, 3, 1), 13),
    ("norms", Lambda(lambda x: torch.norm(x, dim=1) + torch.logsumexp(x, dim=1)), (2, 3, 4), 13),
    ("masked_fill", Lambda(lambda x: x.masked_fill(x < 0.2, 0.0) + (x > 0).float()), (2, 5), 13),
]


def hand_model(name, nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, d) for n, d in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, d) for n, d in outputs],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="make_coverage_fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(HERE, f"cov_hand_{name}.onnx")
    onnx.save(model, path)
    print("wrote", path, os.path.getsize(path), "bytes")


def rand(rng, *dims):
    return (rng.randn(*dims) * 0.5).astype(np.float32)


def hand_models():
    rng = np.random.RandomState(7)
    S, B, I, H = 3, 2, 4, 5
    hand_model("gru_lbr0_reverse", [
        helper.make_node("GRU", ["x", "w", "r", "", "", "h0"], ["", "yh"], hidden_size=H,
                         direction="reverse", linear_before_reset=0)],
        [("x", [S, B, I])], [("yh", [1, B, H])],
        [("w", rand(rng, 1, 3 * H, I)), ("r", rand(rng, 1, 3 * H, H)), ("h0", rand(rng, 1, B, H))])
    lstm_w = [("w", rand(rng, 2, 4 * H, I)), ("r", rand(rng, 2, 4 * H, H)), ("b", rand(rng, 2, 8 * H))]
    acts = dict(activations=["HardSigmoid", "Tanh", "Softsign", "Sigmoid", "LeakyRelu", "Tanh"],
                activation_alpha=[0.3, 0.05], activation_beta=[0.4])
    hand_model("lstm_layout1", [
        helper.make_node("LSTM", ["x", "w", "r", "b", "", "h0", "c0"], ["", "yh", "yc"],
                         hidden_size=H, direction="bidirectional", layout=1, **acts)],
        [("x", [B, S, I]), ("h0", [B, 2, H]), ("c0", [B, 2, H])], [("yh", [B, 2, H]), ("yc", [B, 2, H])],
        lstm_w, opset=14)
    ref = helper.make_graph([
        helper.make_node("Transpose", ["x"], ["xt"], perm=[1, 0, 2]),
        helper.make_node("Transpose", ["h0"], ["h0t"], perm=[1, 0, 2]),
        helper.make_node("Transpose", ["c0"], ["c0t"], perm=[1, 0, 2]),
        helper.make_node("LSTM", ["xt", "w", "r", "b", "", "h0t", "c0t"], ["", "yht", "yct"],
                         hidden_size=H, direction="bidirectional", **acts),
        helper.make_node("Transpose", ["yht"], ["yh"], perm=[1, 0, 2]),
        helper.make_node("Transpose", ["yct"], ["yc"], perm=[1, 0, 2])], "ref",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, d)
         for n, d in [("x", [B, S, I]), ("h0", [B, 2, H]), ("c0", [B, 2, H])]],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [B, 2, H]) for n in ("yh", "yc")],
        [numpy_helper.from_array(a, n) for n, a in lstm_w])
    onnx.save(helper.make_model(ref, opset_imports=[helper.make_opsetid("", 14)]),
              os.path.join(HERE, "cov_hand_lstm_layout1.ref.onnx"))
    # Refused forms (tests/import_coverage/refusals.test): peepholes, partial sequence lengths.
    for name, extra, inputs in [("peephole", [("p", rand(rng, 2, 3 * H))], ["x", "w", "r", "b", "", "", "", "p"]),
                                ("seqlens", [("lens", np.array([3, 2], dtype=np.int32))], ["x", "w", "r", "b", "lens"])]:
        graph = helper.make_graph(
            [helper.make_node("LSTM", inputs, ["y"], hidden_size=H, direction="bidirectional")],
            name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [S, B, I])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [S, 2, B, H])],
            [numpy_helper.from_array(a, n) for n, a in lstm_w + extra])
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
                  os.path.join(HERE, f"bad_lstm_{name}.onnx"))
    hand_model("rnn_reverse", [
        helper.make_node("RNN", ["x", "w", "r", "b"], ["y"], hidden_size=H, direction="reverse")],
        [("x", [S, B, I])], [("y", [S, 1, B, H])],
        [("w", rand(rng, 1, H, I)), ("r", rand(rng, 1, H, H)), ("b", rand(rng, 1, 2 * H))])
    hand_model("einsum", [
        helper.make_node("Einsum", ["a", "b"], ["dot"], equation="bi,bi->b"),
        helper.make_node("Einsum", ["a", "c"], ["mm"], equation="ij,jk->ki"),
        helper.make_node("Einsum", ["a"], ["t"], equation="ij->ji")],
        [("a", [3, 4]), ("b", [3, 4]), ("c", [4, 5])], [("dot", [3]), ("mm", [5, 3]), ("t", [4, 3])])
    hand_model("variadic", [
        helper.make_node("Sum", ["a", "b", "c"], ["s"]),
        helper.make_node("Mean", ["a", "b", "c"], ["m"]),
        helper.make_node("Max", ["a", "b", "c"], ["mx"]),
        helper.make_node("Min", ["a", "c", "b"], ["mn"])],
        [("a", [2, 3]), ("b", [3]), ("c", [2, 3])],
        [("s", [2, 3]), ("m", [2, 3]), ("mx", [2, 3]), ("mn", [2, 3])])
    hand_model("depth_space", [
        helper.make_node("DepthToSpace", ["x"], ["crd"], blocksize=2, mode="CRD"),
        helper.make_node("DepthToSpace", ["x"], ["dcr"], blocksize=2),
        helper.make_node("SpaceToDepth", ["crd"], ["s2d"], blocksize=2),
        helper.make_node("Tile", ["x", "reps"], ["tile"])],
        [("x", [1, 8, 2, 3])],
        [("crd", [1, 2, 4, 6]), ("dcr", [1, 2, 4, 6]), ("s2d", [1, 8, 2, 3]), ("tile", [2, 8, 2, 9])],
        [("reps", np.array([2, 1, 1, 3], dtype=np.int64))])
    masks = helper.make_graph([
        helper.make_node("Less", ["x", "z"], ["lt"]),
        helper.make_node("Equal", ["x", "z"], ["eq"]),
        helper.make_node("Or", ["lt", "eq"], ["le"]),
        helper.make_node("Xor", ["le", "c"], ["xr"]),
        helper.make_node("Not", ["xr"], ["nx"]),
        helper.make_node("Neg", ["x"], ["nxv"]),
        helper.make_node("Where", ["nx", "x", "nxv"], ["y"]),
        helper.make_node("Cast", ["x"], ["xb"], to=TensorProto.BOOL),
        helper.make_node("And", ["xb", "c"], ["both"]),
        helper.make_node("Cast", ["both"], ["m"], to=TensorProto.FLOAT)], "masks",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, [2, 3]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 3]) for n in ("y", "m")])
    model = helper.make_model(masks, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, os.path.join(HERE, "cov_hand_masks.onnx"))
    hand_model("reduce", [
        helper.make_node("Abs", ["x"], ["ax"]),
        helper.make_node("ReduceL1", ["x"], ["l1"], axes=[1]),
        helper.make_node("ReduceL2", ["x"], ["l2"], axes=[0, 2], keepdims=0),
        helper.make_node("ReduceSumSquare", ["x"], ["ss"]),
        helper.make_node("ReduceLogSumExp", ["x"], ["lse"], axes=[-1]),
        helper.make_node("ReduceLogSum", ["ax"], ["ls"], axes=[1]),
        helper.make_node("Mul", ["x", "hundred"], ["big"]),  # exp(100 x) overflows float
        helper.make_node("ReduceLogSumExp", ["big"], ["lse0"], axes=[1], keepdims=0)],
        [("x", [2, 3, 4])],
        [("l1", [2, 1, 4]), ("l2", [3]), ("ss", [1, 1, 1]), ("lse", [2, 3, 1]), ("ls", [2, 1, 4]),
         ("lse0", [2, 4])],
        [("hundred", np.array(100.0, dtype=np.float32))])


def main():
    hand_models()
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
