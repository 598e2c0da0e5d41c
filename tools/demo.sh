#!/usr/bin/env bash
# First run on a fresh Debian 12 machine: set up and build, compile a bundled CNN with the O1
# preset, run it on an emulated device and check it against onnxruntime's outputs.
#
#   bash tools/demo.sh
set -eu
cd "$(dirname "$0")/.."

bash tools/setup.sh </dev/null
for tool in pfcomp pfvm; do
  if [ ! -x "bin/$tool" ]; then
    echo "demo: bin/$tool was not built; see the bazel output above" >&2
    exit 1
  fi
done

rm -rf out/small_cnn
echo "+ bin/pfcomp testdata/models/small_cnn.onnx -o out/small_cnn --option_json=presets/O1.json"
bin/pfcomp testdata/models/small_cnn.onnx -o out/small_cnn --option_json=presets/O1.json
echo "+ bin/pfvm run out/small_cnn --inputs testdata/models/small_cnn.data --check --rtol=1e-3 --atol=1e-4"
bin/pfvm run out/small_cnn --inputs testdata/models/small_cnn.data --check --rtol=1e-3 --atol=1e-4
echo "demo: codegen_dir in out/small_cnn (report.json, option.json, stage files, program.gpfnapp)"
