#!/usr/bin/env bash
# Compiles every model of the real-model cache (tools/make_real_models.py) with the O1 preset,
# runs it on the emulated device with --check, and prints one table row per model:
# compile seconds, pfvm wall seconds, simulated device time, PASS/FAIL and the first error line.
#
#   /usr/bin/python3 tools/make_real_models.py      # once: fills .cache/models/
#   bash tools/check_real_models.sh [NAME ...]      # default: every NAME.onnx in the cache
#
# Environment: MODEL_CACHE (default .cache/models), OUT_DIR (compiled codegen_dirs and logs,
# default .cache/real_models_out), OPTIONS (default presets/O1.json), TIMEOUT (seconds per
# compile and per run, default 1200). Keeps going after a failure; exits 1 if any model failed.
set -u
cd "$(dirname "$0")/.."

CACHE=${MODEL_CACHE:-.cache/models}
OUT=${OUT_DIR:-.cache/real_models_out}
OPTIONS=${OPTIONS:-presets/O1.json}
TIMEOUT=${TIMEOUT:-1200}
RTOL=1e-3
ATOL=1e-4

# Extra compile arguments per model (symbolic dimensions need a concrete shape).
extra_args() {
  case "$1" in
    resnet18_dynamic) echo "--input_shape=x=1x3x224x224" ;;
    *) echo "" ;;
  esac
}

for tool in bin/pfcomp bin/pfvm; do
  if [ ! -x "$tool" ]; then
    echo "check_real_models: $tool missing; run: bash tools/setup.sh" >&2
    exit 2
  fi
done
if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in "$CACHE"/*.onnx; do
    [ -e "$f" ] && names+=("$(basename "$f" .onnx)")
  done
fi
if [ "${#names[@]}" = 0 ]; then
  echo "check_real_models: no models in $CACHE; run: /usr/bin/python3 tools/make_real_models.py" >&2
  exit 2
fi
mkdir -p "$OUT"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

rows=()
failed=0
for name in "${names[@]}"; do
  model="$CACHE/$name.onnx"
  data="$CACHE/$name.data"
  dir="$OUT/$name"
  clog="$OUT/$name.compile.log"
  rlog="$OUT/$name.run.log"
  rm -rf "$dir" "$rlog"
  echo "== $name: bin/pfcomp $model -o $dir --option_json=$OPTIONS $(extra_args "$name")"
  t0=$(now)
  # shellcheck disable=SC2046
  timeout "$TIMEOUT" bin/pfcomp "$model" -o "$dir" --option_json="$OPTIONS" $(extra_args "$name") \
    >"$clog" 2>&1
  cstatus=$?
  t1=$(now)
  compile_s=$(secs "$t0" "$t1")
  sed 's/^/   /' "$clog" | head -n 20
  # "[2/5] layout-plan ... 0.14 s" lines -> "0.62/0.14/0.13/0.20/0.27" (FAILED -> F)
  phases=$(sed -n 's/^\[[0-9]*\/[0-9]*\] [^ ]* \.\.\. \([0-9.]*\) s$/\1/p; s/^\[[0-9]*\/[0-9]*\] [^ ]* \.\.\. FAILED.*/F/p' \
    "$clog" | paste -sd/)
  [ -n "$phases" ] || phases="-"
  run_s="-"
  device="-"
  error=""
  if [ "$cstatus" = 0 ]; then
    echo "== $name: bin/pfvm run $dir --inputs $data --check --rtol=$RTOL --atol=$ATOL"
    t0=$(now)
    timeout "$TIMEOUT" bin/pfvm run "$dir" --inputs "$data" --check --rtol=$RTOL --atol=$ATOL \
      >"$rlog" 2>&1
    rstatus=$?
    t1=$(now)
    run_s=$(secs "$t0" "$t1")
    sed 's/^/   /' "$rlog" | head -n 20
    # "device time: 19.184 us (14388 cycles at 750.00 MHz); ..." -> "19.184 us"
    device=$(sed -n 's/^device time: \([^ ]* [^ ]*\) .*/\1/p' "$rlog" | head -n 1)
    [ -n "$device" ] || device="-"
    if [ "$rstatus" = 0 ] && grep -q 'PASS' "$rlog" && ! grep -q 'FAIL' "$rlog"; then
      result=PASS
    else
      result=FAIL
      error=$(grep -m 1 -E 'error:|FAIL' "$rlog")
      [ -n "$error" ] || error="pfvm exit $rstatus$([ "$rstatus" = 124 ] && echo ' (timeout)'): $(tail -n 1 "$rlog")"
    fi
  else
    result=FAIL
    error=$(grep -m 1 'error:' "$clog")
    [ -n "$error" ] || error="pfcomp exit $cstatus$([ "$cstatus" = 124 ] && echo ' (timeout)'): $(tail -n 1 "$clog")"
  fi
  [ "$result" = PASS ] || failed=$((failed + 1))
  rows+=("$(printf '%-17s %9s  %-30s %8s %14s  %-4s  %s' "$name" "$compile_s" "$phases" "$run_s" \
    "$device" "$result" "$error")")
done

echo
printf '%-17s %9s  %-30s %8s %14s  %-4s  %s\n' model compile_s \
  "phases_s(imp/lay/sim/sch/emit)" pfvm_s device_time res first_error
for row in "${rows[@]}"; do
  echo "$row"
done
echo
echo "$((${#names[@]} - failed)) passed, $failed failed (logs and codegen_dirs in $OUT)"
[ "$failed" = 0 ]
