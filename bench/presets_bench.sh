#!/usr/bin/env bash
# Compile the real models at every preset, run each program on the emulator with --check,
# and print one table plus the preset goals (formatted by bench/presets_table.py).
#
#   bash bench/presets_bench.sh                 # resnet18 mobilenet_v2 transformer, O0..O4 + debug
#   MODELS="resnet18" PRESETS="O0 O2" bash bench/presets_bench.sh
#   OUT=out/presets_bench  CACHE_MODEL=resnet18  (defaults)
#
# Compile time is wall seconds from /usr/bin/time around the whole `pfcomp` (five stage
# processes). The warm-cache goal compiles CACHE_MODEL at O2 twice with the same --cache_dir
# (first into an empty cache = cold, then again = warm) and compares wall seconds.
# Models come from .cache/models (tools/make_real_models.py regenerates them).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
MODELS=${MODELS:-"resnet18 mobilenet_v2 transformer"}
PRESETS=${PRESETS:-"O0 O1 O2 O3 O4 debug"}
OUT=${OUT:-out/presets_bench}
CACHE_MODEL=${CACHE_MODEL:-resnet18}
MODELDIR=$ROOT/.cache/models
PY=/usr/bin/python3

for m in $MODELS; do
  if [ ! -f "$MODELDIR/$m.onnx" ] || [ ! -f "$MODELDIR/$m.data/input_0.pb" ]; then
    echo "presets_bench: $m missing in .cache/models, regenerating" >&2
    $PY tools/make_real_models.py || { echo "presets_bench: make_real_models.py failed" >&2; exit 1; }
    break
  fi
done

rm -rf "$OUT"; mkdir -p "$OUT"
RES=$OUT/results.tsv
printf 'model\tpreset\tdir\tcompile_s\tcompile_rc\tcheck\tvm_us\n' > "$RES"
cut -d' ' -f1-3 /proc/loadavg > "$OUT/load_start"
date -u +%FT%TZ > "$OUT/started"

compile() {  # compile MODEL PRESET DIR [extra pfcomp args...] -> sets C_S C_RC
  local m=$1 p=$2 d=$3; shift 3
  /usr/bin/time -f %e -o "$d.time" bin/pfcomp "$MODELDIR/$m.onnx" -o "$d" \
      --option_json="presets/$p.json" "$@" > "$d.compile.log" 2>&1
  C_RC=$?
  C_S=$(tail -n1 "$d.time" 2>/dev/null)
  case "$C_S" in ''|*[!0-9.]*) C_S=nan ;; esac
}

for m in $MODELS; do
  for p in $PRESETS; do
    d=$OUT/$m.$p
    echo "presets_bench: $m $p ..." >&2
    compile "$m" "$p" "$d"
    check=NOCOMPILE; vm_us=nan
    if [ "$C_RC" = 0 ] && [ -f "$d/report.json" ]; then
      bin/pfvm run "$d" --inputs "$MODELDIR/$m.data" --check --rtol=1e-3 --atol=1e-4 \
          > "$d.pfvm.log" 2>&1
      vrc=$?
      if [ $vrc = 0 ] && grep -q 'PASS' "$d.pfvm.log" && ! grep -q 'FAIL' "$d.pfvm.log"; then
        check=PASS
      elif grep -q 'FAIL' "$d.pfvm.log"; then
        check=FAIL
      else
        check=ERROR
      fi
      vm_us=$(sed -n 's/^device time: \([0-9.]*\) us.*/\1/p' "$d.pfvm.log" | head -n1)
      [ -n "$vm_us" ] || vm_us=nan
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$p" "$d" "$C_S" "$C_RC" "$check" "$vm_us" >> "$RES"
  done
done

# Warm-cache recompile at O2: cold = empty --cache_dir, warm = same cache again (stages whose
# inputs are unchanged come from the stage cache).
CRES=$OUT/cache.tsv
printf 'model\tpreset\trun\tdir\tcompile_s\tcompile_rc\n' > "$CRES"
cache=$OUT/simcache.$CACHE_MODEL
rm -rf "$cache"; mkdir -p "$cache"
# warm_nodes: the same cache, but --no-stage-cache: every stage runs, only node costs are reused.
for run in cold warm warm_nodes; do
  d=$OUT/$CACHE_MODEL.O2.cache_$run
  echo "presets_bench: $CACHE_MODEL O2 --cache_dir ($run) ..." >&2
  extra=()
  [ "$run" = warm_nodes ] && extra=(--no-stage-cache)
  compile "$CACHE_MODEL" O2 "$d" --cache_dir="$ROOT/$cache" "${extra[@]}"
  printf '%s\tO2\t%s\t%s\t%s\t%s\n' "$CACHE_MODEL" "$run" "$d" "$C_S" "$C_RC" >> "$CRES"
done

cut -d' ' -f1-3 /proc/loadavg > "$OUT/load_end"
exec $PY bench/presets_table.py "$OUT"
