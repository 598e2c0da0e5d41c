# Starts the server over DIR and runs interact.js against it.   bash interact.sh BIN DIR SHOTS
set -u
BIN=$1; DIR=$2; SHOTS=$3
INPUTS=$(cd "$(dirname "$0")" && pwd)
. "$INPUTS/serve.sh"
start_dashboard "$BIN" "$DIR" || exit 1
mkdir -p "$SHOTS"
timeout 180 node "$INPUTS/interact.js" "$URL" "$SHOTS"
