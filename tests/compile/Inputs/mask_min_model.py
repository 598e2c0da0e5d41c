"""Writes OUT/mask_min.onnx (+ .data): an attention mask as Hugging Face exports it,
scores + (1 - mask) * finfo(float32).min, then Softmax. The constant is beyond fp16's range."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from model_files import save_data, save_model


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    one = numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one")
    low = numpy_helper.from_array(np.array(np.finfo(np.float32).min, dtype=np.float32), "low")
    nodes = [helper.make_node("Cast", ["mask"], ["m"], to=TensorProto.FLOAT),
             helper.make_node("Sub", ["one", "m"], ["inv"]),
             helper.make_node("Mul", ["inv", "low"], ["bias"]),
             helper.make_node("Add", ["x", "bias"], ["s"]),
             helper.make_node("Softmax", ["s"], ["y"], axis=-1)]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 16]),
              helper.make_tensor_value_info("mask", TensorProto.INT64, [2, 16])]
    save_model(out, "mask_min", nodes, inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 16])],
               [one, low])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16)).astype(np.float32)
    mask = np.ones((2, 16), dtype=np.int64)
    mask[:, 11:] = 0
    s = np.where(mask == 1, x, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    save_data(os.path.join(out, "mask_min.data"), [("x", x), ("mask", mask)],
              [("y", (e / e.sum(-1, keepdims=True)).astype(np.float32))])


if __name__ == "__main__":
    main()
