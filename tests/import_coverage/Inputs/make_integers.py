#!/usr/bin/python3
"""Makes integers.onnx and integers.data/ (and quant.onnx / quant.data/, see quantized()): elementwise ops on narrow integer types (Mod in both
sign conventions, Max, Clip, BitShift, Cast, Pow with an unsigned exponent), Size and EyeLike
folded to constants, and Cast to and from bfloat16 (rounding to nearest even), with numpy
references (exact integer arithmetic, wrapping per type). Run from anywhere with
Debian's Python: /usr/bin/python3 tests/import_coverage/Inputs/make_integers.py"""
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

HERE = os.path.dirname(os.path.abspath(__file__))


def to_bf16_bits(x):
    """float32 -> bfloat16 bit patterns, rounded to nearest even."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_tensor(bits):
    t = onnx.TensorProto()
    t.data_type = TP.BFLOAT16
    t.dims.extend(bits.shape)
    t.raw_data = bits.tobytes()
    return t


def main():
    rng = np.random.default_rng(7)
    a = rng.integers(-128, 128, size=(2, 5), dtype=np.int8)
    b = rng.integers(1, 20, size=(2, 5), dtype=np.int8) * np.where(rng.random((2, 5)) < 0.5, -1, 1).astype(np.int8)
    s = rng.integers(0, 65536, size=(5,), dtype=np.uint16)
    t = rng.integers(0, 16, size=(5,), dtype=np.uint16)
    f = rng.uniform(-9, 9, size=(2, 5)).astype(np.float32)
    e = rng.integers(0, 4, size=(2, 5), dtype=np.uint32)
    lo, hi = np.array(-50, np.int8), np.array(60, np.int8)
    k = np.array([3], np.int32)
    g = to_bf16_bits(rng.uniform(-4, 4, size=(4,)).astype(np.float32))

    nodes = [
        helper.make_node("Mod", ["a", "b"], ["mod"], fmod=0),
        helper.make_node("Mod", ["a", "b"], ["fmod_i8"], fmod=1),
        helper.make_node("Max", ["a", "b"], ["mx"]),
        helper.make_node("Clip", ["mx", "lo", "hi"], ["clip"]),
        helper.make_node("BitShift", ["s", "t"], ["shl"], direction="LEFT"),
        helper.make_node("Cast", ["a"], ["a32"], to=TP.INT32),
        helper.make_node("Mul", ["a32", "k"], ["mul32"]),
        helper.make_node("Pow", ["f", "e"], ["pow"]),
        helper.make_node("Size", ["f"], ["size"]),
        helper.make_node("EyeLike", ["f"], ["eye"], dtype=TP.INT32, k=1),
        helper.make_node("Cast", ["f"], ["f_bf16"], to=TP.BFLOAT16),
        helper.make_node("Cast", ["g"], ["g_f32"], to=TP.FLOAT),
    ]
    graph = helper.make_graph(
        nodes, "integers",
        [helper.make_tensor_value_info("a", TP.INT8, [2, 5]),
         helper.make_tensor_value_info("b", TP.INT8, [2, 5]),
         helper.make_tensor_value_info("s", TP.UINT16, [5]),
         helper.make_tensor_value_info("t", TP.UINT16, [5]),
         helper.make_tensor_value_info("f", TP.FLOAT, [2, 5]),
         helper.make_tensor_value_info("e", TP.UINT32, [2, 5]),
         helper.make_tensor_value_info("g", TP.BFLOAT16, [4])],
        [helper.make_tensor_value_info("mod", TP.INT8, [2, 5]),
         helper.make_tensor_value_info("fmod_i8", TP.INT8, [2, 5]),
         helper.make_tensor_value_info("clip", TP.INT8, [2, 5]),
         helper.make_tensor_value_info("shl", TP.UINT16, [5]),
         helper.make_tensor_value_info("mul32", TP.INT32, [2, 5]),
         helper.make_tensor_value_info("pow", TP.FLOAT, [2, 5]),
         helper.make_tensor_value_info("size", TP.INT64, []),
         helper.make_tensor_value_info("eye", TP.INT32, [2, 5]),
         helper.make_tensor_value_info("f_bf16", TP.BFLOAT16, [2, 5]),
         helper.make_tensor_value_info("g_f32", TP.FLOAT, [4])],
        [numpy_helper.from_array(lo, "lo"), numpy_helper.from_array(hi, "hi"),
         numpy_helper.from_array(k, "k")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "integers.onnx"))

    outputs = [
        np.mod(a, b),
        np.fmod(a, b),
        np.clip(np.maximum(a, b), lo, hi),
        np.left_shift(s, t),
        a.astype(np.int32) * k,
        np.power(f, e.astype(np.float32)),
        np.array(f.size, np.int64),
        np.eye(2, 5, k=1, dtype=np.int32),
        to_bf16_bits(f),
        (g.astype(np.uint32) << 16).view(np.float32),
    ]
    data = os.path.join(HERE, "integers.data")
    os.makedirs(data, exist_ok=True)
    bf16 = {"input_6.pb", "output_8.pb"}  # bit patterns written as BFLOAT16 tensors
    files = [("input_%d.pb" % i, x) for i, x in enumerate([a, b, s, t, f, e, g])]
    files += [("output_%d.pb" % i, y) for i, y in enumerate(outputs)]
    for name, x in files:
        tensor = bf16_tensor(x) if name in bf16 else numpy_helper.from_array(x)
        onnx.save_tensor(tensor, os.path.join(data, name))


def save_case(name, model, inputs, outputs):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))
    data = os.path.join(HERE, name + ".data")
    os.makedirs(data, exist_ok=True)
    for i, x in enumerate(inputs):
        onnx.save_tensor(numpy_helper.from_array(x), os.path.join(data, "input_%d.pb" % i))
    for i, y in enumerate(outputs):
        onnx.save_tensor(numpy_helper.from_array(y), os.path.join(data, "output_%d.pb" % i))


def quantized():
    """quant.onnx: QuantizeLinear (per axis), DequantizeLinear, MatMulInteger with a per-row
    zero point and QLinearMatMul; scales and zero points are initializers."""
    rng = np.random.default_rng(11)
    x = rng.uniform(-3, 3, size=(2, 3, 4)).astype(np.float32)
    qs, qz = np.array([0.02, 0.05, 0.1], np.float32), np.array([128, 120, 100], np.uint8)
    a = rng.integers(0, 256, size=(3, 40), dtype=np.uint8)
    b = rng.integers(-128, 128, size=(40, 5), dtype=np.int8)
    az, bz = np.array([3, 7, 250], np.uint8), np.array(-2, np.int8)
    sa, za, sb, zb = np.array(0.05, np.float32), np.array(10, np.uint8), np.array(0.02, np.float32), np.array(130, np.uint8)
    sy, zy = np.array(0.9, np.float32), np.array(5, np.uint8)
    bu = rng.integers(0, 256, size=(40, 5), dtype=np.uint8)
    inits = [numpy_helper.from_array(v, n) for v, n in [
        (qs, "qs"), (qz, "qz"), (az, "az"), (bz, "bz"), (sa, "sa"), (za, "za"), (sb, "sb"),
        (zb, "zb"), (sy, "sy"), (zy, "zy")]]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "qs", "qz"], ["q"], axis=1),
        helper.make_node("DequantizeLinear", ["q", "qs", "qz"], ["dq"], axis=1),
        helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["mmi"]),
        helper.make_node("QLinearMatMul", ["a", "sa", "za", "bu", "sb", "zb", "sy", "zy"], ["qmm"]),
    ]
    graph = helper.make_graph(
        nodes, "quant",
        [helper.make_tensor_value_info("x", TP.FLOAT, [2, 3, 4]),
         helper.make_tensor_value_info("a", TP.UINT8, [3, 40]),
         helper.make_tensor_value_info("b", TP.INT8, [40, 5]),
         helper.make_tensor_value_info("bu", TP.UINT8, [40, 5])],
        [helper.make_tensor_value_info("q", TP.UINT8, [2, 3, 4]),
         helper.make_tensor_value_info("dq", TP.FLOAT, [2, 3, 4]),
         helper.make_tensor_value_info("mmi", TP.INT32, [3, 5]),
         helper.make_tensor_value_info("qmm", TP.UINT8, [3, 5])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    per_axis = lambda v: v.reshape(1, 3, 1)
    q = np.clip(np.rint(x / per_axis(qs)) + per_axis(qz), 0, 255).astype(np.uint8)
    dq = ((q.astype(np.int32) - per_axis(qz).astype(np.int32)) * per_axis(qs)).astype(np.float32)
    mmi = (a.astype(np.int32) - az.astype(np.int32).reshape(3, 1)) @ (b.astype(np.int32) - int(bz))
    acc = (a.astype(np.int32) - int(za)) @ (bu.astype(np.int32) - int(zb))
    qmm = np.clip(np.rint(acc.astype(np.float32) * (sa * sb / sy)) + int(zy), 0, 255).astype(np.uint8)
    save_case("quant", model, [x, a, b, bu], [q, dq, mmi.astype(np.int32), qmm])


def refused():
    """mod_float_fmod0.onnx: Mod with fmod=0 on floats, which ONNX defines for integers only."""
    graph = helper.make_graph(
        [helper.make_node("Mod", ["x", "y"], ["z"], fmod=0)], "mod_float_fmod0",
        [helper.make_tensor_value_info("x", TP.FLOAT, [4]), helper.make_tensor_value_info("y", TP.FLOAT, [4])],
        [helper.make_tensor_value_info("z", TP.FLOAT, [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.save(model, os.path.join(HERE, "mod_float_fmod0.onnx"))


def pool_indices():
    """pool_indices.onnx: MaxPool's int64 Indices output, padded (row-major) and strided
    (storage_order=1, column-major), on two images of two channels (batch offsets included)."""
    rng = np.random.default_rng(5)
    x = rng.permutation(2 * 2 * 5 * 6).astype(np.float32).reshape(2, 2, 5, 6)  # distinct maxima
    nodes = [
        helper.make_node("MaxPool", ["x"], ["y1", "i1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("MaxPool", ["x"], ["y2", "i2"], kernel_shape=[2, 2], strides=[2, 2], storage_order=1),
    ]
    graph = helper.make_graph(
        nodes, "pool_indices", [helper.make_tensor_value_info("x", TP.FLOAT, [2, 2, 5, 6])],
        [helper.make_tensor_value_info("y1", TP.FLOAT, [2, 2, 5, 6]),
         helper.make_tensor_value_info("i1", TP.INT64, [2, 2, 5, 6]),
         helper.make_tensor_value_info("y2", TP.FLOAT, [2, 2, 2, 3]),
         helper.make_tensor_value_info("i2", TP.INT64, [2, 2, 2, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7

    def pool(k, s, pad, column_major):
        n_, c_, h_, w_ = x.shape
        oh, ow = (h_ + 2 * pad - k) // s + 1, (w_ + 2 * pad - k) // s + 1
        y = np.zeros((n_, c_, oh, ow), np.float32)
        idx = np.zeros((n_, c_, oh, ow), np.int64)
        for n in range(n_):
            for c in range(c_):
                for i in range(oh):
                    for j in range(ow):
                        best = None
                        for a in range(k):
                            for b in range(k):
                                h, w = i * s - pad + a, j * s - pad + b
                                if 0 <= h < h_ and 0 <= w < w_ and (best is None or x[n, c, h, w] > best[0]):
                                    best = (x[n, c, h, w], h, w)
                        flat = best[1] + best[2] * h_ if column_major else best[1] * w_ + best[2]
                        y[n, c, i, j], idx[n, c, i, j] = best[0], (n * c_ + c) * h_ * w_ + flat
        return y, idx

    y1, i1 = pool(3, 1, 1, False)
    y2, i2 = pool(2, 2, 0, True)
    save_case("pool_indices", model, [x], [y1, i1, y2, i2])


if __name__ == "__main__":
    main()
    quantized()
    refused()
    pool_indices()
