#!/usr/bin/env python3
"""Format bench/presets_bench.sh results: one table + the preset goals.

usage: presets_table.py OUT_DIR   (OUT_DIR has results.tsv, cache.tsv, load_start/load_end)

Columns
  compile s      wall seconds of the whole `pfcomp` (/usr/bin/time)
  pred us        report.json predicted_time_us (vm us: pfvm's simulated device time)
  bound us       report.json roofline.bound_time_us, ratio = roofline.predicted_over_bound
  DRAM moved B   DRAM bytes moved, COMPUTED from the program: report.json/perf_stats.json/
                 profile.json carry no transfer-byte figure (report.json dram_bytes is the
                 footprint, shown as "footprint B"; profile.json has only transfer cycles), so
                 every DMA load/store event of trace.json names (layer, DRAM buffer); each
                 distinct (layer, buffer, direction) pair counts the buffer's full size once
                 (shape and dtype from l3ir.txt). Chained intermediates (kept in LM, never
                 transferred) are excluded, so presets differ; re-reads of the same buffer by
                 one layer (reduction chunks, time steps, halos) count once -> a lower estimate.
  layers B       the naive figure from report.json "layers": per layer with cycles > 0, its
                 input tensors + output tensor (elements x size of the layer's "dtype").
  check          pfvm run --check (PASS / FAIL / ERROR / NOCOMPILE)
"""
import csv
import json
import math
import os
import sys

ELEM = {"f64": 8, "f32": 4, "f16": 2, "bf16": 2, "i64": 8, "i32": 4, "i16": 2, "i8": 1,
        "u8": 1, "bool": 1, "float": 4, "half": 2, "double": 8, "mixed": 2}


