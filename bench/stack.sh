#!/usr/bin/env bash
# `clearml server up` to ready, all images present, against `docker compose up -d` plus a
# ping loop on the same images and the same compose file (rendered by `clearml server render`).
# Goal: ratio <= 1.0.
#
# No image can be pulled here, so both sides run the stand-in images the stack tests use:
# a static busybox for databases/web/files and the release `clearml server serve` as the
# apiserver. "Ready" is the same on both sides: debug.ping and server.info answer on the
# API port, the web and file servers answer HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/target/release/clearml}
RUNS=${BENCH_RUNS:-${RUNS:-5}}
OUT=${BENCH_OUT:-$PWD/bench/out}; mkdir -p "$OUT"
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench/stack.sh needs curl" >&2; exit 1; }
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi

export CLEARML_STACK_PROJECT="clbench$$"
IMAGE="clearml-bench-standin:$$"
tmp=$(mktemp -d)
DATA=$tmp/data
cleanup() {
  "$BIN" server down --data-dir "$DATA" >/dev/null 2>&1 || true
  "${COMPOSE[@]}" -p "$CLEARML_STACK_PROJECT" -f "$tmp/compose.yml" down >/dev/null 2>&1 || true
  docker rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The stand-in image (same as tests/it/stack.rs, with the release binary).
root=$tmp/rootfs
mkdir -p "$root"/{bin,tmp,www,mnt,etc,opt/clearml-cli}
cp "${CLEARML_TEST_BUSYBOX:-target/busybox/bin/busybox}" "$root/bin/busybox"
for a in sh sleep httpd mkdir echo cat; do ln -s busybox "$root/bin/$a"; done
cat > "$root/bin/standin" <<'EOF'
#!/bin/sh
pid=
trap 'if [ -n "$pid" ]; then kill -TERM $pid; wait $pid; fi; exit 0' TERM INT
run() { "$@" & pid=$!; wait $pid; }
case "$1" in
  apiserver) run /opt/clearml-cli/clearml server serve --host 0.0.0.0 --api-port 8008 --files-port 0 --web-port 0 --data-dir /mnt/fileserver/serve;;
  fileserver) run httpd -f -p 8081 -h /www;;
  webserver) run httpd -f -p 80 -h /www;;
  *) run sleep 2147483647;;
esac
EOF
printf '#!/bin/sh\nexec /bin/standin python3 "$@"\n' > "$root/bin/python3"
chmod +x "$root/bin/standin" "$root/bin/python3"
echo '<html>bench</html>' > "$root/www/index.html"
cp "$BIN" "$root/opt/clearml-cli/clearml"
for lib in $(ldd "$BIN" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
done
tar -C "$root" -cf "$tmp/rootfs.tar" .
docker import -c 'ENTRYPOINT ["/bin/standin"]' "$tmp/rootfs.tar" "$IMAGE" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API=$(free_port); WEB=$(free_port); FILES=$(free_port)
ARGS=(--data-dir "$DATA" --port apiserver="$API" --port webserver="$WEB" --port fileserver="$FILES")
for s in apiserver webserver fileserver mongo elasticsearch redis async_delete; do ARGS+=(--image "$s=$IMAGE"); done
mkdir -p "$DATA"
# This engine may be unable to raise rlimits (nested Docker): drop the ES ulimits on both sides.
printf '[ulimits]\n"elasticsearch.nofile" = 0\n"elasticsearch.memlock" = 0\n' > "$DATA/clearml-server.toml"
"$BIN" server render "${ARGS[@]}" > "$tmp/compose.yml"
"$BIN" server doctor "${ARGS[@]}" --fix >/dev/null 2>&1 || true   # create the data dirs for both sides

now() { date +%s.%N; }
ready() {
  curl -sf -o /dev/null "http://127.0.0.1:$API/debug.ping" &&
  # server.info needs credentials (as on the real server): a 401 envelope is an API serving,
  # which is how `server up` judges it too.
  case "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$API/server.info")" in 200|401) ;; *) false;; esac &&
  curl -s -o /dev/null "http://127.0.0.1:$WEB/" &&
  curl -s -o /dev/null "http://127.0.0.1:$FILES/"
}

ours=(); theirs=()
for i in $(seq "$RUNS"); do
  t0=$(now)
  "$BIN" server up "${ARGS[@]}" --skip-doctor --pull never --timeout 2m >/dev/null 2>"$tmp/up.err" || { cat "$tmp/up.err" >&2; exit 1; }
  t1=$(now)
  ours+=("$(echo "$t1 - $t0" | bc)")
  "$BIN" server down --data-dir "$DATA" >/dev/null 2>&1

  t0=$(now)
  "${COMPOSE[@]}" -p "$CLEARML_STACK_PROJECT" -f "$tmp/compose.yml" up -d >/dev/null 2>&1
  deadline=$(( $(date +%s) + 120 ))
  until ready; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "stack: compose side not ready after 120 s" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(now)
  theirs+=("$(echo "$t1 - $t0" | bc)")
  "${COMPOSE[@]}" -p "$CLEARML_STACK_PROJECT" -f "$tmp/compose.yml" down >/dev/null 2>&1
done

python3 - "${ours[*]}" "${theirs[*]}" "${COMPOSE[*]}" "$OUT/stack.jsonl" <<'PY'
import json, statistics, sys
ours = [float(x) for x in sys.argv[1].split()]
theirs = [float(x) for x in sys.argv[2].split()]
o, t = statistics.median(ours), statistics.median(theirs)
side = lambda label, xs, cmd: {"label": label, "runs": len(xs), "median_ms": round(statistics.median(xs) * 1000, 1),
                               "min_ms": round(min(xs) * 1000, 1), "command": cmd}
with open(sys.argv[4], "w") as f:
    f.write(json.dumps({"bench": "stack", "figure": "server up to ready (stand-in images)",
        "ours": side("clearml server up", ours, "$BIN server up --data-dir $TMP/data --port ... --image ... --skip-doctor --pull never"),
        "anchor": side(f"{sys.argv[3]} up -d + ping loop", theirs, f"{sys.argv[3]} -f $TMP/compose.yml up -d; until debug.ping, server.info, web and files answer"),
        "goal": "<= 1.0", "note": "same images, same compose file (clearml server render); ready = the same four probes"}) + "\n")
print(f"stack: server up to ready {o:.2f} s median ({len(ours)} runs: {' '.join(f'{x:.2f}' for x in ours)}); "
      f"{sys.argv[3]} up -d + ping loop {t:.2f} s ({' '.join(f'{x:.2f}' for x in theirs)}) -> ratio {o/t:.2f} (goal <= 1.0)")
PY
