#!/usr/bin/env python3
"""The web UI benchmark's body (bench/web.sh): fill a server, time its pages: the big
table and scalars pages, and issue 25's scale pages (1,000 tasks, a compare of 100, 40
metrics) each against the same page for today's 30 experiments.

usage: web_bench.py API WEB KEY SECRET TASKS POINTS RUNS CHROMIUM OUT.jsonl
Standard library only. Page times come from curl (time to first byte, whole response) and
from headless Chromium driven over its DevTools pipe (navigation start to load event).
"""
import http.client, json, os, statistics, subprocess, sys, tempfile, time, urllib.parse

from api import Api

api, web, key, secret = sys.argv[1:5]
tasks_n, points, runs = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
compare_n = int(os.environ.get("BENCH_WEB_COMPARE", "100"))
chromium, out_path = sys.argv[8], sys.argv[9]


a = Api(api, key=key, secret=secret)
t0 = time.time()
pid = a.call("projects.create", {"name": "Bench web/table"})["id"]
ids = []
for i in range(tasks_n):
    ids.append(a.call("tasks.create", {"name": "task %05d" % i, "type": "training", "project": pid})["id"])
events = []
for n, tid in enumerate(ids):
    for metric, variant, v in (("loss", "train", 1.0 / (n + 1)), ("accuracy", "val", n / tasks_n)):
        events.append({"task": tid, "type": "training_stats_scalar", "metric": metric,
                       "variant": variant, "value": v, "iter": 0, "timestamp": 1700000000000})
    if len(events) >= 5000:
        a.call("events.add_batch", {}, events)
        events = []
if events:
    a.call("events.add_batch", {}, events)
big_pid = a.call("projects.create", {"name": "Bench web/scalars"})["id"]
big = a.call("tasks.create", {"name": "100k points", "type": "training", "project": big_pid})["id"]
per_series = points // 2
for start in range(0, per_series, 5000):
    lines = []
    for i in range(start, min(start + 5000, per_series)):
        for variant, v in (("train", 1.0 / (i + 1)), ("val", 1.5 / (i + 1))):
            lines.append({"task": big, "type": "training_stats_scalar", "metric": "loss",
                          "variant": variant, "value": v, "iter": i, "timestamp": 1700000000000 + i})
    a.call("events.add_batch", {}, lines)
print(f"filled in {time.time() - t0:.1f} s: {tasks_n} tasks with 2 metrics, a task with {points} scalar points")


def curves(tid, metrics, variants, iters):
    """Scalar curves for a task: every metric x variant, iterations 0..iters-1."""
    lines = []
    for m, metric in enumerate(metrics):
        for k, variant in enumerate(variants):
            for i in range(iters):
                lines.append({"task": tid, "type": "training_stats_scalar", "metric": metric,
                              "variant": variant, "value": (m + k + 1) / (i + 1), "iter": i,
                              "timestamp": 1700000000000 + i * 1000})
                if len(lines) >= 5000:
                    a.call("events.add_batch", {}, lines)
                    lines = []
    if lines:
        a.call("events.add_batch", {}, lines)


# Issue 25's scale: today's 30 experiments (3 series x 500 iterations: loss train/val,
# accuracy val) against a project of 1,000 tasks, a compare of 100 of them, and one task
# with 40 metrics x 2,000 points.
t0 = time.time()
small_pid = a.call("projects.create", {"name": "Bench web/30 experiments"})["id"]
small = [a.call("tasks.create", {"name": "run %02d" % i, "type": "training", "project": small_pid})["id"]
         for i in range(30)]
large_pid = a.call("projects.create", {"name": "Bench web/1000 tasks"})["id"]
large = [a.call("tasks.create", {"name": "run %04d" % i, "type": "training", "project": large_pid})["id"]
         for i in range(1000)]
for tid in small + large[:compare_n]:
    curves(tid, ["loss"], ["train", "val"], 500)
    curves(tid, ["accuracy"], ["val"], 500)
for tid in large[compare_n:]:
    curves(tid, ["loss", "accuracy"], ["val"], 1)
many_pid = a.call("projects.create", {"name": "Bench web/40 metrics"})["id"]
many = a.call("tasks.create", {"name": "40 metrics", "type": "training", "project": many_pid})["id"]
curves(many, ["metric %02d" % m for m in range(40)], ["value"], 2000)
print(f"filled in {time.time() - t0:.1f} s: 30 and 1,000 experiments, a task with 40 metrics x 2,000 points")

# The login cookie, through the form.
wu = urllib.parse.urlparse(web)
c = http.client.HTTPConnection(wu.hostname, wu.port)
c.request("POST", "/login", urllib.parse.urlencode({"access_key": key, "secret_key": secret}),
          {"Content-Type": "application/x-www-form-urlencoded"})
resp = c.getresponse()
resp.read()
cookie = resp.getheader("Set-Cookie").split(";")[0]
assert cookie.startswith("clearml_token_basic="), cookie

