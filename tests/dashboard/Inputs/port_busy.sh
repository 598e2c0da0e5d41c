# A second server on a port the first one holds fails at start with E604 and exit 1; the
# first prints the URL of the port it was given.   bash port_busy.sh BIN CODEGEN_DIR INPUTS_DIR
set -u
BIN=$1; DIR=$2; INPUTS=$3
. "$INPUTS/serve.sh"
start_dashboard "$BIN" "$DIR" || exit 1
port=$(echo "$URL" | sed 's|.*:\([0-9]*\)/$|\1|')
timeout 10 "$BIN" serve "$DIR" --port "$port" 2>&1
echo "exit $?"
