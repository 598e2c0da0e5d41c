#!/usr/bin/python3
"""Makes testdata/: small PyTorch models exported to ONNX, their inputs and reference outputs.

Run from the repository root with Debian's Python (python3-torch, python3-onnx):
    /usr/bin/python3 tools/make_testdata.py
Reference outputs come from onnxruntime-node (tools/ort_reference.js, one thread; run
`npm ci` first) and are cross-checked against PyTorch's own outputs. Output is deterministic
(fixed seeds), so re-running it should leave `git status` clean up to ORT/torch versions.

Layout (as the ONNX backend tests): testdata/models/NAME.onnx and
testdata/models/NAME.data/{input_0.pb, output_0.pb}. Broken inputs go to testdata/bad/.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch
import torch.nn as nn

from ort_tools import ort_reference, write_tensors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "testdata", "models")
BAD = os.path.join(ROOT, "testdata", "bad")


class MlpRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class MlpAct(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(32, 64), nn.Sigmoid(),
            nn.Linear(64, 64), nn.Tanh(),
            nn.Linear(64, 16), nn.GELU(),  # exact GELU: exports as Erf
            nn.Softmax(dim=-1))

    def forward(self, x):
        return self.net(x)


class MlpLayerNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32, 64)
        self.norm = nn.LayerNorm(64)
        with torch.no_grad():  # non-trivial affine parameters, so they are visibly applied
            self.norm.weight.uniform_(0.5, 1.5)
            self.norm.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        return self.norm(self.fc(x))


class MlpReshape(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3 * 8 * 8, 32)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):                          # [2,3,8,8]
        h = self.fc1(torch.flatten(x, 1))          # [2,32]
        h = h.reshape(2, 4, 8).transpose(1, 2)     # [2,8,4]
        h = torch.cat([h, h], dim=1)               # [2,16,4]
        return self.fc2(h.reshape(2, 64))          # [2,10]


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.shortcut = nn.Conv2d(8, 16, 1, stride=2)  # residual branch
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):                              # [1,3,32,32]
        p = self.pool(torch.relu(self.bn1(self.conv1(x))))  # [1,8,16,16]
        h = torch.relu(self.bn2(self.conv2(p)))        # [1,16,8,8]
        h = h + self.shortcut(p)                       # residual Add
        return self.fc(torch.flatten(self.gap(h), 1))  # [1,10]


class MlpDynamic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


def export(model, example, name, opset=13, dynamic_batch=False, fold=True):
    path = os.path.join(MODELS, name + ".onnx")
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"x": {0: "batch"}, "y": {0: "batch"}}
    if not fold:
        # PRESERVE (the model is in eval()) skips the export's Conv+BatchNorm fusion.
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, (example,), path, opset_version=opset, input_names=["x"],
                      output_names=["y"], do_constant_folding=fold, **kwargs)
    onnx.checker.check_model(onnx.load(path))
    return path


def make_case(name, model, example, data_input=None, opset=13, dynamic_batch=False, fold=True):
    """Exports `model` with `example`; writes NAME.data from `data_input` (default: example)."""
    model.eval()
    path = export(model, example, name, opset, dynamic_batch, fold)
    x = example if data_input is None else data_input
    with torch.no_grad():
        expected_torch = model(x).numpy()
    outputs = ort_reference(path, [("x", x.numpy())])
    folder = os.path.join(MODELS, name + ".data")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    write_tensors(folder, "input", [("x", x.numpy())])
    write_tensors(folder, "output", outputs)
    diff = float(np.max(np.abs(outputs[0][1] - expected_torch)))
    print("%-26s opset %d  input %-14s output %-8s max|ort - torch| = %.3g" % (
        name, opset, list(x.shape), list(outputs[0][1].shape), diff))
    if diff > 1e-4:
        sys.exit("make_testdata: %s: onnxruntime and torch disagree (%g)" % (name, diff))
    return outputs


def make_float64_case(name, model, example):
    """A float64 export of `model`; the reference is PyTorch's own float64 forward pass (the
    --float_dtype=double test compares with it to 1e-9, which a float32 reference cannot)."""
    model = model.double().eval()
    x = example.double()
    path = os.path.join(MODELS, name + ".onnx")
    torch.onnx.export(model, (x,), path, opset_version=13, input_names=["x"], output_names=["y"],
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        y = model(x).numpy()
    folder = os.path.join(MODELS, name + ".data")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for prefix, tensor_name, array in (("input", "x", x.numpy()), ("output", "y", y)):
        with open(os.path.join(folder, prefix + "_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array, tensor_name).SerializeToString())
    print("%-26s float64, reference: PyTorch float64" % name)


def trained_small_cnn():
    """SmallCnn whose BatchNorm has real running statistics."""
    cnn = SmallCnn()
    cnn.train()
    with torch.no_grad():
        for _ in range(8):
            cnn(torch.randn(8, 3, 32, 32) * 1.5 + 0.25)
    return cnn


def make_models():
    os.makedirs(MODELS, exist_ok=True)
    torch.manual_seed(0)
    make_case("mlp_relu", MlpRelu(), torch.randn(4, 64))
    torch.manual_seed(1)
    make_case("mlp_act", MlpAct(), torch.randn(4, 32))
    torch.manual_seed(2)
    layernorm = MlpLayerNorm()
    x = torch.randn(4, 32)
    make_case("mlp_layernorm", layernorm, x, opset=17)
    make_case("mlp_layernorm_decomposed", layernorm, x, opset=13)
    torch.manual_seed(3)
    make_case("mlp_reshape", MlpReshape(), torch.randn(2, 3, 8, 8))
    torch.manual_seed(4)
    cnn = trained_small_cnn()
    # No folding: the export would fold BatchNorm into Conv, and the compiler should see it.
    make_case("small_cnn", cnn, torch.randn(1, 3, 32, 32), fold=False)
    torch.manual_seed(5)
    # Exported with batch 4 and a symbolic batch; the data uses batch 2 (--input_shape=x=2x64).
    make_case("mlp_dynamic", MlpDynamic(), torch.randn(4, 64), data_input=torch.randn(2, 64),
              dynamic_batch=True)
    torch.manual_seed(6)
    make_float64_case("small_cnn_f64", trained_small_cnn(), torch.randn(1, 3, 32, 32))


def make_bad():
    os.makedirs(BAD, exist_ok=True)
    with open(os.path.join(MODELS, "mlp_relu.onnx"), "rb") as f:
        good = f.read()
    with open(os.path.join(BAD, "truncated.onnx"), "wb") as f:
        f.write(good[: len(good) // 2])
    with open(os.path.join(BAD, "not_onnx.onnx"), "w") as f:
        f.write("this is not an ONNX model, just text\n" * 4)

    # Two ops no device form exists for (Bernoulli and RandomUniformLike draw random numbers)
    # beside a supported Relu and Reshape; static shapes, so the failure is about the ops.
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu_ok"),
        helper.make_node("Bernoulli", ["r"], ["drawn"], name="bernoulli_unsupported"),
        helper.make_node("Reshape", ["drawn", "shape"], ["flat"], name="reshape_ok"),
        helper.make_node("RandomUniformLike", ["flat"], ["y"], name="random_unsupported"),
    ]
    shape = numpy_helper.from_array(np.array([2, 24], dtype=np.int64), "shape")
    graph = helper.make_graph(
        nodes, "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 24])],
        initializer=[shape])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)],
                              producer_name="pfcomp make_testdata")
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(BAD, "unsupported.onnx"))

    with open(os.path.join(BAD, "broken_option.json"), "w") as f:
        f.write('{"envs": {}, "args": ["--float_dtype=float",\n')
    with open(os.path.join(BAD, "bad_value_option.json"), "w") as f:
        json.dump({"envs": {}, "args": ["--float_dtype=quad"], "name": "bad_value"}, f, indent=1)
        f.write("\n")
    with open(os.path.join(BAD, "unknown_option.json"), "w") as f:
        json.dump({"envs": {}, "args": ["--no_such_option=1"], "name": "unknown_option"}, f,
                  indent=1)
        f.write("\n")

    # Runtime input errors for mlp_relu (one input x: [4,64]).
    x = numpy_helper.to_array(onnx.load_tensor(os.path.join(MODELS, "mlp_relu.data", "input_0.pb")))
    two = os.path.join(BAD, "mlp_relu_two_inputs.data")
    shutil.rmtree(two, ignore_errors=True)
    os.makedirs(two)
    write_tensors(two, "input", [("x", x), ("extra", x)])
    wrong = os.path.join(BAD, "mlp_relu_wrong_shape.data")
    shutil.rmtree(wrong, ignore_errors=True)
    os.makedirs(wrong)
    write_tensors(wrong, "input", [("x", np.ones((4, 32), dtype=np.float32))])


if __name__ == "__main__":
    make_models()
    make_bad()
    print("testdata written under", os.path.relpath(os.path.join(ROOT, "testdata"), os.getcwd()))
