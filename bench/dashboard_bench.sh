#!/usr/bin/env bash
# Figures for codegen-dashboard: time to serve (curl) and to render (headless Chromium) the
# Summary and Node pages, for the small CNN and for a synthetic 10,000-node chain
# (Relu/Add, bench/dashboard_make_chain.py) compiled with pfcomp, and resnet18 when the
# real-model cache has it. Results in
# out/dashboard-bench/results.txt; screenshots of the 10k pages in out/dashboard-bench/.
#   bash bench/dashboard_bench.sh
# Needs bin/ (tools/setup.sh), /usr/bin/python3 with python3-onnx, chromium and npm
# (playwright-core is installed under out/dashboard-node, outside the repository's package.json).
set -eu
cd "$(dirname "$0")/.."
OUT=out/dashboard-bench
mkdir -p "$OUT"
NODE_DIR=out/dashboard-node
if [ ! -e "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$NODE_DIR"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error --no-save \
    --prefix "$NODE_DIR" playwright-core@1.65.1 </dev/null >/dev/null
fi
export PLAYWRIGHT_CORE=$PWD/$NODE_DIR/node_modules/playwright-core

if [ ! -e "$OUT/cnn/report.json" ]; then
  bin/pfcomp testdata/models/small_cnn.onnx -o "$OUT/cnn" --option_json=presets/O1.json >/dev/null
  bin/pfvm run "$OUT/cnn" --inputs testdata/models/small_cnn.data --profile >/dev/null
fi
# resnet18 from the real-model cache (tools/make_real_models.py), when it is there.
if [ -e .cache/models/resnet18.onnx ] && [ ! -e "$OUT/resnet18/report.json" ]; then
  bin/pfcomp .cache/models/resnet18.onnx -o "$OUT/resnet18" --option_json=presets/O1.json >/dev/null
  bin/pfvm run "$OUT/resnet18" --inputs .cache/models/resnet18.data --profile >/dev/null
fi
if [ ! -e "$OUT/chain10k/report.json" ]; then
  /usr/bin/python3 bench/dashboard_make_chain.py "$OUT/chain10k.onnx" 10000
  start=$(date +%s%N)
  bin/pfcomp "$OUT/chain10k.onnx" -o "$OUT/chain10k" --option_json=presets/O1.json >/dev/null
  echo "compile chain10k with pfcomp O1: $(( ($(date +%s%N) - start) / 1000000 )) ms" >"$OUT/compile.txt"
fi

. tests/dashboard/Inputs/serve.sh
{
  echo "# codegen-dashboard figures, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
  cat "$OUT/compile.txt" 2>/dev/null || true
  for model in cnn resnet18 chain10k; do
    [ -e "$OUT/$model/report.json" ] || continue
    start_dashboard bin/codegen-dashboard "$OUT/$model"
    echo "## $model ($(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["layers"]), "layers")' "$OUT/$model/report.json"))"
    echo "serve (curl time_total, s):"
    for p in summary api/dirs api/report/0 api/onnx/0/model.onnx api/onnx/0/model.onnx files/0/trace.json; do
      curl -s -o /dev/null -w "  %{time_total} %{size_download} bytes  $p\n" "$URL$p"
    done
    echo "render (Chromium, navigation start → rendered, ms; median of 3):"
    shots=""
    [ "$model" = chain10k ] && shots="--shots $OUT"
    # shellcheck disable=SC2086
    node bench/dashboard_render.js "$URL" summary nodes graph timeline $shots --runs 3 | sed 's/^/  /'
    stop_dashboard
  done
} | tee "$OUT/results.txt"
