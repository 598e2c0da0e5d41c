"""Writes OUT/fc2.onnx: ViT-B's MLP output projection (MatMul 1x197x3072 by 3072x768, bias Add),
on which simulation_mode=best's wider local search alone ends at a costlier tiling than
default's."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from model_files import save_model


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array((rng.standard_normal((3072, 768)) * 0.02).astype(np.float32), "w")
    b = numpy_helper.from_array(np.zeros(768, np.float32), "b")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["y"])]
    save_model(out, "fc2", nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 197, 3072])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 197, 768])], [w, b])


if __name__ == "__main__":
    main()
