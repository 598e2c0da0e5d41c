#!/usr/bin/env bash
# Figures for the shared emulated devices (issue 3), on a private state folder:
#   - `gpfn3-smi clear -zero` on a full-size device (16 GiB DRAM), empty and after a random
#     fill of 1 GiB of its DRAM, and `clear -seed` on the small test descriptor;
#   - disk usage (du) of a device's state folder after a pfvm run of small_cnn;
#   - reset-to-stop latency of a running pfvm (tests/devices/Inputs/reset_running.sh);
#   - the runtime API example's loop time with and without H2D overlap;
#   - H2D throughput through the runtime API (TensorProxy::load_from: f32 -> f16 / f32 into the
#     device layout) against memcpy of the same bytes, 1 / 16 / 64 MiB (runtime/api:h2d_bench);
#   - `clear -seed` throughput (GB/s) on a full-size device (all 16 GiB DRAM + LM + GRF: the
#     tool has no partial clear; ~40 s and ~16.5 GiB of disk in /tmp), then `clear -zero` of
#     that fully written device (goal < 1 s).
#
#   bash bench/device_bench.sh        (after bazel build //smi:gpfn3-smi //runtime/...)
#   SKIP_FULL_SEED=1 bash bench/device_bench.sh   (without the 16 GiB random fill)
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/pfcomp-device-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export PFCOMP_DEVICE_STATE_DIR=$WORK/state
SMI=$ROOT/bin/gpfn3-smi
PFVM=$ROOT/bin/pfvm
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

echo "== clear -zero, full-size device (mncore2: 16 GiB DRAM, 128 MiB LM)"
t0=$(now); "$SMI" clear -zero 0 >/dev/null; t1=$(now)
echo "empty device:           $(secs "$t0" "$t1") s"
dd if=/dev/urandom of="$PFCOMP_DEVICE_STATE_DIR/mnc2p27s0/dram.bin" bs=1M count=1024 conv=notrunc status=none
echo "after writing 1 GiB:    du $(du -sh "$PFCOMP_DEVICE_STATE_DIR/mnc2p27s0" | cut -f1)"
t0=$(now); "$SMI" clear -zero 0 >/dev/null; t1=$(now)
echo "clear -zero:            $(secs "$t0" "$t1") s, du $(du -sh "$PFCOMP_DEVICE_STATE_DIR/mnc2p27s0" | cut -f1)"

echo "== clear -seed on the small descriptor (64 MiB DRAM)"
t0=$(now); PFCOMP_HARDWARE=$ROOT/runtime/device/hardware/test_small.json "$SMI" clear -seed 1 1 >/dev/null; t1=$(now)
echo "clear -seed 1:          $(secs "$t0" "$t1") s"

echo "== state folder after a pfvm run of small_cnn on a full-size device"
"$ROOT/bin/pfcomp" testdata/models/small_cnn.onnx -o "$WORK/cnn" --option_json=presets/O1.json >/dev/null
"$PFVM" run "$WORK/cnn" --inputs testdata/models/small_cnn.data --device 2 >/dev/null
echo "apparent: $(du -sh --apparent-size "$PFCOMP_DEVICE_STATE_DIR/mnc2p29s0" | cut -f1), on disk: $(du -sh "$PFCOMP_DEVICE_STATE_DIR/mnc2p29s0" | cut -f1)"

echo "== reset-to-stop latency (5 runs)"
for i in 1 2 3 4 5; do
  mkdir -p "$WORK/reset$i"
  sh tests/devices/Inputs/reset_running.sh "$PFVM" "$SMI" "$WORK/cnn" testdata/models/small_cnn.data "$WORK/reset$i" >/dev/null 2>&1
  cat "$WORK/reset$i/latency.txt"
done

echo "== runtime API example: inference loop with and without H2D overlap"
"$ROOT/bazel-bin/runtime/examples/overlap_inference" "$WORK/cnn" --batches 16

echo "== H2D through the runtime API vs memcpy (full-size device 3)"
"$ROOT/bazel-bin/runtime/api/h2d_bench" --device 3 --sizes-mib 1,16,64 --reps 5

if [ "${SKIP_FULL_SEED:-0}" != 1 ]; then
  echo "== clear -seed on a full-size device (device 4, every region written)"
  TOTAL=$("$SMI" list --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["devices"][4]; print(sum(d["memory"].values()))')
  t0=$(now); "$SMI" clear -seed 1 4 > "$WORK/seed.txt"; t1=$(now)
  S=$(secs "$t0" "$t1")
  echo "clear -seed 1:          $S s for $(echo "scale=2; $TOTAL / 1073741824" | bc) GiB = $(echo "scale=2; $TOTAL / $S / 1000000000" | bc) GB/s ($(tail -1 "$WORK/seed.txt"))"
  t0=$(now); "$SMI" clear -zero 4 > "$WORK/zero.txt"; t1=$(now)
  echo "clear -zero after it:   $(secs "$t0" "$t1") s (goal < 1 s), du $(du -sh "$PFCOMP_DEVICE_STATE_DIR/mnc2p31s0" | cut -f1)"
fi
