"""The anchor of bench/sync.sh: a plain API read of what a sync copies (every task, every
event through the scroll, every file streamed), 4 requests in flight as sync uses."""
import concurrent.futures as cf
import json
import sys

from api import Session

api, key, secret = sys.argv[1:4]
session = Session(api, key, secret, pool=8)
s, call = session.s, session.call

projects = [p["id"] for p in call("projects.get_all", {"search_hidden": True})["projects"]]
tasks, page = [], 0
while True:
    got = call("tasks.get_all", {"project": projects, "search_hidden": True, "page": page, "page_size": 500})["tasks"]
    tasks += got
    page += 1
    if len(got) < 500:
        break


def one(t):
    n, scroll = 0, None
    while True:
        body = {"task": t["id"], "batch_size": 2000, "order": "asc"}
        if scroll:
            body["scroll_id"] = scroll
        data = call("events.get_task_events", body)
        if not data["events"]:
            break
        n += len(data["events"])
        scroll = data["scroll_id"]
    size = 0
    for a in t.get("execution", {}).get("artifacts", []) or []:
        with s.get(a["uri"], stream=True) as r:
            for c in r.iter_content(1 << 20):
                size += len(c)
    return n, size


with cf.ThreadPoolExecutor(4) as pool:
    results = list(pool.map(one, tasks))
print(json.dumps({"tasks": len(tasks), "events": sum(r[0] for r in results), "bytes": sum(r[1] for r in results)}))
