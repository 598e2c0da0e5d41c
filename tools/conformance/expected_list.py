# expected_failures.txt: one line per backend test case pfcomp does not pass, `CASE  REASON`,
# sorted by case name; `#` starts a comment. Written by `run.py --update-expected`, then reviewed.
import os

HEADER = """\
# ONNX backend node tests (libonnx-testdata) that pfcomp does not pass yet: CASE  REASON.
# Regenerate with: /usr/bin/python3 tools/conformance/run.py --update-expected
# (with --filter, only the matching cases' lines change). Review the diff before committing:
# a case leaving this list is progress, a case entering it is a regression to explain.
# Suite: {suite}
"""


def read(path):
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            expected[name] = reason.strip()
    return expected


def update(expected, results):
    """The list with every case that ran replaced by this run's outcome."""
    updated = {n: r for n, r in expected.items() if n not in results}
    for name, r in results.items():
        if r["status"] != "pass":
            updated[name] = r["reason"]
    return updated


def write(path, expected, suite):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    width = max([len(n) for n in expected] + [0]) + 2
    with open(path + ".tmp", "w") as f:
        f.write(HEADER.format(suite=suite))
        for name in sorted(expected):
            f.write(name.ljust(width) + expected[name] + "\n")
    os.replace(path + ".tmp", path)
