# Runs one backend test case: `pfcomp CASE/model.onnx -o WORK/CASE --float_dtype=D`, then
# `pfvm run WORK/CASE --inputs CASE/test_data_set_N --check` for every data set, within one
# time budget. Returns {"status": "pass"|"fail", "reason", "seconds", "float_dtype", "ops", ...}.
#
# Constant inputs: when the import refuses the model because operands it needs as constants
# (Reshape's shape, Slice's starts, ...) are graph inputs, its error names those graph inputs.
# The case is then compiled again with `--constant_input=NAME=CASE/test_data_set_0/input_K.pb`
# for exactly those inputs (onnx-mlir's backend runner does the same with its CONSTANT_INPUT
# list), provided every test_data_set holds the same bytes for them; pfvm then gets the other
# inputs only, renumbered input_0.pb, input_1.pb, ... in graph input order (pfvm matches input_N.pb
# to the program's inputs by position) in WORK/CASE.inputs/test_data_set_N.
#
# Sequence and optional outputs: the device has tensors only, so onnx-import makes such an output
# one device output per element; their expected files are unpacked the same way there, and the
# number of outputs pfvm compared must match.
import collections
import glob
import os
import re
import shutil
import signal
import subprocess
import time

import classify
import onnx_wire

Config = collections.namedtuple("Config", "bin_dir work timeout rtol atol")

# The import's hint ends its E104 message: "... pass --constant_input=NAME=FILE.pb for the graph
# inputs they are computed from: a, b" (compiler/import/lower.cc).
FREEZE_HINT = re.compile(r"for the graph inputs they are computed from: (.+)$", re.M)

# A rebuild replacing bin/'s executables while a case runs makes it fail for no reason of its own;
# such a case is run again (up to REBUILD_RETRIES times, REBUILD_WAIT_S apart).
REBUILD_SIGNS = ("cannot find the '", "doesn't exist!", "cannot run: ")
REBUILD_RETRIES, REBUILD_WAIT_S = 3, 5.0

# pfvm prints one "output N 'NAME': ..." line per output it compared.
PFVM_OUTPUT = re.compile(r"^output \d+ '", re.M)

# pfvm exits with E506 while another process holds the emulated device; such a run is retried.
DEVICE_BUSY_RETRIES = 5


class _Timeout(Exception):
    pass


