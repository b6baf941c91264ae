#!/usr/bin/env bash
# `clearml dataset` against the SDK's Dataset on `clearml server serve`, same data, same run,
# the two interleaved run by run (bench/measure.py --anchor: ours, SDK, ours, SDK, ...;
# median, range and CPU time of each):
#  * making a version (create + add + upload + close) of N files / M MiB vs the SDK's
#    Dataset.create + add_files + upload + finalize. Goal: <= 0.5x the SDK's time.
#  * `dataset get` of the 2-version dataset (a child with 5% of the files modified, 5%
#    removed, 5% added) into a fresh folder vs the SDK's Dataset.get(...).get_local_copy()
#    with a fresh cache. Goal: <= 0.3x the SDK's time.
#  Peak RSS of each (GNU time), and that the server lived through it all.
# Needs the release binary (make build) and .venv with the clearml SDK (make venv).
# Knobs: BENCH_DS_RUNS (5 pairs), BENCH_DS_FILES (10000), BENCH_DS_MIB (1024),
# BENCH_DS_SCRATCH (where both sides' `get` copies and caches go; default a tmpfs,
# /dev/shm, when it has room, see below), BENCH_DS_SETTLE (61: seconds of pause after
# removing the last run's copy when that is on disk; 0 for none).
# Figures: bench/out/dataset.jsonl (read by bench/report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_DATASET_BIN:-${CLEARML_BENCH_BIN:-$PWD/target/release/clearml}}
PY=${BENCH_PYTHON:-$PWD/.venv/bin/python}
M="python3 bench/measure.py"
RUNS=${BENCH_DS_RUNS:-5}
FILES_N=${BENCH_DS_FILES:-10000}
MIB=${BENCH_DS_MIB:-1024}
. bench/lib.sh

