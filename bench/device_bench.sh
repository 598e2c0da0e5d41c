#!/usr/bin/env bash
# Figures for the shared emulated devices (issue 3), on a private state folder:
#   - `gpfn3-smi clear -zero` on a full-size device (16 GiB DRAM), empty and after a random
#     fill of 1 GiB of its DRAM, and `clear -seed` on the small test descriptor;
#   - disk usage (du) of a device's state folder after a pfvm run of small_cnn;
#   - reset-to-stop latency of a running pfvm (tests/devices/Inputs/reset_running.sh);
#   - the runtime API example's loop time with and without H2D overlap.
#
#   bash bench/device_bench.sh        (after bazel build //smi:gpfn3-smi //runtime/...)
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
