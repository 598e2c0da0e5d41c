"""Shared by the test-model generators here: checked ONNX models and backend-test data folders."""
import os

import onnx
from onnx import helper, numpy_helper


def save_model(out, name, nodes, inputs, outputs, inits, opset=13):
    """Writes OUT/NAME.onnx after the ONNX checker accepts it."""
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))


def save_data(folder, inputs, outputs):
    """FOLDER/input_K.pb and output_K.pb from lists of (name, array)."""
    os.makedirs(folder, exist_ok=True)
    for prefix, tensors in (("input", inputs), ("output", outputs)):
        for i, (name, array) in enumerate(tensors):
            with open(os.path.join(folder, "%s_%d.pb" % (prefix, i)), "wb") as f:
                f.write(numpy_helper.from_array(array, name).SerializeToString())
