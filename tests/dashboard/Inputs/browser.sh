# Loads every page of the dashboard in headless Chromium, prints what the rendered DOM shows
# (for FileCheck) and saves a screenshot of each page.
#   bash browser.sh BIN SHOT_DIR CODEGEN_DIR [CODEGEN_DIR2]   (INPUTS_DIR is this script's folder)
set -u
BIN=$1; SHOTS=$2; shift 2
INPUTS=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${PFCOMP_CHROMIUM:-chromium}
. "$INPUTS/serve.sh"
start_dashboard "$BIN" "$@" || exit 1
mkdir -p "$SHOTS"
PROFILE=$(mktemp -d)
T=$(mktemp -d)
trap 'stop_dashboard; rm -rf "$PROFILE" "$T" "$DASH_LOG"' EXIT
browse() {  # browse MODE OUTPUT URL [HEIGHT]
  local mode=$1 out=$2 url=$3 height=${4:-900}
  local flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-dev-shm-usage --hide-scrollbars --user-data-dir=$PROFILE
    --virtual-time-budget=8000 --window-size=1400,$height"
  if [ "$mode" = dom ]; then
    # shellcheck disable=SC2086
    timeout 60 "$CHROMIUM" $flags --dump-dom "$url" >"$out" 2>/dev/null
  else
    # shellcheck disable=SC2086
    timeout 60 "$CHROMIUM" $flags --screenshot="$out" "$url" >/dev/null 2>&1
  fi
}
count() { grep -o "$1" "$T/dom.html" | wc -l | tr -d ' '; }
for page in summary graph nodes logs timeline tools compare; do
  browse dom "$T/dom.html" "$URL$page"
  echo "== $page ready=$(grep -o 'data-ready="[^"]*"' "$T/dom.html" | head -n 1)"
  case $page in
    summary)
      echo "statuses ok=$(count '<span class="ok">ok</span>') failed=$(count '<span class="bad">failed</span>')"
      grep -o '<td>\(onnx-import\|layout-plan\|simulate\|schedule\|emit\)</td>' "$T/dom.html" | tr '\n' ' '; echo
      grep -o '<td>/conv1/Conv</td>' "$T/dom.html" | head -n 1
      grep -o '<td><b>ALL</b></td>' "$T/dom.html"
      grep -o 'predicted device time</th><td><b>[0-9.]* µs' "$T/dom.html"
      grep -o '<p id="roofline">.*the bound</p>' "$T/dom.html" | sed 's/<[^>]*>//g' ;;
    graph)
      echo "op boxes=$(count 'class="node op"') inputs=$(count 'class="node input"') outputs=$(count 'class="node output"') edges=$(count '<path d=')" ;;
    nodes)
      grep -o '[0-9]* of [0-9]* nodes' "$T/dom.html"
      grep -o '>/conv1/Conv</a></td><td>Conv</td>' "$T/dom.html" ;;
    logs)
      grep -o '<h2>[^<]*' "$T/dom.html" | sed 's/<h2>/log /; s/ *$//; s/\.[0-9-]*\.[0-9]*$//' | sort -u ;;
    timeline)
      grep -o '<div class="track"[^>]*>[^<]*' "$T/dom.html" | sed 's/.*>/track /'
      echo "canvas=$(count '<canvas id="canvas"')" ;;
    tools)
      grep -o '<iframe[^>]*src="[^"]*"' "$T/dom.html" | sed 's/.*src=/iframe /'
      grep -o 'class="tab[^"]*" href="[^"]*">[^<]*' "$T/dom.html" | sed 's/.*>/tab /' ;;
    compare)
      grep -o '<h2>[^<]*' "$T/dom.html" | sed 's/<h2>/section /'
      grep -o '<td><b>ALL</b></td><td>[0-9,]*</td><td>[0-9,]*</td><td><span class="diff [a-z]*">[^<]*' "$T/dom.html" |
        sed 's/<[^>]*>/ /g; s/  */ /g; s/^/perf /' ;;
  esac
  height=900
  case $page in summary|compare) height=2000 ;; esac
  browse shot "$SHOTS/$page.png" "$URL$page" "$height"
  [ -s "$SHOTS/$page.png" ] && echo "screenshot $page.png"
done
# Page state from the query: a node selected in the Graph page (details panel), a search
# typed into the Node page, the Node page of the optimized ONNX.
browse dom "$T/dom.html" "${URL}graph?select=%2Fconv1%2FConv"
echo "graph selected: $(grep -o '<b id="selname">[^<]*' "$T/dom.html" | sed 's/.*>//')"
grep -o '<h4>[^<]*' "$T/dom.html" | sed 's/<h4>/  details /'
grep -o '<td>kernel_shape</td><td>[^<]*' "$T/dom.html" | sed 's/<[^>]*>/ /g; s/^/  attr/'
grep -o 'layout <code>[^<]*' "$T/dom.html" | sed 's/^/  /'
browse shot "$SHOTS/graph-selected.png" "${URL}graph?select=%2Fconv1%2FConv"
browse dom "$T/dom.html" "${URL}nodes?q=conv"
grep -o '[0-9]* of [0-9]* nodes' "$T/dom.html" | sed 's/^/node search conv: /'
browse dom "$T/dom.html" "${URL}nodes?file=optimized.onnx&dir=1"
grep -o '[0-9]* of [0-9]* nodes' "$T/dom.html" | sed 's/^/optimized.onnx of dir 1: /'
browse dom "$T/dom.html" "${URL}tools?file=l3ir.txt"
echo "l3ir lines: $(grep -c '<span class="ln">' "$T/dom.html")"
