#!/usr/bin/python3
# Conformance harness: compiles and runs every ONNX backend node test (Debian's libonnx-testdata)
# with the real bin/pfcomp and bin/pfvm, and holds the result against expected_failures.txt.
#
#   /usr/bin/python3 tools/conformance/run.py                      # full suite, 2 workers
#   /usr/bin/python3 tools/conformance/run.py --filter 'relu|conv'  # a subset
#   /usr/bin/python3 tools/conformance/run.py --update-expected     # rewrite the list from this run
#
# A case passes when it compiles and `pfvm run --check` passes on every test_data_set (ONNX's
# default tolerances rtol=1e-3, atol=1e-7). A case whose import is refused because operands it
# needs as constants (Reshape's shape, Slice's starts, ...) are graph inputs is compiled again
# with those inputs frozen by --constant_input to test_data_set_0's values, if every data set
# holds the same values for them, and runs with its other inputs (case_runner.py); this is how
# such cases count. Strict: a failure not in the list and a pass that is in the list both make
# the run exit 1, so the list stays true. The pass rate counts every case
# of the suite. Report: out/conformance/report.json (per case: status, reason, seconds).
import argparse
import concurrent.futures
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_runner  # noqa: E402
import expected_list  # noqa: E402
import summary  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SUITE = "/usr/share/libonnx-testdata/data/node"
EXPECTED = os.path.join(ROOT, "tools", "conformance", "expected_failures.txt")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Runs the ONNX backend node tests through pfcomp and pfvm.")
    p.add_argument("--filter", default="", help="only cases whose name matches this regex (re.search)")
    p.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default 2)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per case, compile and run (default 60)")
    p.add_argument("--update-expected", action="store_true",
                   help="rewrite the expected failures of the cases run from this run's failures")
    p.add_argument("--suite", default=SUITE, help="folder of test cases (default: %(default)s)")
    p.add_argument("--expected", default=EXPECTED, help="expected failures list (default: %(default)s)")
    p.add_argument("--bin", default=os.path.join(ROOT, "bin"), help="folder holding pfcomp and pfvm")
    p.add_argument("--report", default=os.path.join(ROOT, "out", "conformance", "report.json"))
    p.add_argument("--work", default=os.path.join(ROOT, "out", "conformance", "work"),
                   help="codegen_dirs go here; a passing case's is deleted")
    p.add_argument("--rtol", type=float, default=1e-3)
    p.add_argument("--atol", type=float, default=1e-7)
    p.add_argument("--quiet", action="store_true", help="no progress line per case")
    return p.parse_args(argv)


def list_cases(suite):
    return sorted(d for d in os.listdir(suite)
                  if os.path.isfile(os.path.join(suite, d, "model.onnx")))


def main(argv):
    args = parse_args(argv)
    if not os.path.isdir(args.suite):
        print("conformance: error: no test suite at %s (apt-get install libonnx-testdata, "
              "or run tools/setup.sh)" % args.suite, file=sys.stderr)
        return 2
    for tool in ("pfcomp", "pfvm"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            print("conformance: error: %s/%s is missing (run tools/setup.sh)" % (args.bin, tool),
                  file=sys.stderr)
            return 2
    all_cases = list_cases(args.suite)
    pattern = re.compile(args.filter)
    cases = [c for c in all_cases if pattern.search(c)]
    expected = expected_list.read(args.expected)
    print("conformance: %d of %d cases in %s, %d jobs, timeout %gs"
          % (len(cases), len(all_cases), args.suite, args.jobs, args.timeout), flush=True)

    config = case_runner.Config(bin_dir=args.bin, work=args.work, timeout=args.timeout,
                                rtol=args.rtol, atol=args.atol)
    results = {}
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(case_runner.run_case, os.path.join(args.suite, c), config): c
                   for c in cases}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            name = futures[future]
            r = future.result()
            results[name] = r
            if not args.quiet:
                print("[%d/%d] %-4s %s  %.1fs%s" % (done, len(cases), r["status"].upper(), name,
                                                    r["seconds"], "  " + r["reason"] if r["reason"] else ""),
                      flush=True)
    wall = time.monotonic() - t0

    if args.update_expected:
        expected = expected_list.update(expected, results)
        expected_list.write(args.expected, expected, suite=args.suite)
        print("conformance: wrote %s (%d expected failures)" % (args.expected, len(expected)))

    verdict = summary.judge(results, expected, all_cases)
    summary.write_report(args.report, results, verdict, wall, args)
    ok = summary.print_summary(results, verdict, len(all_cases), wall)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
