#!/bin/sh
# Refresh the repository's copy of the recorded real-server exchanges (tests/data/real-server/)
# from the project's ../shared reference folder, so the conformance test runs on a clone
# without ../shared. Copies the recordings only (the JSON files), not the folder's notes.
#   sh scripts/copy-recordings.sh [SHARED_DIR]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-${CLEARML_TEST_SHARED_DIR:-$repo/../shared}}
src=$shared/reference/real-server-responses/quirks
dst=$repo/tests/data/real-server/quirks
[ -d "$src" ] || { echo "copy-recordings: no recordings at $src (give the shared folder as the argument)" >&2; exit 1; }
mkdir -p "$dst"
rm -f "$dst"/*.json
cp "$src"/*.json "$dst"/
chmod 644 "$dst"/*.json
echo "copied $(ls "$dst" | wc -l) recordings to tests/data/real-server/quirks/" >&2