echo "writing $FILES_N files, $MIB MiB (and the second version's changes)..." >&2
"$PY" - "$tmp/v1" "$tmp/v2" "$FILES_N" "$MIB" <<'PY'
import os, sys, random
v1, v2, n, mib = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
size = mib * 1024 * 1024 // n
random.seed(7)
def put(root, rel, data):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
block = os.urandom(size * 2)
for i in range(n):
    # Half incompressible, half text-like: a dataset of images and annotations.
    off = random.randrange(size)
    data = block[off:off + size] if i % 2 else (b"label %d " % i) * (size // 12 + 1)
    put(v1, f"part-{i % 100:02d}/file-{i:05d}.bin", data[:size])
# v2: the files of v1 with 5% modified, 5% removed, 5% new.
import shutil
shutil.copytree(v1, v2)
for i in range(0, n, 20):
    put(v2, f"part-{i % 100:02d}/file-{i:05d}.bin", os.urandom(size))
for i in range(1, n, 20):
    os.remove(os.path.join(v2, f"part-{i % 100:02d}/file-{i:05d}.bin"))
for i in range(n // 20):
    put(v2, f"new/file-{i:05d}.bin", os.urandom(size))
PY
# A dataset has no empty folders.
find "$tmp/v2" -type d -empty -delete

# ---------------------------------------------------------------- making a version
cat > "$tmp/ours_make.sh" <<SH
set -e
id=\$("$BIN" -q dataset create --project bench-ds --name ours)
"$BIN" -q dataset add --id "\$id" "$tmp/v1"
"$BIN" -q dataset upload --id "\$id"
"$BIN" -q dataset close --id "\$id" >/dev/null
SH
cat > "$tmp/sdk_make.py" <<PY
from clearml import Dataset
d = Dataset.create(dataset_project="bench-ds", dataset_name="sdk")
d.add_files("$tmp/v1")
d.upload(show_progress=False)
d.finalize()
PY
# Each run's chunks are removed from the server before the next (untimed): 1 GiB a run.
made="rm -rf '$tmp/data/files/bench-ds/.datasets/ours' '$tmp/data/files/bench-ds/.datasets/sdk'"
make_pair=$($M --runs "$RUNS" --warmup 0 --before "$made" \
  --label "clearml dataset create+add+upload+close" \
  --anchor "'$PY' '$tmp/sdk_make.py'" --anchor-label "SDK Dataset.create+add_files+upload+finalize" \
  -- bash "$tmp/ours_make.sh")
serve_alive "making versions"
eval "$made"
make_ours=$(sed -n 1p <<<"$make_pair"); make_sdk=$(sed -n 2p <<<"$make_pair")
echo "$make_ours"; echo "$make_sdk"

# ---------------------------------------------------------------- the 2-version dataset
P=$("$BIN" -q dataset create --project bench-ds --name two)
"$BIN" -q dataset add --id "$P" "$tmp/v1"
"$BIN" -q dataset close --id "$P" >/dev/null
C=$("$BIN" -q dataset create --project bench-ds --name two --parents "$P")
"$BIN" -q dataset sync --id "$C" "$tmp/v2"
"$BIN" -q dataset close --id "$C" >/dev/null
# Where both sides' copies and caches go. Each run starts from nothing: the last run's
# copy and cache are removed first, untimed (removing 10,000 files is part of neither side's
# work). On a disk that removal would weigh on the next run: on an ext4 without a journal
# (this machine's), creating a file scans past every inode freed in the last 60 s (360 s
# once its inode table block is written again) -- measured at half or more of `get`'s CPU
# time, varying run to run with what was freed where. A tmpfs has no such memory, so the
# copies go to /dev/shm when it has room (3 GiB at a time: the SDK keeps the chunks, both
# versions and the merged copy); else to disk, after sync and a BENCH_DS_SETTLE pause.
get_root=${BENCH_DS_SCRATCH:-}
settle=0
if [ -z "$get_root" ]; then
  if [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt $((4 * 1024 * 1024)) ]; then
    get_root=/dev/shm
  else
    get_root=$tmp; settle=${BENCH_DS_SETTLE:-61}
  fi
fi
g=$(mktemp -d -p "$get_root" bench-ds-get.XXXXXX); scratch+=("$g")
echo "get copies and caches in $g ($(df -PT "$g" | awk 'NR==2 {print $2}'))" >&2
cat > "$tmp/ours_get.sh" <<SH
set -e
CLEARML_CACHE_DIR="$g/cache" "$BIN" -q dataset get "$C" -o "$g/out" >/dev/null
SH
cat > "$tmp/sdk_get.py" <<PY
from clearml import Dataset
print(Dataset.get(dataset_id="$C").get_local_copy())
PY
fresh="rm -rf '$g/out' '$g/cache'; sync; sleep $settle"
bash "$tmp/ours_get.sh"
diff -r "$g/out" "$tmp/v2" >/dev/null || { echo "dataset get differs from the source folder" >&2; exit 1; }
get_pair=$($M --runs "$RUNS" --warmup 0 --before "$fresh" --env "CLEARML_CACHE_DIR=$g/cache" \
  --label "clearml dataset get (2 versions)" \
  --anchor "'$PY' '$tmp/sdk_get.py'" --anchor-label "SDK Dataset.get().get_local_copy()" \
  -- bash "$tmp/ours_get.sh")
serve_alive "get"
get_ours=$(sed -n 1p <<<"$get_pair"); get_sdk=$(sed -n 2p <<<"$get_pair")
echo "$get_ours"; echo "$get_sdk"
# Peak memory of our binary alone (the figures above measure the wrapper scripts).
rm -rf "$g/out" "$g/cache"
CLEARML_CACHE_DIR="$g/cache" /usr/bin/time -f "%M" -o "$tmp/rss_get" "$BIN" -q dataset get "$C" -o "$g/out" >/dev/null
rm -rf "$g/out" "$g/cache"
id=$("$BIN" -q dataset create --project bench-ds --name rss)
"$BIN" -q dataset add --id "$id" "$tmp/v1"
/usr/bin/time -f "%M" -o "$tmp/rss_up" "$BIN" -q dataset upload --id "$id"
serve_alive "the peak-memory runs"

python3 - "$OUT/dataset.jsonl" "$FILES_N" "$MIB" "$make_ours" "$make_sdk" "$get_ours" "$get_sdk" "$(tail -1 "$tmp/rss_get")" "$(tail -1 "$tmp/rss_up")" \
  "copies on $(df -PT "$g" | awk 'NR==2 {print $2}')" <<'PY'
import json, sys
path, n, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mo, ms, go, gs = (json.loads(x) for x in sys.argv[4:8])
rss_get, rss_up = int(sys.argv[8]), int(sys.argv[9])
size = f"{mib // 1024} GiB" if mib % 1024 == 0 else f"{mib} MiB"
figures = [
    (f"dataset version of {n:,} files / {size} vs the SDK", mo, ms, "<= 0.5",
     f"create+add+upload+close vs Dataset.create+add_files+upload+finalize; peak RSS of `dataset upload` alone {rss_up/1024:.1f} MiB"),
    (f"dataset get, 2 versions of {n:,} files / {size}, vs the SDK", go, gs, "<= 0.3",
     f"fresh folder and cache each run ({sys.argv[10]}); peak RSS of `dataset get` alone {rss_get/1024:.1f} MiB"),
]
with open(path, "w") as f:
    for name, o, a, goal, note in figures:
        f.write(json.dumps({"bench": "dataset", "figure": name, "ours": o, "anchor": a, "goal": goal, "note": note}) + "\n")
        # Each pair's ratio (the runs were interleaved: run i of both saw the same load).
        pairs = [f"{x / y:.2f}" for x, y in zip(o["walls_ms"], a["walls_ms"])]
        print(f"dataset: {name}: {o['median_ms']} ms (range {o['min_ms']}-{o['max_ms']}, cpu {o['cpu_ms']} ms, "
              f"{o['peak_rss_kib']/1024:.1f} MiB peak); {a['label']} {a['median_ms']} ms (range {a['min_ms']}-"
              f"{a['max_ms']}, cpu {a['cpu_ms']} ms, {a['peak_rss_kib']/1024:.1f} MiB peak) -> ratio "
              f"{o['median_ms']/a['median_ms']:.2f} (goal {goal}; by cpu {o['cpu_ms']/a['cpu_ms']:.2f}; "
              f"pairs {' '.join(pairs)}); {note}")
PY
