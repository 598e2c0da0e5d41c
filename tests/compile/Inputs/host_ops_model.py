"""Writes a model mixing device and host ops, its inputs and numpy reference outputs.

    host_ops_model.py OUT_DIR            -> OUT_DIR/mixed.onnx, OUT_DIR/mixed.data/
    host_ops_model.py OUT_DIR --bad      -> OUT_DIR/bad.onnx (a device op reads NonZero's result)

mixed: x[4,6] -> Relu (device) -> TopK k=3 (host) -> Sigmoid (device) -> y
                                                  -> indices (graph output)
       x -> Greater 0.5 (device) -> NonZero (host; data-dependent shape) -> nz (graph output)
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from model_files import save_data, save_model


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 6])
    k = numpy_helper.from_array(np.array([3], dtype=np.int64), "k")
    half = numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half")
    if "--bad" in sys.argv:
        nodes = [helper.make_node("Greater", ["x", "half"], ["mask"], name="greater"),
                 helper.make_node("NonZero", ["mask"], ["nz"], name="nonzero"),
                 helper.make_node("Cast", ["nz"], ["nzf"], to=TensorProto.FLOAT, name="to_float"),
                 helper.make_node("Relu", ["nzf"], ["y"], name="relu_after")]
        save_model(out, "bad", nodes, [x_info], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, None])],
             [half])
        return
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("TopK", ["r", "k"], ["vals", "indices"], axis=1, name="topk"),
             helper.make_node("Sigmoid", ["vals"], ["y"], name="sigmoid"),
             helper.make_node("Greater", ["x", "half"], ["mask"], name="greater"),
             helper.make_node("NonZero", ["mask"], ["nz"], name="nonzero")]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 3]),
               helper.make_tensor_value_info("indices", TensorProto.INT64, [4, 3]),
               helper.make_tensor_value_info("nz", TensorProto.INT64, [2, None])]
    save_model(out, "mixed", nodes, [x_info], outputs, [k, half])

    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    r = np.maximum(x, 0)
    order = np.argsort(-r, axis=1, kind="stable")[:, :3]  # ties: the lower index first
    vals = np.take_along_axis(r, order, axis=1)
    y = (1 / (1 + np.exp(-vals.astype(np.float64)))).astype(np.float32)
    nz = np.array(np.nonzero(x > 0.5), dtype=np.int64)
    save_data(os.path.join(out, "mixed.data"), [("x", x)],
              [("y", y), ("indices", order.astype(np.int64)), ("nz", nz)])
    print("nz shape", list(nz.shape))


if __name__ == "__main__":
    main()
