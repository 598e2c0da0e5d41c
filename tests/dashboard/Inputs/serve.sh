# Sourced by the dashboard tests: start_dashboard BIN DIR [DIR2] starts the server on a free
# loopback port (--port 0: the kernel picks it, no race; or $DASH_PORT) and sets URL; the server is killed on
# exit whatever happens. Every wait is bounded.
DASH_PID=""
DASH_LOG=$(mktemp)
stop_dashboard() {
  if [ -n "$DASH_PID" ]; then kill "$DASH_PID" 2>/dev/null || true; wait "$DASH_PID" 2>/dev/null || true; fi
  DASH_PID=""
}
trap 'stop_dashboard; rm -f "$DASH_LOG"' EXIT
trap 'exit 1' INT TERM HUP
start_dashboard() {
  local bin=$1; shift
  "$bin" serve "$@" --port "${DASH_PORT:-0}" >"$DASH_LOG" 2>&1 &
  DASH_PID=$!
  URL=""
  for _ in $(seq 1 100); do
    URL=$(sed -n 's/^codegen-dashboard: serving .* at \(http:[^ ]*\)$/\1/p' "$DASH_LOG")
    [ -n "$URL" ] && return 0
    kill -0 "$DASH_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "dashboard did not start:"; cat "$DASH_LOG"
  return 1
}
# get PATH -> prints "CODE PATH" (no path normalisation: traversal attempts reach the server).
get() { curl -s --max-time 10 --path-as-is -o "${OUT:-/dev/null}" -w "%{http_code} $1\n" "$URL$1"; }
