#!/usr/bin/env python3
"""Seed a project of N archived tasks with 2 artifact files each on `serve`'s file server
(files written into its data dir, registered as the tasks' artifacts): the data both
cleanups of bench/cleanup.sh delete. Also seeds plain draft tasks for the enqueue bench.

usage: cleanup_seed.py API TOKEN FILES DATA_DIR PROJECT N [archived|draft]
prints the project id
"""
import os, sys, urllib.parse

from api import Api

api, token, files, data_dir, project, n = sys.argv[1:7]
mode = sys.argv[7] if len(sys.argv) > 7 else "archived"
n = int(n)
call = Api(api, token).call

pid = call("projects.create", {"name": project, "description": ""})["id"]
ids = []
for i in range(n):
    name = f"task-{i:05d}"
    tid = call("tasks.create", {"name": name, "type": "training", "project": pid})["id"]
    ids.append(tid)
    if mode != "archived":
        continue
    arts = []
    for k in ("data", "metrics"):
        rel = f"{project}/{name}.{tid}/artifacts/{k}/{k}.bin"
        path = os.path.join(data_dir, "files", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(os.urandom(2048))
        arts.append({"key": k, "type": "custom", "mode": "output", "content_size": 2048,
                     "uri": f"{files.rstrip('/')}/{urllib.parse.quote(rel)}"})
    call("tasks.add_or_update_artifacts", {"task": tid, "artifacts": arts})
if mode == "archived":
    for i in range(0, n, 500):
        call("tasks.archive_many", {"ids": ids[i:i + 500]})
print(pid)
