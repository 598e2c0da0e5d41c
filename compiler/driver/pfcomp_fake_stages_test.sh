#!/bin/bash
# pfcomp end to end over fake stage scripts (PFCOMP_STAGE_DIR): progress lines, codegen_dir
# contents, report.json, --stop-after/--start-from, and that failures leave nothing behind.
set -u
PFCOMP="$PWD/$1"
FAKE="$PWD/$2"
PRESETS="$PWD/presets"
T="${TEST_TMPDIR:-$(mktemp -d)}/pfcomp_test"
rm -rf "$T" && mkdir -p "$T/stages" && cd "$T"
for s in onnx-import layout-plan simulate schedule emit; do
  cp "$FAKE" "stages/$s" && chmod +x "stages/$s"
done
export PFCOMP_STAGE_DIR="$T/stages"
echo "fake onnx" > model.onnx
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect() { grep -q -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"; }
expect_not() { ! grep -q -- "$2" "$1" || fail "did not expect '$2' in $1"; }
no_siblings() { ls -a | grep -q "^$1\.\(tmp\|old\)-" && fail "staging leftovers for $1: $(ls -a)"; true; }

# 1. Full compile.
"$PFCOMP" model.onnx -o out1 >stdout 2>stderr || fail "full compile exited $?: $(cat stderr)"
for k in "1/5] onnx-import ... " "2/5] layout-plan" "3/5] simulate" "4/5] schedule" "5/5] emit"; do
  expect stdout "$k"
done
for f in model.onnx option.json report.json program.gpfnapp perf_stats.json glog/codegen.emit.INFO.fake; do
  [ -f "out1/$f" ] || fail "out1/$f missing"
done
expect out1/program.gpfnapp "schedule"
python3 - out1/report.json <<'PY' || fail "report.json content"
import json, sys, hashlib, os
r = json.load(open(sys.argv[1]))
assert r["schema_version"] == 1, r
assert [s["phase"] for s in r["compile_statuses"]] == ["onnx-import", "layout-plan", "simulate", "schedule", "emit"], r
assert all(s["ok"] for s in r["compile_statuses"])
assert r["input"]["path"] == os.path.abspath("model.onnx"), r["input"]
assert r["input"]["sha256"] == hashlib.sha256(open("model.onnx", "rb").read()).hexdigest()
assert r["predicted_cycles"] == 750 and r["hardware"]["name"] == "fake" and r["host_ops"] == []
assert r["options"]["args"][0] == "--float_dtype=float", r["options"]
assert r["argv"][1:] == ["model.onnx", "-o", "out1"], r["argv"]
PY
no_siblings out1

# 2. --stop-after: only the phases run, no perf keys.
"$PFCOMP" model.onnx -o out2 --stop-after=layout >stdout 2>stderr || fail "stop-after exited $?"
expect_not stdout "simulate"
[ -f out2/mngraph.layout.pb ] || fail "out2/mngraph.layout.pb missing"
[ -f out2/mngraph.simulate.pb ] && fail "out2 ran past layout"
python3 -c 'import json,sys; r=json.load(open("out2/report.json")); assert len(r["compile_statuses"])==2 and "predicted_cycles" not in r' \
  || fail "out2 report"

# 3. --start-from on an existing codegen_dir with a missing input: E301, dir untouched.
cp -r out2 out2.before
"$PFCOMP" -o out2 --start-from=schedule >stdout 2>stderr && fail "start-from schedule should fail"
expect stderr "E301"
expect stderr "mngraph.simulate.pb"
expect stderr "'simulate'"
diff -r out2 out2.before >/dev/null || fail "out2 changed by a refused --start-from"
no_siblings out2

# 4. --start-from=sim continues out2 to the end, keeping its options.
"$PFCOMP" -o out2 --start-from=sim >stdout 2>stderr || fail "start-from sim exited $?: $(cat stderr)"
expect_not stdout "layout-plan"
expect stdout "3/5] simulate"
expect out2/program.gpfnapp "layout-plan"
expect out2/program.gpfnapp "emit"
expect out2/report.json "predicted_cycles"
no_siblings out2

# 5. A failing stage leaves nothing at -o and says which phase failed.
FAKE_FAIL=simulate "$PFCOMP" model.onnx -o out5 >stdout 2>stderr; rc=$?
[ $rc -ne 0 ] || fail "failing stage returned 0"
expect stderr "E303"
expect stderr "'simulate'"
expect stderr "exit code 3"
expect stderr "fake failure"
expect stdout "3/5] simulate ... FAILED"
[ -e out5 ] && fail "out5 exists after a failed compile"
no_siblings out5

# 6. A failing stage over an existing codegen_dir leaves the old one untouched.
cp -r out1 out1.before
FAKE_FAIL=emit "$PFCOMP" model.onnx -o out1 --float_dtype=half >stdout 2>stderr && fail "failing emit returned 0"
diff -r out1 out1.before >/dev/null || fail "out1 changed by a failed compile"
no_siblings out1

# 7. A successful recompile replaces the old codegen_dir.
"$PFCOMP" model.onnx -o out1 --float_dtype=half >stdout 2>stderr || fail "recompile exited $?"
expect out1/option.json "--float_dtype=half"
no_siblings out1

# 8. Errors before anything is written.
"$PFCOMP" missing.onnx -o out8 >stdout 2>stderr && fail "missing model returned 0"
expect stderr "E101"
expect stderr "missing.onnx"
"$PFCOMP" model.onnx -o out8 --float_dtype=quad >stdout 2>stderr && fail "bad value returned 0"
expect stderr "E202"
CODEGEN_USE_MERGE=2 "$PFCOMP" model.onnx -o out8 >stdout 2>stderr && fail "bad CODEGEN_ value returned 0"
expect stderr "E202"
"$PFCOMP" model.onnx -o out8 --no_such=1 >stdout 2>stderr && fail "unknown option returned 0"
expect stderr "E201"
CODEGEN_NO_SUCH=1 "$PFCOMP" model.onnx -o out8 >stdout 2>stderr && fail "unknown CODEGEN_ returned 0"
expect stderr "CODEGEN_NO_SUCH"
"$PFCOMP" model.onnx -o out8 --stop-after=link >stdout 2>stderr && fail "bad stage returned 0"
expect stderr "E202"
"$PFCOMP" model.onnx -o out8 --start-from=emit --stop-after=sim >stdout 2>stderr && fail "start>stop returned 0"
PFCOMP_STAGE_DIR="$T/nowhere" "$PFCOMP" model.onnx -o out8 >stdout 2>stderr && fail "missing stages returned 0"
expect stderr "onnx-import"
[ -e out8 ] && fail "out8 written by a refused compile"
no_siblings out8

# 9. A preset with a command-line override; option.json reproduces the compile.
"$PFCOMP" model.onnx -o out9 --option_json="$PRESETS/O0.json" --sram_budget=0.25 >stdout 2>stderr \
  || fail "preset compile exited $?: $(cat stderr)"
expect out9/option.json '"name": "O0"'
expect out9/option.json "--simulation_mode=fake"
expect out9/option.json "--sram_budget=0.25"
"$PFCOMP" model.onnx -o out9b --option_json=out9/option.json >stdout 2>stderr || fail "replay exited $?"
diff out9/option.json out9b/option.json || fail "option.json replay differs"

# 10. --help.
"$PFCOMP" --help >stdout 2>stderr || fail "--help exited $?"
expect stdout "--stop-after"
expect stdout "--layout_planner"
expect stdout "CODEGEN_USE_MERGE"

[ $failures -eq 0 ] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
