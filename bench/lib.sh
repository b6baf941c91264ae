# Sourced (after BIN and PY are set) by the benchmarks that run against one
# `clearml server serve` and nothing else of their own: bench/out, a scratch folder
# "$tmp" removed on exit (with the server), the server started (bench/serve_lib.sh),
# HOME and the SDK's config and cache inside "$tmp", and a session TOKEN for direct calls.
OUT=${BENCH_OUT:-$PWD/bench/out}
mkdir -p "$OUT"
tmp=$(mktemp -d)
export BENCH_TMP=$tmp BENCH_BIN=$BIN
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

. bench/serve_lib.sh
export HOME=$tmp/home CLEARML_CONFIG_FILE=$tmp/home/clearml.conf CLEARML_CACHE_DIR=$tmp/cache
TOKEN=$(curl -s -u "$KEY:$SECRET" -X POST "$API/auth.login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')
