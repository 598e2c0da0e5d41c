#!/bin/sh
# Starts a long-running pfvm on device 0, checks that the device refuses a second run, a clear
# without --force and that a waiting run gets it afterwards; then resets the device and
# measures how long the running pfvm takes to stop.
#   reset_running.sh PFVM SMI CODEGEN_DIR INPUTS_DIR WORK_DIR
set -u
PFVM=$1 SMI=$2 DIR=$3 INPUTS=$4 WORK=$5
"$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --repeat 100000 --instr-delay-us 200 \
  --outputs "$WORK/long.out" >"$WORK/long.stdout" 2>"$WORK/long.stderr" &
LONG=$!
# Wait (at most 20 s) until it holds the device.
i=0
until "$SMI" list --json | grep -q '"state": "locked"'; do
  i=$((i + 1)); [ $i -gt 400 ] && { echo "pfvm never took the device"; kill $LONG; exit 1; }
  sleep 0.05
done
echo "locked by pfvm"
"$SMI" list --json | grep -q "\"holder_pid\": $LONG" && echo "holder pid is pfvm's"
# A second run on the same device fails at once with E506.
"$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 >"$WORK/second.stdout" 2>"$WORK/second.stderr"
echo "second run exit $?"
cat "$WORK/second.stderr"
# Clearing it is refused without --force.
"$SMI" clear -zero 0 >"$WORK/clear.stdout" 2>"$WORK/clear.stderr"
echo "clear exit $?"
cat "$WORK/clear.stderr"
# A run with --wait waits for the device and runs after the reset.
"$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --wait --outputs "$WORK/waited.out" \
  >"$WORK/waited.stdout" 2>"$WORK/waited.stderr" &
WAITER=$!
sleep 0.3
kill -0 $WAITER 2>/dev/null && echo "waiter is waiting"
T0=$(date +%s%N)
"$SMI" reset 0 >"$WORK/reset.stdout" 2>&1
echo "reset exit $?"
wait $LONG
STATUS=$?
T1=$(date +%s%N)
MS=$(( (T1 - T0) / 1000000 ))
echo "reset-to-stop: $MS ms" >"$WORK/latency.txt"
echo "running pfvm exit $STATUS"
cat "$WORK/long.stderr"
[ $MS -lt 1000 ] && echo "stopped within a second"
wait $WAITER
echo "waiter exit $?"
# The device is usable right after.
"$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --check >"$WORK/after.stdout" 2>&1
echo "run after reset exit $?"
"$SMI" list --json | grep -c '"state": "idle"'
