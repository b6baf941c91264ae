"""Seed a server for bench/sync.sh: TASKS completed tasks with POINTS scalar points each
(2 series) and MIB MiB of artifact files spread over the first tasks, over the plain API
(json-lines batches, multipart uploads), fast enough for 1,000,000 points."""
import concurrent.futures as cf
import os
import sys

import requests

from api import Session

api, files, key, secret, tasks, points, mib = sys.argv[1:8]
tasks, points, mib = int(tasks), int(points), int(mib)
session = Session(api, key, secret)
s, call = session.s, session.call

project = call("projects.create", {"name": "Bench Sync"})["id"]
chunk = 64 * 1024 * 1024
nfiles = (mib * 1024 * 1024 + chunk - 1) // chunk if mib else 0
blob = os.urandom(min(chunk, mib * 1024 * 1024)) if mib else b""


def one(i):
    tid = call("tasks.create", {"name": f"bench-task-{i:04d}", "type": "training", "project": project,
                                "hyperparams": {"Args": {"i": {"section": "Args", "name": "i", "value": str(i)}}}})["id"]
    session.call_lines("events.add_batch", (
        {"task": tid, "type": "training_stats_scalar", "metric": "loss",
         "variant": "train" if n % 2 else "eval", "iter": n // 2,
         "value": 1.0 / (n + 1), "timestamp": 1700000000000 + n} for n in range(points)))
    if i < nfiles:
        path = f"Bench Sync/bench-task-{i:04d}.{tid}/artifacts/data/data.bin"
        r = s.post(f"{files}/", files={path: ("data.bin", blob)})
        assert r.status_code == 200, r.text
        call("tasks.add_or_update_artifacts", {"task": tid, "artifacts": [
            {"key": "data", "type": "custom", "mode": "output", "uri": f"{files}/{requests.utils.quote(path)}",
             "content_size": len(blob)}]})
    call("tasks.started", {"task": tid})
    call("tasks.completed", {"task": tid})


with cf.ThreadPoolExecutor(4) as pool:
    list(pool.map(one, range(tasks)))
print(f"seeded {tasks} tasks x {points} points, {nfiles} files of {len(blob)} bytes")