def fnum(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return math.nan


def load_report(d):
    try:
        with open(os.path.join(d, "report.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def traffic_bytes(rep):
    total = 0
    for layer in rep.get("layers", []):
        if not layer.get("cycles"):
            continue  # zero-cost view (Flatten/Reshape): no transfer
        es = ELEM.get(str(layer.get("dtype", "f32")).lower(), 4)
        shapes = list(layer.get("inputs", [])) + [layer.get("output", [])]
        for shp in shapes:
            total += math.prod(int(x) for x in shp) * es
    return total


def read_text(d, name):
    path = os.path.join(d, name)
    if os.path.exists(path):
        with open(path) as f:
            return f.read()
    if os.path.exists(path + ".zst"):
        import subprocess
        return subprocess.run(["zstd", "-dcq", path + ".zst"], check=True,
                              capture_output=True, text=True).stdout
    return None


def program_traffic(d):
    """(bytes, events) from trace.json transfer events and l3ir.txt buffer sizes, or None."""
    try:
        l3 = read_text(d, "l3ir.txt")
        tr = read_text(d, "trace.json")
        if l3 is None or tr is None:
            return None
        sizes = {}
        for ln in l3.splitlines():
            parts = ln.split()
            if len(parts) >= 4 and parts[0] in ("input", "param", "value") and parts[2] == ":":
                ty = parts[3]
                dt, _, dims = ty.partition("[")
                dims = dims.rstrip("]")
                n = math.prod(int(x) for x in dims.split("x")) if dims else 1
                sizes[parts[1].lstrip("%")] = n * ELEM.get(dt.lower(), 4)
        seen, events, missing = set(), 0, set()
        for e in json.loads(tr).get("traceEvents", []):
            if e.get("cat") != "transfer":
                continue
            a = e.get("args", {})
            events += 1
            seen.add((a.get("layer"), a.get("buffer"), e.get("tid")))
        total = 0
        for _, buf, _ in seen:
            if buf in sizes:
                total += sizes[buf]
            else:
                missing.add(buf)
        return total, events, missing
    except (OSError, ValueError, RuntimeError):
        return None


def fmt(x, spec):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "out/presets_bench"
    with open(os.path.join(out, "results.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    recs = {}
    hdr = ["model", "preset", "compile s", "pred us", "vm us", "bound us", "pred/bound",
           "DRAM moved B", "layers B", "footprint B", "check"]
    missing_all = set()
    table = []
    for r in rows:
        rep = load_report(r["dir"])
        rec = {"compile_s": fnum(r["compile_s"]), "check": r["check"], "vm_us": fnum(r["vm_us"])}
        if rep is not None and r["compile_rc"] == "0":
            rf = rep.get("roofline", {})
            rec.update(pred_us=fnum(rep.get("predicted_time_us")),
                       bound_us=fnum(rf.get("bound_time_us")),
                       ratio=fnum(rf.get("predicted_over_bound")),
                       traffic=traffic_bytes(rep), footprint=rep.get("dram_bytes"))
            pt = program_traffic(r["dir"])
            if pt is not None:
                rec["moved"] = pt[0]
                missing_all |= pt[2]
        recs[(r["model"], r["preset"])] = rec
        table.append([r["model"], r["preset"], fmt(rec["compile_s"], ".2f"),
                      fmt(rec.get("pred_us"), ".1f"), fmt(rec["vm_us"], ".1f"),
                      fmt(rec.get("bound_us"), ".1f"), fmt(rec.get("ratio"), ".2f"),
                      fmt(rec.get("moved"), "d"), fmt(rec.get("traffic"), "d"), fmt(rec.get("footprint"), "d"),
                      rec["check"] if r["compile_rc"] == "0" else "NOCOMPILE(rc=%s)" % r["compile_rc"]])
    w = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(hdr)]
    right = {2, 3, 4, 5, 6, 7, 8, 9}
    line = lambda cells: "  ".join(c.rjust(w[i]) if i in right else c.ljust(w[i])
                                   for i, c in enumerate(cells)).rstrip()
    print(line(hdr))
    print("  ".join("-" * x for x in w))
    for t in table:
        print(line(t))
    print("DRAM moved B = computed from the program: distinct (layer, DRAM buffer, load/store) DMA "
          "events in trace.json x buffer size from l3ir.txt (re-reads within a layer counted once; "
          "no transfer-byte field exists in report/perf_stats/profile.json)")
    print("layers B = naive sum over report.json \"layers\" (cycles>0) of input+output tensor bytes; "
          "footprint B = report.json dram_bytes")
    if missing_all:
        print("note: transfer buffers without a size in l3ir.txt (not counted): %s"
              % ", ".join(sorted(str(m) for m in missing_all)[:10]))

    models = list(dict.fromkeys(r["model"] for r in rows))

    def mark(ok):
        return "n/a   " if ok is None else ("met   " if ok else "MISSED")

    print()
    print("goals:")
    for m in models:
        o0, o2 = recs.get((m, "O0"), {}), recs.get((m, "O2"), {})
        a, b = o0.get("pred_us"), o2.get("pred_us")
        ok = None if a is None or b is None else b <= a / 2
        sp = "%.2fx" % (a / b) if ok is not None and b else "n/a"
        print("  %s O2 device time <= 1/2 O0 [%s]: O2 %s us vs O0 %s us (speedup %s, need >= 2x)"
              % (mark(ok), m, fmt(b, ".1f"), fmt(a, ".1f"), sp))
    for m in models:
        r = recs.get((m, "O4"), {}).get("ratio")
        ok = None if r is None else r <= 1.5
        st = None if r is None else r <= 1.2
        print("  %s O4 <= 1.5x bound [%s]: pred/bound %s (stretch 1.2x: %s)"
              % (mark(ok), m, fmt(r, ".2f"), mark(st).strip()))
    cm = "resnet18" if "resnet18" in models else (models[0] if models else "")
    for p, lim in (("O1", 10.0), ("O4", 120.0)):
        s = recs.get((cm, p), {}).get("compile_s")
        ok = None if s is None or math.isnan(s) else s < lim
        others = ", ".join("%s %s s" % (m, fmt(recs.get((m, p), {}).get("compile_s"), ".2f"))
                           for m in models if m != cm)
        print("  %s %s compile of %s < %g s: %s s%s" % (mark(ok), p, cm, lim, fmt(s, ".2f"),
              ("  (for reference: %s)" % others) if others else ""))
    try:
        with open(os.path.join(out, "cache.tsv")) as f:
            crow = {r["run"]: r for r in csv.DictReader(f, delimiter="\t")}
        cold, warm = fnum(crow["cold"]["compile_s"]), fnum(crow["warm"]["compile_s"])
        okrc = crow["cold"]["compile_rc"] == "0" and crow["warm"]["compile_rc"] == "0"
        sp = cold / warm if warm > 0 else math.nan
        ok = None if (not okrc or math.isnan(sp)) else sp >= 5
        sim = []
        for run in ("cold", "warm"):
            rep = load_report(crow[run]["dir"])
            s = next((st["seconds"] for st in (rep or {}).get("compile_statuses", [])
                      if st.get("phase") == "simulate"), None)
            sim.append(fmt(s, ".2f"))
        print("  %s warm-cache O2 recompile >= 5x faster than cold [%s]: cold %s s, warm %s s, "
              "speedup %sx (simulate phase: cold %s s, warm %s s)"
              % (mark(ok), crow["cold"]["model"], fmt(cold, ".2f"), fmt(warm, ".2f"),
                 fmt(sp, ".2f"), sim[0], sim[1]))
        if "warm_nodes" in crow:  # node-simulation cache alone (--no-stage-cache)
            wn = fnum(crow["warm_nodes"]["compile_s"])
            rep = load_report(crow["warm_nodes"]["dir"])
            s = next((st["seconds"] for st in (rep or {}).get("compile_statuses", [])
                      if st.get("phase") == "simulate"), None)
            print("         node-simulation cache only (--no-stage-cache): warm %s s, speedup %sx "
                  "(simulate phase %s s)" % (fmt(wn, ".2f"), fmt(cold / wn if wn > 0 else math.nan, ".2f"),
                                             fmt(s, ".2f")))
    except (OSError, KeyError):
        print("  n/a    warm-cache O2 recompile: no cache.tsv")

    def rd(n):
        try:
            with open(os.path.join(out, n)) as f:
                return f.read().strip()
        except OSError:
            return "?"
    print()
    print("load average (1/5/15 min): start %s, end %s; %d CPUs" % (rd("load_start"), rd("load_end"),
                                                                   os.cpu_count() or 0))


if __name__ == "__main__":
    main()
