#!/usr/bin/env bash
# task/model benchmarks against `clearml server serve` on loopback, all in the same run:
#  * `task list --all` of 10,000 tasks vs the SDK's Task.get_tasks (same project filter)
#    and vs curl fetching the same pages (same body, one keep-alive connection).
#    Goal: >= 5x faster than the SDK, <= 1.2x curl.
#  * `model publish` / `model pull` of a 1 GiB file vs curl (multipart POST / GET with the
#    same token). Goal: >= 0.9x curl's throughput, peak RSS <= 32 MiB.
# Needs the release binary (make build) and .venv with the clearml SDK (make venv).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/release/clearml
PY=$PWD/.venv/bin/python
M="python3 bench/measure.py"
RUNS=${BENCH_RUNS:-5}
BIG_RUNS=${BENCH_BIG_RUNS:-3}
tmp=$(mktemp -d)
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

KEY=BENCHACCESSKEY0123456789ABCDEF
SECRET=bench-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP
CLEARML_API_ACCESS_KEY=$KEY CLEARML_API_SECRET_KEY=$SECRET \
  "$BIN" server serve --api-port 0 --files-port 0 --web-port 0 --data-dir "$tmp/data" \
  >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do [ -s "$tmp/data/serve.json" ] && break; sleep 0.1; done
