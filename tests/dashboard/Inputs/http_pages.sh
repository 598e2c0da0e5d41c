# Drives the real server over one codegen_dir: every page, asset, API and file must answer 200
# with the expected content; .zst files are shown decompressed and downloadable raw.
#   bash http_pages.sh BIN CODEGEN_DIR INPUTS_DIR
set -u
BIN=$1; DIR=$2; INPUTS=$3
. "$INPUTS/serve.sh"
start_dashboard "$BIN" "$DIR" || exit 1
echo "url $URL"
T=$(mktemp -d)
OUT=$T/body
for page in summary graph nodes logs timeline tools compare; do
  get "$page"; grep -c '<title>Codegen Dashboard</title>' "$T/body" | sed 's/^/  title /'
done
curl -s --max-time 10 -o /dev/null -w "%{http_code} %{redirect_url} /\n" "$URL"
for a in app.js app.css summary.js graph.js nodes.js logs.js timeline.js tools.js compare.js start.js dagre.min.js; do
  get "assets/$a"; [ -s "$T/body" ] && echo "  nonempty"
done
get assets/nope.js
get api/dirs
/usr/bin/python3 - "$T/body" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["dirs"][0]
files = {f["name"]: f for f in d["files"]}
for n in ["report.json", "option.json", "model.onnx", "optimized.onnx", "layout.html",
          "layout_plan_history.html", "l3ir.txt", "time_slice.txt", "time_slice.html",
          "profile.json", "trace.json", "CLOG.log", "notes.txt"]:
    print("  file", n, "zst" if files.get(n, {}).get("zst") else ("listed" if n in files else "MISSING"))
print("  glog files", sum(1 for n in files if n.startswith("glog/codegen.")) > 0)
open(sys.argv[1] + ".names", "w").write("\n".join(files))
PY
n_ok=0; n_all=0
while IFS= read -r name; do
  n_all=$((n_all + 1))
  path=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$name")
  code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "${URL}files/0/$path")
  if [ "$code" = 200 ]; then n_ok=$((n_ok + 1)); else echo "  file $name -> $code"; fi
done < "$T/body.names"
echo "every listed file: $n_ok of $n_all answered 200"
get api/report/0
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  report", sorted(k for k in r if k in ("compile_statuses","layers","perf_stats","predicted_time_us")))' "$T/body"
get api/report/7
for f in model.onnx optimized.onnx; do
  get "api/onnx/0/$f"
  /usr/bin/python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); print("  onnx nodes", len(g["nodes"]), "ops", sorted(set(n["op"] for n in g["nodes"]))[:3], "values", len(g["values"]) > 0)' "$T/body"
done
get api/onnx/0/report.json
get files/0/report.json
get files/0/notes.txt
cmp -s "$T/body" "$INPUTS/notes.txt" && echo "  notes.txt shown decompressed"
get files/0/notes.txt.zst
cmp -s "$T/body" "$INPUTS/notes.txt" && echo "  notes.txt.zst shown decompressed"
curl -s --max-time 10 -D "$T/headers" -o "$T/body" -w "%{http_code} files/0/notes.txt.zst?raw=1\n" "${URL}files/0/notes.txt.zst?raw=1"
cmp -s "$T/body" "$INPUTS/notes.txt.zst" && echo "  raw download identical to the .zst"
grep -i '^content-disposition' "$T/headers" | tr -d '\r'
get files/0/l3ir.txt; head -n 1 "$T/body"
get files/0/trace.json; grep -o '"thread_name"' "$T/body" | head -n 1
get "files/0/layout.html"; grep -o '<title>[^<]*' "$T/body" | head -n 1
rm -rf "$T"
