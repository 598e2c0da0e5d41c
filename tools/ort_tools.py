"""Reference outputs from onnxruntime-node (tools/ort_reference.js, one intra-op thread) and ONNX
TensorProto files in the backend-test layout, shared by make_testdata.py and make_real_models.py."""

import json
import os
import subprocess
import tempfile

import numpy as np
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ort_reference(model_path, inputs):
    """Runs onnxruntime-node on `inputs` (list of (name, float32 array)); returns outputs."""
    with tempfile.TemporaryDirectory() as tmp:
        manifest = {"model": os.path.abspath(model_path), "inputs": [], "out_dir": tmp}
        for i, (name, array) in enumerate(inputs):
            file = os.path.join(tmp, "input_%d.bin" % i)
            dtype = "int64" if array.dtype == np.int64 else "float32"
            np.ascontiguousarray(array, dtype="<i8" if dtype == "int64" else "<f4").tofile(file)
            manifest["inputs"].append({"name": name, "dims": list(array.shape), "file": file,
                                       "dtype": dtype})
        manifest_path = os.path.join(tmp, "manifest.json")
        with open(manifest_path, "w") as f:
            json.dump(manifest, f)
        subprocess.run(["node", os.path.join(ROOT, "tools", "ort_reference.js"), manifest_path],
                       check=True, cwd=ROOT)
        with open(os.path.join(tmp, "outputs.json")) as f:
            described = json.load(f)["outputs"]
        return [(o["name"], np.fromfile(o["file"], dtype="<f4").reshape(o["dims"]))
                for o in described]


def write_tensors(folder, prefix, named_arrays):
    for i, (name, array) in enumerate(named_arrays):
        array = np.asarray(array)
        keep = array.dtype == np.int64  # token ids stay integers
        tensor = numpy_helper.from_array(array if keep else array.astype(np.float32), name)
        with open(os.path.join(folder, "%s_%d.pb" % (prefix, i)), "wb") as f:
            f.write(tensor.SerializeToString())


def save_case(folder, name, inputs):
    """FOLDER/NAME.data/ for the saved FOLDER/NAME.onnx: `inputs` (list of (name, array)) and
    onnxruntime-node's outputs on them, in the backend-test layout."""
    outs = ort_reference(os.path.join(folder, name + ".onnx"), inputs)
    data = os.path.join(folder, name + ".data")
    os.makedirs(data, exist_ok=True)
    write_tensors(data, "input", inputs)
    write_tensors(data, "output", outs)
    return outs