table_url = f"{web}/projects/{pid}/experiments"
scalars_url = f"{web}/projects/{big_pid}/experiments/{big}/output/metrics/scalar"
table_body = {"project": [pid], "order_by": ["-last_update"], "page": 0, "page_size": 100,
              "system_tags": ["-archived"],
              "only_fields": ["id", "name", "status", "type", "user.name", "started", "completed",
                              "last_update", "tags", "last_metrics", "project.name", "last_iteration"]}
hist_body = {"task": big, "samples": 1000, "key": "iter"}


def curl(args):
    """Median time to first byte and total (ms) of RUNS curl requests (one warm-up)."""
    cmd = ["curl", "-s", "-f", "-o", "/dev/null", "-w", "%{time_starttransfer} %{time_total}"] + args
    subprocess.run(cmd, check=True, capture_output=True)
    ttfb, total = [], []
    for _ in range(runs):
        r = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
        ttfb.append(float(r[0]) * 1000)
        total.append(float(r[1]) * 1000)
    return statistics.median(ttfb), min(ttfb), statistics.median(total), min(total)


def page(url):
    return curl(["-b", cookie, url])


def page_pair(ours, anchor):
    """`page` of both, run for run in turn: a burst of load from elsewhere on the machine
    then falls on both sides instead of on one side's ten runs."""
    cmd = ["curl", "-s", "-f", "-o", "/dev/null", "-w", "%{time_starttransfer} %{time_total}", "-b", cookie]
    times = {ours: ([], []), anchor: ([], [])}
    for url in (ours, anchor):
        subprocess.run(cmd + [url], check=True, capture_output=True)
    for _ in range(runs):
        for url in (ours, anchor):
            r = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout.split()
            times[url][0].append(float(r[0]) * 1000)
            times[url][1].append(float(r[1]) * 1000)
    return [(statistics.median(t), min(t), statistics.median(w), min(w)) for t, w in (times[ours], times[anchor])]


def api_call(endpoint, body):
    return curl(["-H", f"Authorization: Bearer {a.token}", "-H", "Content-Type: application/json",
                 "--data", json.dumps(body), f"{api}/{endpoint}"])


class Chromium:
    """Headless Chromium over --remote-debugging-pipe (NUL-separated JSON on fds 3/4)."""

    def __init__(self):
        import fcntl

        def high(fd):  # above 10, so the dup2 onto 3 and 4 below never meets itself
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
            os.close(fd)
            return moved

        r3, w3 = map(high, os.pipe())
        r4, w4 = map(high, os.pipe())
        self.profile = tempfile.mkdtemp()

        def fds():
            os.dup2(r3, 3)
            os.dup2(w4, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             "--window-size=1280,900"],
            preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r3)
        os.close(w4)
        self.w, self.r = os.fdopen(w3, "wb"), os.fdopen(r4, "rb")
        self.buf, self.id, self.session = b"", 0, None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", {})
        self.call("Network.setCookie", {"name": "clearml_token_basic", "value": cookie.split("=", 1)[1],
                                        "url": web})

    def read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r.fileno(), 65536)
            if not chunk:
                raise RuntimeError("chromium exited")
            self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"\0")
        return json.loads(msg)

    def call(self, method, params):
        self.id += 1
        msg = {"id": self.id, "method": method, "params": params}
        if self.session:
            msg["sessionId"] = self.session
        self.w.write(json.dumps(msg).encode() + b"\0")
        self.w.flush()
        while True:
            m = self.read()
            if m.get("id") == self.id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]

    def load_ms(self, url):
        """Navigation start to the end of the load event, as the page's timing says."""
        self.call("Page.navigate", {"url": url})
        while self.read().get("method") != "Page.loadEventFired":
            pass
        v = self.call("Runtime.evaluate", {"returnByValue": True, "expression":
                      "performance.getEntriesByType('navigation')[0].loadEventEnd"})["result"]["value"]
        return float(v)

    def render(self, url):
        self.load_ms(url)
        times = [self.load_ms(url) for _ in range(runs)]
        return statistics.median(times), min(times)

    def render_pair(self, ours, anchor):
        """`render` of both, run for run in turn (as `page_pair`)."""
        self.load_ms(ours)
        self.load_ms(anchor)
        times = {ours: [], anchor: []}
        for _ in range(runs):
            for url in (ours, anchor):
                times[url].append(self.load_ms(url))
        return [(statistics.median(t), min(t)) for t in (times[ours], times[anchor])]

    def close(self):
        self.proc.kill()
        self.proc.wait()


def compare_url(project, ids):
    return f"{web}/projects/{project}/compare-experiments?ids={','.join(ids)}"


