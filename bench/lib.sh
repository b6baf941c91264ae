# Sourced (after BIN and PY are set) by the benchmarks that run against one
# `clearml server serve` and nothing else of their own: bench/out, a scratch folder
# "$tmp" removed on exit (with the server), the server started (bench/serve_lib.sh),
# HOME and the SDK's config and cache inside "$tmp", and a session TOKEN for direct calls.
OUT=${BENCH_OUT:-$PWD/bench/out}
mkdir -p "$OUT"
tmp=$(mktemp -d)
export BENCH_TMP=$tmp BENCH_BIN=$BIN
serve_pid=""
# The server must still be there: if it ended (a crash, a signal), say how, show the end
# of its log, keep the whole log in $OUT (the scratch folder goes) and fail the bench.
serve_alive() {
  [ -z "$serve_pid" ] && return 0
  kill -0 "$serve_pid" 2>/dev/null && return 0
  local st=0
  wait "$serve_pid" 2>/dev/null || st=$?
  serve_pid=""
  local log="$OUT/$(basename "$0" .sh)-serve.log"
  cp "$tmp/serve.log" "$log" 2>/dev/null || true
  echo "$(basename "$0"): clearml server serve ended ${1:+during $1 }with status $st$([ "$st" -gt 128 ] && echo " (signal $((st - 128)))"); its log: $log" >&2
  tail -20 "$log" >&2 2>/dev/null || true
  return 1
}
cleanup() {
  local st=$?
  [ "$st" -ne 0 ] && { serve_alive "the bench" || true; }
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  rm -rf "$tmp" "${scratch[@]}"
}
# More scratch folders (outside "$tmp") the bench makes; removed on exit too.
scratch=()
trap cleanup EXIT

. bench/serve_lib.sh
export HOME=$tmp/home CLEARML_CONFIG_FILE=$tmp/home/clearml.conf CLEARML_CACHE_DIR=$tmp/cache
TOKEN=$(curl -s -u "$KEY:$SECRET" -X POST "$API/auth.login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')