read -r API FILES WEB < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["api_url"], d["files_url"], d["web_url"])' "$tmp/data/serve.json")
mkdir -p "$tmp/home"
cat > "$tmp/home/clearml.conf" <<CONF
api {
  api_server: $API
  web_server: $WEB
  files_server: $FILES
  credentials {"access_key": "$KEY", "secret_key": "$SECRET"}
}
CONF
export HOME=$tmp/home CLEARML_CONFIG_FILE=$tmp/home/clearml.conf CLEARML_CACHE_DIR=$tmp/cache
TOKEN=$(curl -s -u "$KEY:$SECRET" -X POST "$API/auth.login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')

# ---------------------------------------------------------------- 10,000 tasks
echo "creating 10,000 tasks..." >&2
PID=$("$PY" - "$API" "$TOKEN" <<'PY'
import sys, json, http.client, urllib.parse
api, token = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(api)
c = http.client.HTTPConnection(u.hostname, u.port)
h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
def call(ep, body):
    c.request("POST", f"/{ep}", json.dumps(body), h)
    r = json.loads(c.getresponse().read())
    assert r["meta"]["result_code"] == 200, r
    return r["data"]
pid = call("projects.create", {"name": "bench-10k", "description": ""})["id"]
for i in range(10000):
    call("tasks.create", {"name": f"bench-{i:05d}", "type": "training", "project": pid})
print(pid)
PY
)
# The body our `task list --all` sends, page by page, for curl to replay.
body() {
  printf '{"only_fields":["id","name","project.name","status","type","user.name","last_update"],"project":["%s"],"system_tags":["-archived"],"order_by":["-last_update"],"page":%d,"page_size":500}' "$PID" "$1"
}
curl_args=()
for p in $(seq 0 20); do
  [ "$p" -gt 0 ] && curl_args+=(--next)
  curl_args+=(-s -o /dev/null -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" --data "$(body "$p")" "$API/v2.31/tasks.get_all_ex")
done
printf '%q ' curl "${curl_args[@]}" > "$tmp/curl_pages.sh"
n=$("$BIN" task list --project bench-10k --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 10000 ] || { echo "task list --all returned $n tasks, expected 10000" >&2; exit 1; }
# Task.get_tasks stops at 500 (clearml#612) and builds a Task object per id; listing all
# 10,000 with the SDK takes Task.query_tasks, which pages like we do. Both are measured:
# query_tasks against `--all`, get_tasks against `--limit 500`.
cat > "$tmp/sdk_query.py" <<'PY'
from clearml import Task
rows = Task.query_tasks(project_name="bench-10k", task_filter={"system_tags": ["-archived"]},
                        additional_return_fields=["name", "status", "type", "last_update", "user"])
assert len(rows) == 10000, len(rows)
PY
cat > "$tmp/sdk_get.py" <<'PY'
from clearml import Task
tasks = Task.get_tasks(project_name="bench-10k", allow_archived=False)
assert len(tasks) == 500, len(tasks)
PY
ours=$($M --runs "$RUNS" --label "clearml task list --all --json (10k)" -- "$BIN" task list --project bench-10k --all --json)
ours500=$($M --runs "$RUNS" --label "clearml task list --limit 500 --json" -- "$BIN" task list --project bench-10k --limit 500 --json)
curl_r=$($M --runs "$RUNS" --label "curl, same 21 pages" -- bash "$tmp/curl_pages.sh")
sdk=$($M --runs 3 --label "SDK Task.query_tasks (10k)" -- "$PY" "$tmp/sdk_query.py")
sdk500=$($M --runs 3 --label "SDK Task.get_tasks (its 500 cap)" -- "$PY" "$tmp/sdk_get.py")
echo "$ours"; echo "$ours500"; echo "$curl_r"; echo "$sdk"; echo "$sdk500"
# Where the time goes: the client's own CPU (user+sys) against its wall time. When the CPU
# share is small, `--all` waits on the server (21 sequential pages), not on JSON work here.
/usr/bin/time -f "task_model: task list --all 10k client CPU: user %U s + sys %S s of %e s wall" \
  "$BIN" task list --project bench-10k --all --json >/dev/null

# ---------------------------------------------------------------- 1 GiB model
echo "writing a 1 GiB file..." >&2
head -c 1073741824 /dev/urandom > "$tmp/big.bin"
pub=$($M --runs "$BIG_RUNS" --warmup 0 --label "clearml model publish 1 GiB" -- "$BIN" -q model publish "$tmp/big.bin" --name big --project bench-models)
curl_up=$($M --runs "$BIG_RUNS" --warmup 0 --label "curl multipart upload 1 GiB" -- curl -s -f -o /dev/null -H "Authorization: Bearer $TOKEN" -F "bench/curl/big.bin=@$tmp/big.bin;filename=bench/curl/big.bin;type=application/octet-stream" "$FILES/")
MODEL=$("$BIN" -q model publish "$tmp/big.bin" --name big-pull --project bench-models)
URL=$("$BIN" model show "$MODEL" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["uri"])')
pull=$($M --runs "$BIG_RUNS" --warmup 0 --label "clearml model pull 1 GiB" -- "$BIN" -q model pull "$MODEL" --force -o "$tmp/pulled.bin")
cmp "$tmp/big.bin" "$tmp/pulled.bin"
curl_down=$($M --runs "$BIG_RUNS" --warmup 0 --label "curl GET 1 GiB" -- curl -s -f -H "Authorization: Bearer $TOKEN" -o "$tmp/curl.bin" "$URL")
echo "$pub"; echo "$curl_up"; echo "$pull"; echo "$curl_down"

python3 - "$ours" "$curl_r" "$sdk" "$pub" "$curl_up" "$pull" "$curl_down" "$ours500" "$sdk500" <<'PY'
import json, sys
ours, curl, sdk, pub, cup, pull, cdown, ours500, sdk500 = (json.loads(x) for x in sys.argv[1:])
print(f"task_model: task list --all 10k: {ours['median_ms']} ms, {ours['peak_rss_kib']/1024:.1f} MiB peak; "
      f"SDK Task.query_tasks {sdk['median_ms']} ms -> {sdk['median_ms']/ours['median_ms']:.1f}x faster; "
      f"curl {curl['median_ms']} ms -> {ours['median_ms']/curl['median_ms']:.2f}x curl's time")
print(f"task_model: task list --limit 500: {ours500['median_ms']} ms; SDK Task.get_tasks (500 cap) "
      f"{sdk500['median_ms']} ms -> {sdk500['median_ms']/ours500['median_ms']:.1f}x faster")
gib = 1024.0
for name, o, c in (("publish", pub, cup), ("pull", pull, cdown)):
    t_o, t_c = o["median_ms"] / 1000, c["median_ms"] / 1000
    print(f"task_model: model {name} 1 GiB: {gib/t_o:.0f} MiB/s ({o['median_ms']} ms, {o['peak_rss_kib']/1024:.1f} MiB peak RSS); "
          f"curl {gib/t_c:.0f} MiB/s -> {t_c/t_o:.2f}x curl's throughput")
PY
