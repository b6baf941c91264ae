#!/usr/bin/env bash
# Cold start: `clearml --help` and `clearml config show` against `clearml-init --help` from
# the Python package, in the same run. Goal: <= 1/100 of its time, <= 10 MiB peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLEARML_BIN:-target/release/clearml}
PY=.venv/bin
M="python3 bench/measure.py"
RUNS=${BENCH_RUNS:-30}
OUT=${BENCH_OUT:-$PWD/bench/out}; mkdir -p "$OUT"
export BENCH_BIN=$PWD/$BIN
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BENCH_TMP=$tmp
cat > "$tmp/clearml.conf" <<CONF
api {
  api_server: http://localhost:8008
  web_server: http://localhost:8080
  files_server: http://localhost:8081
  credentials {"access_key": "BENCHKEY", "secret_key": "benchsecret"}
}
sdk { development { default_output_uri: "" } }
CONF
ours_help=$($M --runs "$RUNS" --label "clearml --help" -- "$BIN" --help)
ours_show=$($M --runs "$RUNS" --label "clearml config show" --env CLEARML_CONFIG_FILE="$tmp/clearml.conf" -- "$BIN" config show)
theirs=$($M --runs "$(( RUNS < 5 ? RUNS : 5 ))" --label "clearml-init --help" -- "$PY/clearml-init" --help)
# A large clearml.conf (issue 9.4: parsing was quadratic): 20,000 keys read by
# `clearml config dump` against pyhocon (the SDK's reader) parsing the same file.
KEYS=${BENCH_CONF_KEYS:-20000}
python3 -c 'import sys; n=int(sys.argv[1]); print("big {"); [print(f"  key{i}: value{i}") for i in range(n)]; print("}")' "$KEYS" > "$tmp/big.conf"
cat "$tmp/clearml.conf" >> "$tmp/big.conf"
ours_big=$($M --runs "$(( RUNS < 5 ? RUNS : 5 ))" --label "clearml config dump ($KEYS keys)" --env CLEARML_CONFIG_FILE="$tmp/big.conf" -- "$BIN" config dump)
theirs_big=$($M --runs "$(( RUNS < 3 ? RUNS : 3 ))" --label "the SDK's pyhocon parse ($KEYS keys)" -- "$PY/python" -c 'import sys; from clearml.utilities.pyhocon import ConfigFactory; ConfigFactory.parse_file(sys.argv[1])' "$tmp/big.conf")
echo "$ours_help"; echo "$ours_show"; echo "$theirs"; echo "$ours_big"; echo "$theirs_big"
python3 - "$OUT/startup.jsonl" "$ours_help" "$ours_show" "$theirs" "$ours_big" "$theirs_big" <<'PY'
import json, sys
h, s, t, b, tb = (json.loads(x) for x in sys.argv[2:])
with open(sys.argv[1], "w") as f:
    for o in (h, s):
        f.write(json.dumps({"bench": "startup", "figure": f"cold start: {o['label']}", "ours": o, "anchor": t,
                            "goal": "<= 0.01", "note": "peak RSS goal <= 10 MiB"}) + "\n")
    f.write(json.dumps({"bench": "startup", "figure": "large clearml.conf", "ours": b, "anchor": tb,
                        "goal": "<= 0.5", "note": "linear parsing (issue 9.4); anchor: the SDK's HOCON reader"}) + "\n")
print(f"startup: {b['label']}: {b['median_ms']} ms median; {tb['label']} {tb['median_ms']} ms -> ratio {b['median_ms']/tb['median_ms']:.3f} (1/{tb['median_ms']/b['median_ms']:.0f})")
for o in (h, s):
    print(f"startup: {o['label']}: {o['median_ms']} ms median, {o['peak_rss_kib']/1024:.1f} MiB peak; "
          f"clearml-init --help {t['median_ms']} ms -> ratio 1/{t['median_ms']/o['median_ms']:.0f}")
PY
