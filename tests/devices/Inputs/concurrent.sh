#!/bin/sh
# Two pfvm runs at the same time: on different devices both run (both devices locked at once)
# and give identical outputs; on the same device the second fails with E506 unless --wait, and
# with --wait it runs once the first has finished.
#   concurrent.sh PFVM SMI CODEGEN_DIR INPUTS_DIR WORK_DIR
set -u
PFVM=$1 SMI=$2 DIR=$3 INPUTS=$4 WORK=$5
# A slow run holds its device ~2 s (42 instructions x 200 us x 120); every process bounded by timeout.
SLOW="--repeat 120 --instr-delay-us 200"
locked() { "$SMI" list --json | grep -c '"state": "locked"'; }
wait_locked() {  # wait_locked N: until N devices are locked (at most 10 s)
  i=0
  until [ "$(locked)" -ge "$1" ]; do
    i=$((i + 1)); [ $i -gt 200 ] && { echo "never $1 locked"; return 1; }
    sleep 0.05
  done
}

echo "== different devices"
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 $SLOW --outputs "$WORK/d0" >"$WORK/d0.stdout" 2>&1 &
A=$!
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device mnc2p28s0 $SLOW --outputs "$WORK/d1" >"$WORK/d1.stdout" 2>&1 &
B=$!
wait_locked 2 && echo "both devices locked at once"
wait $A; echo "device 0 run exit $?"
wait $B; echo "device 1 run exit $?"
cmp "$WORK/d0/output_0.pb" "$WORK/d1/output_0.pb" && echo "outputs identical"
cmp "$WORK/d0/output_0.pb" "$WORK/ref/output_0.pb" && echo "outputs equal the reference run"
echo "locked now: $(locked)"

echo "== same device"
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 $SLOW --outputs "$WORK/s0" >"$WORK/s0.stdout" 2>&1 &
A=$!
wait_locked 1 && echo "device 0 held by the first run"
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --outputs "$WORK/s1" >"$WORK/s1.stdout" 2>"$WORK/s1.stderr"
echo "second run exit $?"
cat "$WORK/s1.stderr"
[ -e "$WORK/s1/output_0.pb" ] || echo "second run wrote no outputs"
# By name too.
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device mnc2p27s0 >/dev/null 2>"$WORK/s1n.stderr"
echo "second run by name exit $?"
cat "$WORK/s1n.stderr"
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --wait --outputs "$WORK/s2" >"$WORK/s2.stdout" 2>"$WORK/s2.stderr" &
W=$!
sleep 0.3
kill -0 $W 2>/dev/null && echo "waiter is waiting"
wait $A; FIRST=$?
echo "first run exit $FIRST"
wait $W; echo "waiter exit $?"
cat "$WORK/s2.stderr"
# The waiter ran after the first had finished: its outputs file is newer than the first's.
[ "$WORK/s2/output_0.pb" -nt "$WORK/s0/output_0.pb" ] || [ ! "$WORK/s0/output_0.pb" -nt "$WORK/s2/output_0.pb" ] && echo "waiter finished after the first"
cmp "$WORK/s0/output_0.pb" "$WORK/s2/output_0.pb" && echo "outputs identical"
echo "locked now: $(locked)"
