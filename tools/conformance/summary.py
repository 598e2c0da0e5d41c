# Holds a run's results against the expected failures, prints the summary (counts, pass rate over
# the whole suite, failures per reason, ops missing most often) and writes report.json.
import collections
import json
import os


def judge(results, expected, all_cases):
    """Sorts the cases run into passed / expected failures / unexpected failures and passes."""
    v = {"passed": [], "expected_failures": [], "unexpected_failures": [], "unexpected_passes": [],
         "reason_changed": [], "stale_expected": sorted(n for n in expected if n not in set(all_cases))}
    for name in sorted(results):
        r = results[name]
        if r["status"] == "pass":
            v["passed"].append(name)
            if name in expected:
                v["unexpected_passes"].append(name)
        elif name in expected:
            v["expected_failures"].append(name)
            if expected[name] != r["reason"]:
                v["reason_changed"].append((name, expected[name], r["reason"]))
        else:
            v["unexpected_failures"].append(name)
    return v


def reason_counts(results):
    return collections.Counter(r["reason"] for r in results.values() if r["status"] != "pass")


def missing_op_counts(results, key):
    """How many failing cases name each op under details[key] ("unsupported_ops"/"integer_ops")."""
    c = collections.Counter()
    for r in results.values():
        for op in r.get("details", {}).get(key, []):
            c[op] += 1
    return c


def _table(counter, limit=None):
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return items[:limit] if limit else items


def print_summary(results, v, total, wall):
    for name in v["unexpected_failures"]:
        print("UNEXPECTED FAIL: %s  %s" % (name, results[name]["reason"]))
    for name in v["unexpected_passes"]:
        print("UNEXPECTED PASS: %s  (remove it from expected_failures.txt, or run --update-expected)" % name)
    for name, old, new in v["reason_changed"]:
        print("note: %s still fails, now for '%s' (listed: '%s')" % (name, new, old))
    for name in v["stale_expected"]:
        print("note: %s is listed but not in the suite" % name)
    counts = reason_counts(results)
    if counts:
        print("\nfailures per reason:")
        for reason, n in _table(counts):
            print("  %4d  %s" % (n, reason))
    ops = missing_op_counts(results, "unsupported_ops")
    if ops:
        print("\nunsupported ops (cases naming each):")
        print("  " + ", ".join("%s %d" % kv for kv in _table(ops, 30)))
    int_ops = missing_op_counts(results, "integer_ops")
    if int_ops:
        print("\nops given integer/bool tensors (cases naming each):")
        print("  " + ", ".join("%s %d" % kv for kv in _table(int_ops, 30)))
    ran, passed = len(results), len(v["passed"])
    print("\n%d passed, %d failed, %d expected failures" % (
        passed, len(v["unexpected_failures"]), len(v["expected_failures"])))
    if v["unexpected_passes"]:
        print("%d unexpected passes" % len(v["unexpected_passes"]))
    if ran == total:
        print("pass rate: %.1f%% (%d/%d cases)" % (100.0 * passed / max(total, 1), passed, total))
    else:
        print("pass rate: %.1f%% of the %d cases run (%d of the suite's %d cases not run)" % (
            100.0 * passed / max(ran, 1), ran, total - ran, total))
    print("wall time: %.1f s" % wall)
    ok = not v["unexpected_failures"] and not v["unexpected_passes"]
    print("conformance: %s" % ("OK" if ok else "FAILED"))
    return ok


def write_report(path, results, v, wall, args):
    report = {
        "suite": args.suite, "filter": args.filter, "rtol": args.rtol, "atol": args.atol,
        "timeout_s": args.timeout, "jobs": args.jobs, "wall_s": round(wall, 1),
        "counts": {"run": len(results), "passed": len(v["passed"]),
                   "unexpected_failures": len(v["unexpected_failures"]),
                   "expected_failures": len(v["expected_failures"]),
                   "unexpected_passes": len(v["unexpected_passes"])},
        "unexpected_failures": v["unexpected_failures"], "unexpected_passes": v["unexpected_passes"],
        "reasons": dict(_table(reason_counts(results))),
        "unsupported_ops": dict(_table(missing_op_counts(results, "unsupported_ops"))),
        "limited_ops": dict(_table(missing_op_counts(results, "limited_ops"))),
        "integer_ops": dict(_table(missing_op_counts(results, "integer_ops"))),
        "cases": {n: results[n] for n in sorted(results)},
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(report, f, indent=1)
    os.replace(path + ".tmp", path)
