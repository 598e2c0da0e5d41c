"""Writes If models: OUT/if_const.onnx (+ .data) whose condition folds to a constant (the
batch size from Shape, as exporters write it), and OUT/if_runtime.onnx whose condition is a
graph input."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from model_files import save_data, save_model


def branches():
    two = numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two")
    # The then branch reads the outer x and its own initializer; local names repeat outer ones
    # ("r") to show they are renamed when inlined.
    then_g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Mul", ["r", "two"], ["t_out"])],
        "then", [], [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, [2, 4])], initializer=[two])
    else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["e_out"])], "else", [],
                               [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, [2, 4])])
    return then_g, else_g


def save(out, name, nodes, inputs, inits):
    save_model(out, name, nodes, inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], inits)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    then_g, else_g = branches()
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])
    zero = numpy_helper.from_array(np.array(0, dtype=np.int64), "zero")
    one = numpy_helper.from_array(np.array(1, dtype=np.int64), "one")
    nodes = [helper.make_node("Shape", ["x"], ["shape"]),
             helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
             helper.make_node("Greater", ["batch", "one"], ["cond"]),
             helper.make_node("If", ["cond"], ["chosen"], then_branch=then_g, else_branch=else_g, name="if_batch"),
             helper.make_node("Relu", ["x"], ["r"]),
             helper.make_node("Add", ["chosen", "r"], ["y"])]
    save(out, "if_const", nodes, [x_info], [zero, one])
    nodes = [helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g, name="if_runtime")]
    c_info = helper.make_tensor_value_info("c", TensorProto.BOOL, [])
    save(out, "if_runtime", nodes, [x_info, c_info], [])
    # Branches of different shapes ([2, 4] and [4, 2]): no Where can pick between them.
    flip_g = helper.make_graph([helper.make_node("Transpose", ["x"], ["f_out"], perm=[1, 0])], "flip", [],
                               [helper.make_tensor_value_info("f_out", TensorProto.FLOAT, [4, 2])])
    nodes = [helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=flip_g, name="if_shapes")]
    save_model(out, "if_shapes", nodes, [x_info, c_info],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", "cols"])], [])
    for flag in (True, False):
        x = np.random.default_rng(5).standard_normal((2, 4)).astype(np.float32)
        y = np.maximum(x, 0) * 2 if flag else -x
        save_data(os.path.join(out, "if_runtime_%s.data" % str(flag).lower()),
                  [("x", x), ("c", np.array(flag))], [("y", y.astype(np.float32))])

    x = np.random.default_rng(3).standard_normal((2, 4)).astype(np.float32)
    y = np.maximum(x, 0) * 2 + np.maximum(x, 0)
    save_data(os.path.join(out, "if_const.data"), [("x", x)], [("y", y.astype(np.float32))])


if __name__ == "__main__":
    main()
