# The server started on a free port chosen here (--port N, --host 127.0.0.1) prints that URL;
# a second server on the same port fails at start with E604 and exit 1.
#   bash port_busy.sh BIN CODEGEN_DIR INPUTS_DIR
set -u
BIN=$1; DIR=$2; INPUTS=$3
. "$INPUTS/serve.sh"
DASH_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_dashboard "$BIN" "$DIR" --host 127.0.0.1 || exit 1
[ "$URL" = "http://127.0.0.1:$DASH_PORT/" ] && echo "listening on the chosen port"
timeout 10 "$BIN" serve "$DIR" --port "$DASH_PORT" 2>&1
echo "exit $?"
