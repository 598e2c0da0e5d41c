#!/usr/bin/python3
"""Inputs and onnxruntime reference outputs for the import_coverage lit tests.

    /usr/bin/python3 tests/import_coverage/Inputs/make_data.py

For each fixture compiler/import/testdata/cov_<name>.onnx with float inputs and outputs, writes
<name>.data/input_<i>.pb and output_<i>.pb (ONNX TensorProtos, as tools/make_testdata.py) next
to this script; the references come from tools/ort_reference.js (onnxruntime-node) on the
original model (cov_<name>.ref.onnx when onnxruntime cannot run the original). Fixtures with
bool inputs or integer outputs (which ort_reference.js does not pass) get numpy references.
"""
import glob
import os
import shutil
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from make_testdata import ort_reference  # noqa: E402
from onnx import numpy_helper  # noqa: E402

FIXTURES = os.path.join(ROOT, "compiler", "import", "testdata")


def write_tensors(folder, prefix, named_arrays):
    for i, (name, array) in enumerate(named_arrays):
        with open(os.path.join(folder, "%s_%d.pb" % (prefix, i)), "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(array), name).SerializeToString())


def masks_reference(feeds):
    c, x, z = (a for _, a in feeds)
    nx = ~(((x < z) | (x == z)) ^ c)
    return [("y", np.where(nx, x, -x)), ("m", ((x != 0) & c).astype(np.float32))]


# name -> (input dtypes, reference on the feeds)
NUMPY_REFERENCES = {
    "argmax": ([np.float32], lambda feeds: [("y", np.argmax(feeds[0][1], axis=1).astype(np.int64))]),
    "hand_masks": ([np.bool_, np.float32, np.float32], masks_reference),
}


def main():
    rng = np.random.RandomState(1)
    for path in sorted(glob.glob(os.path.join(FIXTURES, "cov_*.onnx"))):
        if path.endswith(".ref.onnx"):
            continue
        model = onnx.load(path)
        name = os.path.basename(path)[len("cov_"):-len(".onnx")]
        dims = [[d.dim_value for d in i.type.tensor_type.shape.dim] for i in model.graph.input]
        if name in NUMPY_REFERENCES:
            dtypes, reference = NUMPY_REFERENCES[name]
            feeds = [(i.name, (rng.randn(*d) > 0) if t == np.bool_ else rng.randn(*d).astype(t))
                     for i, d, t in zip(model.graph.input, dims, dtypes)]
            if name == "hand_masks":  # ties and exact zeros, so == and Cast to bool see them
                feeds[2][1].flat[::4] = feeds[1][1].flat[::4]
                feeds[1][1].flat[1::5] = 0.0
            outputs = reference(feeds)
        else:
            values = list(model.graph.input) + list(model.graph.output)
            if any(v.type.tensor_type.elem_type != onnx.TensorProto.FLOAT for v in values):
                sys.exit("make_data: %s needs a numpy reference" % name)
            feeds = [(i.name, rng.randn(*d).astype(np.float32)) for i, d in zip(model.graph.input, dims)]
            ref = path[:-len(".onnx")] + ".ref.onnx"
            outputs = ort_reference(ref if os.path.exists(ref) else path, feeds)
        folder = os.path.join(HERE, name + ".data")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        write_tensors(folder, "input", feeds)
        write_tensors(folder, "output", outputs)
        print("wrote", folder)


if __name__ == "__main__":
    main()