scale_pages = [  # (name, our page, its 30-experiment anchor)
    ("project of 1,000 tasks (anchor: of 30)", f"{web}/projects/{large_pid}/experiments",
     f"{web}/projects/{small_pid}/experiments"),
    (f"compare of {compare_n} experiments (anchor: of 30)", compare_url(large_pid, large[:compare_n]),
     compare_url(small_pid, small)),
    ("scalars of 40 metrics x 2,000 points (anchor: 3 series x 500)",
     f"{web}/projects/{many_pid}/experiments/{many}/output/metrics/scalar",
     f"{web}/projects/{small_pid}/experiments/{small[0]}/output/metrics/scalar"),
]
scale_curl = [(name, *page_pair(ours, anchor)) for name, ours, anchor in scale_pages]
table, table_api = page(table_url), api_call("tasks.get_all_ex", table_body)
scalars, scalars_api = page(scalars_url), api_call("events.scalar_metrics_iter_histogram", hist_body)
browser = Chromium()
try:
    table_render, scalars_render = browser.render(table_url), browser.render(scalars_url)
    scale_render = [(name, *browser.render_pair(ours, anchor)) for name, ours, anchor in scale_pages]
finally:
    browser.close()

tasks_s, points_s = f"{tasks_n:,}", f"{points:,}"


def side(label, median, minimum, command):
    return {"label": label, "runs": runs, "median_ms": round(median, 2), "min_ms": round(minimum, 2),
            "command": command}


table_cmd = "curl -s -o /dev/null -w '%{time_starttransfer} %{time_total}' -b clearml_token_basic=$TOKEN $WEB/projects/$PROJECT/experiments"
scal_cmd = "curl -s -o /dev/null -w '%{time_starttransfer} %{time_total}' -b clearml_token_basic=$TOKEN $WEB/projects/$PROJECT/experiments/$TASK/output/metrics/scalar"
api_table_cmd = "curl -s -o /dev/null -H 'Authorization: Bearer $TOKEN' --data '{\"project\": [...], \"page_size\": 100, ...}' $API/tasks.get_all_ex"
api_hist_cmd = "curl -s -o /dev/null -H 'Authorization: Bearer $TOKEN' --data '{\"task\": ..., \"samples\": 1000, \"key\": \"iter\"}' $API/events.scalar_metrics_iter_histogram"
render_cmd = "chromium --headless=new --remote-debugging-pipe: Page.navigate, then performance navigation entry loadEventEnd (bench/web_bench.py)"
figures = [
    (f"experiments table ({tasks_s} tasks): time to first byte",
     side("page, curl", table[0], table[1], table_cmd), side("tasks.get_all_ex, curl", table_api[2], table_api[3], api_table_cmd),
     "the page's first 100 rows sorted by last update, 2 metric columns; anchor: the API call for the same rows"),
    (f"experiments table ({tasks_s} tasks): whole page",
     side("page, curl", table[2], table[3], table_cmd), side("tasks.get_all_ex, curl", table_api[2], table_api[3], api_table_cmd), ""),
    (f"experiments table ({tasks_s} tasks): full render in Chromium",
     side("Chromium load event", *table_render, render_cmd), None, "navigation start to the end of the load event"),
    (f"scalars page ({points_s} points): time to first byte",
     side("page, curl", scalars[0], scalars[1], scal_cmd), side("histogram call, curl", scalars_api[2], scalars_api[3], api_hist_cmd),
     f"2 series of {per_series:,} points, drawn from their stored buckets at about 1,000 points each; anchor: the histogram call averaging them to 1,000"),
    (f"scalars page ({points_s} points): whole page",
     side("page, curl", scalars[2], scalars[3], scal_cmd), side("histogram call, curl", scalars_api[2], scalars_api[3], api_hist_cmd), ""),
    (f"scalars page ({points_s} points): full render in Chromium",
     side("Chromium load event", *scalars_render, render_cmd), None, "navigation start to the end of the load event"),
]
page_cmd = "curl -s -o /dev/null -w '%{time_starttransfer} %{time_total}' -b clearml_token_basic=$TOKEN $PAGE"
for (name, ours, anchor), (_, ours_r, anchor_r) in zip(scale_curl, scale_render):
    figures.append((f"{name}: whole page", side("page, curl", ours[2], ours[3], page_cmd),
                    side("30-experiment page, curl", anchor[2], anchor[3], page_cmd),
                    "issue 25: within 2x of today's 30-experiment page, same run"))
    figures.append((f"{name}: full render in Chromium", side("Chromium load event", *ours_r, render_cmd),
                    side("30-experiment page, Chromium", *anchor_r, render_cmd),
                    "navigation start to the end of the load event"))
with open(out_path, "w") as f:
    for name, ours, anchor, note in figures:
        goal = "<= 2" if note.startswith("issue 25") or "30-experiment" in (anchor or {}).get("label", "") else "absolute"
        f.write(json.dumps({"bench": "web", "figure": name, "ours": ours, "anchor": anchor,
                            "goal": goal, "note": note}) + "\n")
        extra = f"; {anchor['label']} {anchor['median_ms']:.1f} ms" if anchor else ""
        ratio = f" (x{ours['median_ms'] / anchor['median_ms']:.2f})" if goal != "absolute" else ""
        print(f"web: {name}: {ours['median_ms']:.1f} ms (min {ours['min_ms']:.1f}){extra}{ratio}")
