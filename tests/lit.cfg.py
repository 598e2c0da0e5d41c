# lit configuration for pfcomp's end-to-end tests: they drive the executables in <root>/bin/
# (made by tools/setup.sh) and check their output with FileCheck, as LLVM's tests do.
#
#   /usr/bin/python3 /usr/lib/llvm-14/build/utils/lit/lit.py -v tests/
import os

import lit.formats

config.name = "pfcomp"
# External shell (/bin/sh): tests use pipes, `test`, `cmp`, `diff -r`, `truncate`, `make`.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "..", "out", "lit")

root = os.path.abspath(os.path.join(config.test_source_root, ".."))
bin_dir = os.path.join(root, "bin")
llvm_bin = os.environ.get("PFCOMP_LLVM_BIN", "/usr/lib/llvm-14/bin")

# FileCheck and not come from LLVM 14 (Debian's llvm-14-tools).
config.environment["PATH"] = os.pathsep.join(
    [llvm_bin, bin_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
# Device state of the emulated devices stays inside the test tree, not the user's.
config.environment["HOME"] = os.environ.get("HOME", "/root")
for name in ("PFCOMP_DEVICE_DIR", "GPFN3_DEVICE_DIR"):
    if name in os.environ:
        config.environment[name] = os.environ[name]
# Emulated devices (pfvm, gpfn3-smi): the default 8 devices with their state under out/lit, so
# tests never touch the user's devices; tests of gpfn3-smi use their own config and folder.
config.environment["PFCOMP_DEVICE_STATE_DIR"] = os.environ.get(
    "PFCOMP_DEVICE_STATE_DIR", os.path.join(config.test_exec_root, "devices"))

tools = {
    "pfcomp": "pfcomp",
    "onnx_import": "onnx-import",
    "layout_plan": "layout-plan",
    "simulate": "simulate",
    "schedule": "schedule",
    "emit": "emit",
    "pfvm": "pfvm",
    "smi": "gpfn3-smi",
    "gpfn3_smi": "gpfn3-smi",
    "dashboard": "codegen-dashboard",
}
# Longest names first, so %onnx_import is not read as %onnx + "_import".
for key in sorted(tools, key=len, reverse=True):
    config.substitutions.append(("%" + key, os.path.join(bin_dir, tools[key])))
config.substitutions.append(("%FileCheck", os.path.join(llvm_bin, "FileCheck")))
config.substitutions.append(("%models", os.path.join(root, "testdata", "models")))
config.substitutions.append(("%python", "/usr/bin/python3"))
# ONNX's backend node tests (Debian's libonnx-testdata), as tools/conformance reads them.
config.substitutions.append(("%node", "/usr/share/libonnx-testdata/data/node"))
config.substitutions.append(("%bad", os.path.join(root, "testdata", "bad")))
config.substitutions.append(("%presets", os.path.join(root, "presets")))
config.substitutions.append(("%examples", os.path.join(root, "examples")))
config.substitutions.append(("%root", root))
config.substitutions.append(("%hardware", os.path.join(root, "runtime", "device", "hardware")))

# Stage files compared by the option.json round trip: all but the timing/log ones.
config.substitutions.append(
    ("%diff_stage_files", "diff -r -x report.json -x glog -x 'CLOG.log*'"))
