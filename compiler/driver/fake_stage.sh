#!/bin/bash
# A stand-in stage for the driver test: copies INPUT to -o OUTPUT and appends its own name;
# emit also writes perf_stats.json. FAKE_FAIL=<stage> makes that stage fail with exit code 3.
name=$(basename "$0")
in="$1"; shift
out=""; log=""; opt=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    --log_dir=*) log="${1#--log_dir=}"; shift ;;
    --option_json=*) opt="${1#--option_json=}"; shift ;;
    *) echo "$name: error: unexpected argument $1" >&2; exit 2 ;;
  esac
done
if [ "${FAKE_FAIL:-}" = "$name" ]; then echo "$name: error: [E999] fake failure" >&2; exit 3; fi
[ -f "$opt" ] || { echo "$name: error: no option json at $opt" >&2; exit 4; }
[ -f "$in" ] || { echo "$name: error: no input $in" >&2; exit 5; }
mkdir -p "$log" && echo "ran" > "$log/codegen.$name.INFO.fake"
cp "$in" "$out" && echo "$name" >> "$out"
if [ "$name" = emit ]; then
  cat > "$(dirname "$out")/perf_stats.json" <<'JSON'
{"hardware": {"name": "fake", "clock_hz": 750000000}, "flops": 12, "predicted_cycles": 750,
 "predicted_time_us": 1.0, "dram_bytes": 64, "layers": [], "perf_stats": {"ALL": {"cycles": 750,
 "time_us": 1.0, "count": 0}}, "host_ops": []}
JSON
fi
