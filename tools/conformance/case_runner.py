# Runs one backend test case: `pfcomp CASE/model.onnx -o WORK/CASE --float_dtype=D`, then
# `pfvm run WORK/CASE --inputs CASE/test_data_set_N --check` for every data set, within one
# time budget. Returns {"status": "pass"|"fail", "reason", "seconds", "float_dtype", "ops", ...}.
import collections
import glob
import os
import shutil
import signal
import subprocess
import time

import classify
import onnx_wire

Config = collections.namedtuple("Config", "bin_dir work timeout rtol atol")

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
    name = os.path.basename(case_dir)
    t0 = time.monotonic()
    deadline = t0 + config.timeout
    result = {"status": "fail", "reason": "", "details": {}}
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
    try:
        rc, out, err = _run([os.path.join(config.bin_dir, "pfcomp"), os.path.join(case_dir, "model.onnx"),
                             "-o", out_dir, "--float_dtype=" + result["float_dtype"]], deadline)
        if rc != 0:
            result["reason"], details = classify.classify_error(err, rc, "compile", paths)
            result["details"].update(details, phase="compile")
            return _finish(result, t0)
        data_sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
        if not data_sets:
            result["reason"] = "no test_data_set"
            return _finish(result, t0)
        for data in data_sets:
            for attempt in range(DEVICE_BUSY_RETRIES + 1):
                rc, out, err = _run([os.path.join(config.bin_dir, "pfvm"), "run", out_dir, "--inputs", data,
                                     "--check", "--rtol=%g" % config.rtol, "--atol=%g" % config.atol],
                                    deadline)
                if rc == 0 or "[E506]" not in err or attempt == DEVICE_BUSY_RETRIES:
                    break
                time.sleep(0.2 * (attempt + 1))
            if rc == 0:
                continue
            if "[E405]" in err:
                result["reason"], details = classify.classify_check(out)
            else:
                result["reason"], details = classify.classify_error(err, rc, "run", paths)
            result["details"].update(details, phase="run", data_set=os.path.basename(data))
            return _finish(result, t0)
        result["status"] = "pass"
        shutil.rmtree(out_dir, ignore_errors=True)
    except _Timeout:
        result["reason"] = "timeout"
        result["details"]["timeout_s"] = config.timeout
    except OSError as e:  # an executable vanished (a rebuild in progress) or cannot start
        result["reason"] = "cannot run: %s" % e.strerror
        result["details"]["os_error"] = str(e)
    return _finish(result, t0)


def _finish(result, t0):
    result["seconds"] = round(time.monotonic() - t0, 3)
    return result
