#!/usr/bin/python3
"""Numerical check of onnx-import's ONNX-level rewrites on the coverage fixtures.

For each cov_*.onnx (see make_coverage_fixtures.py): onnx-import --out_onnx writes the model
after folding and rewrites (LSTM / GRU / RNN unrolled, Einsum, DepthToSpace, ...); both models
run in onnxruntime-node (tools/ort_reference.js) on the same random input and must agree.
Independent of the device rules.

    /usr/bin/python3 compiler/import/testdata/check_rewrites.py [bin/onnx-import]
"""
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from make_testdata import ort_reference  # noqa: E402


def float_io_only(model):
    values = list(model.graph.input) + list(model.graph.output)
    return all(v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT for v in values)


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bin", "onnx-import")
    failed = 0
    rng = np.random.RandomState(0)
    for path in sorted(glob.glob(os.path.join(HERE, "cov_*.onnx"))):
        if path.endswith(".ref.onnx"):
            continue
        name = os.path.basename(path)
        model = onnx.load(path)
        if not float_io_only(model):  # ort_reference.js passes float32 only
            print("%-32s skipped (non-float input or output)" % name)
            continue
        feeds = [(i.name, rng.randn(*[d.dim_value for d in i.type.tensor_type.shape.dim]).astype(np.float32))
                 for i in model.graph.input]
        ref = path[:-len(".onnx")] + ".ref.onnx"
        if not os.path.exists(ref):
            ref = path
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([tool, path, "-o", os.path.join(tmp, "g.pb"), "--out_onnx=opt.onnx"],
                           check=True, stdout=subprocess.DEVNULL)
            want = ort_reference(ref, feeds)
            got = ort_reference(os.path.join(tmp, "opt.onnx"), feeds)
        diff = max(float(np.max(np.abs(g[1] - w[1]))) if g[1].size else 0.0 for g, w in zip(got, want))
        shapes_ok = all(g[1].shape == w[1].shape for g, w in zip(got, want))
        ok = shapes_ok and len(got) == len(want) and diff < 1e-5
        failed += not ok
        print("%-32s %s max|diff| = %.3g" % (name, "ok  " if ok else "FAIL", diff))
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
