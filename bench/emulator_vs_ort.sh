#!/usr/bin/env bash
# Emulator speed against a CPU reference: for resnet18, mobilenet_v2 and transformer of the
# real-model cache, times `bin/pfvm run` (whole process, best of 3; also the emulator's own
# "emulator wall time" line) against onnxruntime-node with one thread (bench/ort_time.js:
# one warm-up run, then N timed runs) on the same inputs, and prints them side by side.
#
#   /usr/bin/python3 tools/make_real_models.py resnet18 mobilenet_v2 transformer
#   bash bench/emulator_vs_ort.sh [NAME ...]
#
# Environment: MODEL_CACHE (default .cache/models), OUT_DIR (codegen_dirs; reused when
# program.gpfnapp exists, default .cache/real_models_out), OPTIONS (default presets/O1.json),
# RUNS (pfvm runs, best taken, default 3), ORT_RUNS (default 20), ORT_OPT (onnxruntime graph
# optimization level, default all), REPEAT (runs of the one extra `pfvm run --repeat` for the
# steady-state column, default 10).
#
# Columns: pfvm_s = best wall time of the whole `pfvm run` process (load + emulate + write);
# emu_s = the emulator wall time pfvm reports for that run; cpu_s = the least user + system CPU
# time of a pfvm run (both cores; steadier than wall time on a shared host); ort_ms =
# onnxruntime min/median per run; pfvm/ort and emu/ort = slowdown of the emulator against
# onnxruntime (min); run_ms = the fastest run of `pfvm run --repeat REPEAT` (program loaded,
# inputs staged and run: what ORT's session.run times, without process start and load), and
# run/ort its slowdown; device_us = simulated device time; ort/device = CPU time over simulated
# device time. pfvm uses every hardware thread (nproc), onnxruntime one intra-op thread.
set -u
cd "$(dirname "$0")/.."

CACHE=${MODEL_CACHE:-.cache/models}
OUT=${OUT_DIR:-.cache/real_models_out}
OPTIONS=${OPTIONS:-presets/O1.json}
RUNS=${RUNS:-3}
ORT_RUNS=${ORT_RUNS:-20}
ORT_OPT=${ORT_OPT:-all}
REPEAT=${REPEAT:-10}

if [ "$#" -gt 0 ]; then names=("$@"); else names=(resnet18 mobilenet_v2 transformer); fi
now() { date +%s.%N; }

rows=()
status=0
for name in "${names[@]}"; do
  model="$CACHE/$name.onnx"
  data="$CACHE/$name.data"
  dir="$OUT/$name"
  if [ ! -f "$model" ]; then
    echo "emulator_vs_ort: $model missing; run: /usr/bin/python3 tools/make_real_models.py" >&2
    status=1
    continue
  fi
  if [ ! -f "$dir/program.gpfnapp" ]; then
    echo "== $name: compiling into $dir"
    mkdir -p "$OUT"
    if ! bin/pfcomp "$model" -o "$dir" --option_json="$OPTIONS"; then
      rows+=("$(printf '%-13s compile failed' "$name")")
      status=1
      continue
    fi
  fi
  best=""
  best_emu=""
  best_cpu=""
  device="-"
  for i in $(seq "$RUNS"); do
    log=$(mktemp)
    cpu_log=$(mktemp)
    t0=$(now)
    # bash's own `time` (no extra process): user and system CPU seconds of the run.
    if ! { TIMEFORMAT='%3U %3S'; time bin/pfvm run "$dir" --inputs "$data" >"$log" 2>&1; } 2>"$cpu_log"; then
      echo "== $name: pfvm run failed:" >&2
      cat "$log" >&2
      status=1
    fi
    t1=$(now)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    emu=$(sed -n 's/.*emulator wall time \([0-9.]*\) s.*/\1/p' "$log" | head -n 1)
    device=$(sed -n 's/^device time: \([0-9.]*\) us.*/\1/p' "$log" | head -n 1)
    cpu=$(awk 'END { printf "%.3f", $1 + $2 }' "$cpu_log")
    rm -f "$log" "$cpu_log"
    echo "== $name: pfvm run $i/$RUNS: wall ${wall} s, emulator ${emu:-?} s, cpu ${cpu} s"
    if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
      best_cpu=$cpu
    fi
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$wall
      best_emu=${emu:-0}
    fi
  done
  steady=$(bin/pfvm run "$dir" --inputs "$data" --repeat "$REPEAT" 2>&1 |
    sed -n 's/.*steady state: fastest of [0-9]* runs \([0-9.]*\) s.*/\1/p')
  echo "== $name: pfvm run --repeat $REPEAT: fastest run ${steady:-?} s"
  ort=$(node bench/ort_time.js "$model" "$data" "$ORT_RUNS" --opt="$ORT_OPT") || {
    status=1
    continue
  }
  echo "== $name: onnxruntime: $ort"
  ort_min=$(echo "$ort" | sed -n 's/.*"min_ms":\([0-9.e-]*\).*/\1/p')
  ort_med=$(echo "$ort" | sed -n 's/.*"median_ms":\([0-9.e-]*\).*/\1/p')
  rows+=("$(awk -v n="$name" -v w="$best" -v e="$best_emu" -v c="$best_cpu" -v om="$ort_min" -v od="$ort_med" \
    -v r="${steady:-0}" -v d="${device:-0}" 'BEGIN {
      printf "%-13s %8.3f %8.3f %8.3f %9.3f %9.3f %9.1fx %9.1fx %8.2f %8.1fx %11.1f %10.2f",
        n, w, e, c, om, od, w * 1000 / om, e * 1000 / om, r * 1000, r * 1000 / om, d, om * 1000 / d }')")
done

echo
echo "pfvm: best of $RUNS, $(nproc) threads; steady state: fastest of $REPEAT runs in one process;" \
  "onnxruntime-node: intraOpNumThreads 1, graph optimization '$ORT_OPT', min/median of $ORT_RUNS runs after 1 warm-up;" \
  "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-13s %8s %8s %8s %9s %9s %10s %10s %8s %9s %11s %10s\n' model pfvm_s emu_s cpu_s ort_min_ms ort_med_ms \
  pfvm/ort emu/ort run_ms run/ort device_us ort/device
for row in "${rows[@]}"; do echo "$row"; done
exit $status