def _run(argv, deadline):
    """Runs argv in its own process group; on timeout kills that group (the stage processes
    pfcomp starts included) and raises _Timeout."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True, errors="replace")
    try:
        out, err = proc.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise _Timeout()
    return proc.returncode, out, err


def run_case(case_dir, config):
    for attempt in range(REBUILD_RETRIES + 1):
        result = _run_case_once(case_dir, config)
        if result["status"] == "pass" or not any(sign in result["reason"] for sign in REBUILD_SIGNS):
            break
        time.sleep(REBUILD_WAIT_S)
    return result


def _run_case_once(case_dir, config):
    name = os.path.basename(case_dir)
    t0 = time.monotonic()
    deadline = t0 + config.timeout
    result = {"status": "fail", "reason": "", "details": {}}
    model = {}
    try:
        model = onnx_wire.read_model_summary(os.path.join(case_dir, "model.onnx"))
        result["ops"] = sorted(set(model["ops"]))
        result["float_dtype"] = onnx_wire.float_dtype_for(model["elem_types"])
    except (OSError, ValueError, IndexError) as e:
        result["ops"], result["float_dtype"] = [], "float"
        result["details"]["model_read_error"] = str(e)
    out_dir = os.path.join(config.work, name)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(config.work, exist_ok=True)
    paths = (os.path.join(case_dir, "model.onnx"), case_dir, out_dir)
    compile_argv = [os.path.join(config.bin_dir, "pfcomp"), os.path.join(case_dir, "model.onnx"),
                    "-o", out_dir, "--float_dtype=" + result["float_dtype"]]
    try:
        data_sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
        rc, out, err = _run(compile_argv, deadline)
        frozen = []
        hint = FREEZE_HINT.search(err) if rc != 0 else None
        if hint and data_sets:
            frozen = hint.group(1).strip().split(", ")
            graph_inputs = model.get("inputs", [])
            why = _freeze_problem(frozen, graph_inputs, data_sets)
            if why:
                result["reason"] = "constant inputs: " + why
                result["details"].update(phase="compile", constant_inputs=frozen)
                return _finish(result, t0)
            result["details"]["constant_inputs"] = frozen
            freeze_args = ["--constant_input=%s=%s" % (n, os.path.join(
                data_sets[0], "input_%d.pb" % graph_inputs.index(n))) for n in frozen]
            shutil.rmtree(out_dir, ignore_errors=True)
            rc, out, err = _run(compile_argv + freeze_args, deadline)
        if rc != 0:
            result["reason"], details = classify.classify_error(err, rc, "compile", paths)
            result["details"].update(details, phase="compile")
            return _finish(result, t0)
        if not data_sets:
            result["reason"] = "no test_data_set"
            return _finish(result, t0)
        output_kinds = model.get("output_kinds", [])
        structured = any(kind != "tensor" for kind in output_kinds)
        for data in data_sets:
            inputs_dir, expected_outputs = data, None
            if frozen or structured:
                inputs_dir, expected_outputs = _staged_data(data, frozen, model.get("inputs", []),
                                                            output_kinds, out_dir + ".inputs")
            for attempt in range(DEVICE_BUSY_RETRIES + 1):
                rc, out, err = _run([os.path.join(config.bin_dir, "pfvm"), "run", out_dir, "--inputs", inputs_dir,
                                     "--check", "--rtol=%g" % config.rtol, "--atol=%g" % config.atol],
                                    deadline)
                if rc == 0 or "[E506]" not in err or attempt == DEVICE_BUSY_RETRIES:
                    break
                time.sleep(0.2 * (attempt + 1))
            if rc == 0 and expected_outputs is not None and expected_outputs != len(PFVM_OUTPUT.findall(out)):
                result["reason"] = "check FAIL: output count differs"
                result["details"].update(phase="run", data_set=os.path.basename(data),
                                         expected_outputs=expected_outputs)
                return _finish(result, t0)
            if rc == 0:
                continue
            if "[E405]" in err:
                result["reason"], details = classify.classify_check(out)
            else:
                result["reason"], details = classify.classify_error(err, rc, "run", paths)
            result["details"].update(details, phase="run", data_set=os.path.basename(data))
            return _finish(result, t0)
        result["status"] = "pass"
        shutil.rmtree(out_dir + ".inputs", ignore_errors=True)
        shutil.rmtree(out_dir, ignore_errors=True)
    except _Timeout:
        result["reason"] = "timeout"
        result["details"]["timeout_s"] = config.timeout
    except OSError as e:  # an executable vanished (a rebuild in progress) or cannot start
        result["reason"] = "cannot run: %s" % e.strerror
        result["details"]["os_error"] = str(e)
    return _finish(result, t0)


def _freeze_problem(frozen, graph_inputs, data_sets):
    """Why the inputs the import names cannot be frozen for every data set ("" = they can)."""
    for name in frozen:
        if name not in graph_inputs:
            return "the import names '%s', not a graph input" % name
        k = graph_inputs.index(name)
        values = set()
        for data in data_sets:
            try:
                with open(os.path.join(data, "input_%d.pb" % k), "rb") as f:
                    values.add(f.read())
            except OSError:
                return "a test_data_set has no input_%d.pb" % k
        if len(values) > 1:
            return "the test_data_sets hold different values for a frozen input"
    return ""


def _staged_data(data, frozen, graph_inputs, output_kinds, root):
    """A copy of data set `data` without the frozen inputs, the others renumbered in order, and
    with every sequence or optional output (SequenceProto / OptionalProto) as its tensors, one
    output_N.pb each in order: onnx-import makes a sequence output one device output per element
    (NAME.0, NAME.1, ...), an optional one none or one. Returns (folder, number of outputs)."""
    folder = os.path.join(root, os.path.basename(data))
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    kept = [k for k, name in enumerate(graph_inputs) if name not in frozen]
    for new, old in enumerate(kept):
        shutil.copyfile(os.path.join(data, "input_%d.pb" % old), os.path.join(folder, "input_%d.pb" % new))
    tensors, output_kinds = [], list(output_kinds)
    if not output_kinds:  # the model's outputs could not be read: the files as they are
        for path in sorted(glob.glob(os.path.join(data, "output_*.pb"))):
            output_kinds.append("tensor")
    for k, kind in enumerate(output_kinds):
        with open(os.path.join(data, "output_%d.pb" % k), "rb") as f:
            tensors.extend(onnx_wire.tensors_of(f.read(), kind))
    for k, t in enumerate(tensors):
        with open(os.path.join(folder, "output_%d.pb" % k), "wb") as f:
            f.write(t)
    return folder, len(tensors)


def _finish(result, t0):
    result["seconds"] = round(time.monotonic() - t0, 3)
    return result
