# Prints the text each page shows after rendering in headless Chromium, one table row or block
# per line ("== PAGE" before each), for FileCheck.   bash dump_pages.sh BIN DIR PAGE...
set -u
BIN=$1; DIR=$2; shift 2
INPUTS=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${PFCOMP_CHROMIUM:-chromium}
. "$INPUTS/serve.sh"
start_dashboard "$BIN" "$DIR" || exit 1
PROFILE=$(mktemp -d)
trap 'stop_dashboard; rm -rf "$PROFILE" "$DASH_LOG"' EXIT
for page in "$@"; do
  echo "== $page"
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
    --user-data-dir="$PROFILE" --virtual-time-budget=8000 --window-size=1400,900 \
    --dump-dom "$URL$page" 2>/dev/null | /usr/bin/python3 "$INPUTS/dom_text.py"
done
