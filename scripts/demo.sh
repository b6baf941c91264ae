#!/usr/bin/env bash
# The main job on the built-in server, end to end, touching nothing of the user's:
# start `clearml server serve` on a temporary data dir, configure a temporary clearml.conf
# with `clearml init --non-interactive` from the credentials block the server printed,
# then ping, run the self-test experiment, list tasks and models, and stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLEARML:-target/release/clearml}
[ -x "$BIN" ] || { echo "demo: $BIN missing: run 'make build' first" >&2; exit 1; }

work=$(mktemp -d -t clearml-demo.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
else
  step() { printf '\n==> %s\n' "$*" >&2; }
fi

step "clearml server serve (data in $work/data, free loopback ports)"
mkdir -p "$work/data"
"$BIN" server serve --data-dir "$work/data" --api-port 0 --files-port 0 --web-port 0 \
  >"$work/credentials.txt" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$work/data/serve.json" ] && break; sleep 0.05; done
[ -s "$work/data/serve.json" ] || { cat "$work/serve.log" >&2; echo "demo: server did not start" >&2; exit 1; }
cat "$work/data/serve.json" >&2; echo >&2

export CLEARML_CONFIG_FILE="$work/clearml.conf"
export CLEARML_CACHE_DIR="$work/cache"

step "clearml init --non-interactive --credentials (the block the server printed)"
"$BIN" init --non-interactive --credentials "$work/credentials.txt"

step "clearml config show"
"$BIN" config show

step "clearml server ping"
"$BIN" server ping

step "clearml server selftest (the test experiment)"
"$BIN" server selftest

step "clearml task list"
"$BIN" task list --all

step "clearml model publish (a small weights file) and clearml model pull"
head -c 1048576 /dev/urandom > "$work/weights.bin"
model_id=$("$BIN" model publish "$work/weights.bin" --name demo-model --project "ClearML Demo" --framework PyTorch)
pulled=$("$BIN" model pull "$model_id" -o "$work/pulled.bin")
cmp "$work/weights.bin" "$pulled" && echo "pulled $pulled: byte-equal to the published file" >&2

step "clearml model list"
"$BIN" model list --all

step "done: stopping the server"
