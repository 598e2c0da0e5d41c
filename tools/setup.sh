#!/usr/bin/env bash
# Sets up a Debian 12 machine for pfcomp and builds it; safe to run again (fast when done).
#
#   bash tools/setup.sh            # packages, npm deps, `bazel build //...`, bin/ links
#   SKIP_BUILD=1 bash tools/setup.sh   # everything but the Bazel build
#
# bin/ gets a relative symlink per built executable (bin/pfcomp -> ../bazel-bin/...).
# Exit status: non-zero when a package could not be installed or the build failed; the links
# for whatever did build are made either way.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { echo "setup: $*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

PACKAGES="bazel-bootstrap libonnx-dev libprotobuf-dev protobuf-compiler nlohmann-json3-dev
  libzstd-dev libcli11-dev catch2 llvm-14-dev llvm-14-tools libgoogle-glog-dev
  python3-onnx python3-numpy python3-torch python3-torchvision make libonnx-testdata
  libcpp-httplib-dev chromium"

missing=""
for pkg in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done
if [ -n "$missing" ]; then
  log "installing:$missing"
  $SUDO apt-get update -q </dev/null || { log "apt-get update failed"; exit 1; }
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing </dev/null ||
    { log "apt-get install failed"; exit 1; }
else
  log "Debian packages present"
fi

# onnxruntime-node (reference outputs for testdata/). ONNXRUNTIME_NODE_INSTALL=skip keeps its
# install script from downloading GPU libraries. Node.js/npm are not installed from Debian
# here (Debian's npm conflicts with the Node.js many machines already have).
if command -v npm >/dev/null 2>&1; then
  if [ ! -e node_modules/onnxruntime-node/package.json ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci (onnxruntime-node)"
    ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error </dev/null ||
      log "warning: npm ci failed; only tools/make_testdata.py needs onnxruntime-node"
  else
    log "npm packages present"
  fi
else
  log "warning: npm not found; skipping onnxruntime-node (only tools/make_testdata.py needs it)"
fi

build_status=0
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "bazel build //..."
  bazel build --keep_going //... </dev/null || build_status=$?
  [ "$build_status" = 0 ] || log "bazel build failed (exit $build_status); linking what was built"
fi

# One line per executable: name, then the Bazel output paths it may have (first found wins).
mkdir -p bin
link() {
  local name=$1; shift
  local target
  rm -f "bin/$name"
  for target in "$@"; do
    if [ -x "$ROOT/bazel-bin/$target" ] && [ -f "$ROOT/bazel-bin/$target" ]; then
      ln -s "../bazel-bin/$target" "bin/$name"
      return 0
    fi
  done
  log "not built: $name"
}
link pfcomp            compiler/driver/pfcomp
link onnx-import       compiler/import/onnx-import
link layout-plan       compiler/layout/layout-plan
link simulate          compiler/sim/simulate
link schedule          compiler/sched/schedule
link emit              compiler/emit/emit
link pfvm              runtime/pfvm/pfvm
link gpfn3-smi         smi/gpfn3-smi
link codegen-dashboard compiler/dashboard/codegen-dashboard tools/dashboard/codegen-dashboard \
                       dashboard/codegen-dashboard
log "bin/: $(cd bin && ls | tr '\n' ' ')"
exit "$build_status"
