# Each way out of the codegen_dir must be refused (403, or 404 where the name cannot exist):
# "..", encoded "..", encoded "/", absolute paths, backslashes, symlinks that leave; and the
# server is read-only.   bash traversal.sh BIN CODEGEN_DIR INPUTS_DIR
set -u
BIN=$1; DIR=$2; INPUTS=$3
. "$INPUTS/serve.sh"
start_dashboard "$BIN" "$DIR" || exit 1
echo "url $URL"
get files/0/report.json
get files/0/../secret.txt
get files/0/../../../../etc/passwd
get files/0/glog/../../secret.txt
get files/0/%2e%2e/secret.txt
get files/0/%2E%2E/%2E%2E/etc/passwd
get files/0/..%2fsecret.txt
get files/0/glog%2f..%2f..%2fsecret.txt
get files/0//etc/passwd
get files/0/%2fetc%2fpasswd
get files/0/..%5csecret.txt
get files/0/./report.json
get files/0/link-out.txt
get files/0/dir-out/secret.txt
get files/0/link-in.json
get files/0/%252e%252e/secret.txt
get files/1/report.json
get api/onnx/0/../secret.txt
get api/onnx/0/%2e%2e/secret.txt
curl -s --max-time 10 -X POST -d x -o /dev/null -w "%{http_code} POST\n" "${URL}files/0/report.json"
curl -s --max-time 10 -X PUT -d x -o /dev/null -w "%{http_code} PUT\n" "${URL}files/0/report.json"
curl -s --max-time 10 -X DELETE -o /dev/null -w "%{http_code} DELETE\n" "${URL}files/0/report.json"
