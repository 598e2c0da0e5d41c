#!/bin/sh
# Starts a long-running pfvm on device 0, kills it with SIGKILL while it holds the device, and
# checks that the lock it left behind does not keep the device: gpfn3-smi lists it idle and
# the next pfvm run on it succeeds.
#   kill9.sh PFVM SMI CODEGEN_DIR INPUTS_DIR WORK_DIR
set -u
PFVM=$1 SMI=$2 DIR=$3 INPUTS=$4 WORK=$5
# Bounded: at most ~30 s even if nothing kills it.
timeout -s KILL 30 "$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --repeat 100000 --instr-delay-us 200 \
  --outputs "$WORK/long.out" >"$WORK/long.stdout" 2>"$WORK/long.stderr" &
LONG=$!
# Wait (at most 10 s) until it holds the device; pfvm is timeout's child, find its pid.
i=0
until "$SMI" list --json | grep -q '"state": "locked"'; do
  i=$((i + 1)); [ $i -gt 200 ] && { echo "pfvm never took the device"; kill -9 $LONG; exit 1; }
  sleep 0.05
done
echo "locked by pfvm"
HOLDER=$("$SMI" list --json | sed -n 's/.*"holder_pid": \([0-9][0-9]*\).*/\1/p' | head -1)
[ -n "$HOLDER" ] && [ "$HOLDER" != 0 ] && echo "holder pid known"
kill -9 "$HOLDER"
wait $LONG
echo "killed pfvm exit $?"
# The dead holder's pid is still in the lock file ...
[ "$(cat "$WORK/dev/mnc2p27s0/lock")" = "$HOLDER" ] && echo "lock file still names the dead pid"
# ... but the kernel dropped the lock: the device is idle.
"$SMI" list --json >"$WORK/after_kill.json"
grep -A1 '"name": "mnc2p27s0"' "$WORK/after_kill.json" | grep -q '"state": "idle"' && echo "device 0 idle after kill"
# The next run gets it (taking over the stale lock) and computes the right result.
timeout 20 "$PFVM" run "$DIR" --inputs "$INPUTS" --device 0 --check --outputs "$WORK/next.out" \
  >"$WORK/next.stdout" 2>"$WORK/next.stderr"
echo "next run exit $?"
cat "$WORK/next.stderr"
grep -q PASS "$WORK/next.stdout" && echo "next run PASS"
# And leaves the device idle, with no pid behind.
"$SMI" list --json | grep -c '"state": "idle"'
[ -s "$WORK/dev/mnc2p27s0/lock" ] || echo "lock file empty"
