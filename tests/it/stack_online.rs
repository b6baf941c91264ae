//! `clearml server backup --online` and the restore of its archive on the Docker engine.
//! The API server is our own `server serve` (its store lives in the file server's folder);
//! MongoDB's and Redis's tools and Elasticsearch's snapshot API are the stand-in scripts of
//! tests/it/stack.rs (MONGODUMP, MONGORESTORE, REDIS_CLI, ES_SNAPSHOT): what they prove is
//! our side of the calls (which tool, which arguments, streamed in and out, in which order,
//! into which folders), not MongoDB's or Elasticsearch's own behaviour.
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clearml_cmd_server::json::BackupDone;
use serde_json::json;

use crate::stack::{StackTest, api_call, sh_in, stderr, stdout};

const PROJECT: &str = "Проект Übung 项目";

/// The project names the API server answers.
fn projects(t: &StackTest) -> Vec<String> {
    let got = api_call(
        &t.api_url(),
        "projects.get_all",
        json!({"only_fields": ["name"]}),
    );
    let mut names: Vec<String> = got["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Every file under `dir` (relative path -> bytes), for before/after comparisons.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// The JSON body of the last recorded request "METHOD PATH BODY" to `request`.
fn body_of(recorded: &str, request: &str) -> Option<serde_json::Value> {
    recorded
        .lines()
        .filter_map(|l| l.strip_prefix(request)?.strip_prefix(' '))
        .next_back()
        .map(|b| serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}")))
}

/// One line of error naming the problem (and at most a hint line after it); the progress
/// lines before it are stderr's too.
fn one_error(out: &std::process::Output, needle: &str) {
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let at = lines.iter().position(|l| l.starts_with("error: "));
    assert!(
        at.is_some_and(|i| lines[i].contains(needle) && lines.len() - i <= 2),
        "want one error line with {needle:?}: {err}"
    );
}

#[test]
fn stack_online_backup_keeps_serving_and_restores_the_same_data() {
    let t = StackTest::new("online", true);
    assert_eq!(t.up(&[]).status.code(), Some(0));
    let data = t.data.join("data");
    // Data in every store, with non-ASCII names: the API's own store (our serve keeps it in
    // the file server's folder), the "databases" of the stand-ins, an uploaded file.
    let id = api_call(
        &t.api_url(),
        "projects.create",
        json!({"name": PROJECT, "description": "vor der Sicherung"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mongo = data.join("mongo_4/db");
    std::fs::create_dir_all(mongo.join("clearml")).unwrap();
    std::fs::write(
        mongo.join("clearml/project.json"),
        format!("{{\"name\":\"{PROJECT}\"}}"),
    )
    .unwrap();
    let es_index = data.join("elastic_7/indices/events-log-standin");
    std::fs::create_dir_all(&es_index).unwrap();
    std::fs::write(es_index.join("0.json"), "Ereignis событие 事件").unwrap();
    std::fs::write(data.join("redis/state"), "очередь Warteschlange 队列").unwrap();
    let upload = data.join("fileserver/Проект Übung 项目/задача.1/artifacts/Größe 大小.txt");
    std::fs::create_dir_all(upload.parent().unwrap()).unwrap();
    std::fs::write(&upload, "Gewichte веса 权重").unwrap();
    let mongo_before = tree(&mongo);
    let es_before = tree(&data.join("elastic_7"));
    let before = projects(&t);
    assert!(before.contains(&PROJECT.to_string()), "{before:?}");

    // Bad input: the archive inside the data dir it copies.
    let inside = t.data.join("b.tar.gz");
    let out = t.with_data(&[
        "server",
        "backup",
        "--online",
        "--out",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    one_error(&out, "inside the data dir");

    // The backup runs while the stack serves: the dump takes 3 s, the API answers meanwhile.
    std::fs::write(data.join("mongo_4/configdb/dump-seconds"), "3").unwrap();
    let archive = t
        .data
        .parent()
        .unwrap()
        .join("clearml-online-2026-12-06.tar.gz");
    let mut child = t
        .cmd()
        .args(["server", "backup", "--online", "--json", "--out"])
        .arg(&archive)
        .arg("--data-dir")
        .arg(&t.data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let calls = data.join("mongo_4/configdb/calls");
    let began = Instant::now();
    while !calls.exists() {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "mongodump never ran"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut answered_during = 0;
    while child.try_wait().unwrap().is_none() && answered_during < 3 {
        assert_eq!(projects(&t), before, "the API answers during the backup");
        answered_during += 1;
        std::thread::sleep(Duration::from_millis(300));
    }
    let running_still = child.try_wait().unwrap().is_none();
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(
        answered_during == 3 && running_still,
        "three API answers while the backup ran"
    );
    let report: BackupDone = serde_json::from_slice(&done.stdout).unwrap();
    assert!(report.online && report.file == archive);
    assert_eq!(
        std::fs::read_to_string(&calls).unwrap(),
        "mongodump --archive\n"
    );

    // The archive: the dump and the snapshot stand for the database folders.
    let manifest = clearml_stack::backup::read_manifest(&archive).unwrap();
    assert!(manifest.online && manifest.format == 2);
    assert!(manifest.dumps.contains_key("mongo.archive"));
    let snapshot = manifest.es_snapshot.clone().expect("a snapshot name");
    let keys: Vec<&String> = manifest.files.keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.starts_with("data/mongo_4") || k.starts_with("data/elastic_7")),
        "{keys:?}"
    );
    for want in [
        format!("data/es_snapshots/{snapshot}/indices/events-log-standin/0.json"),
        "data/redis/dump.rdb".to_string(),
        "data/fileserver/Проект Übung 项目/задача.1/artifacts/Größe 大小.txt".to_string(),
    ] {
        assert!(manifest.files.contains_key(&want), "{want} in {keys:?}");
    }
    assert!(
        !data.join(format!("es_snapshots/{snapshot}")).exists(),
        "the snapshot is deleted from the repository once archived"
    );
    // What Elasticsearch was asked: the repository at path.repo, a snapshot of every index
    // without the cluster state, waited for.
    let asked = sh_in(&t, "elasticsearch", "cat /tmp/es-requests");
    assert_eq!(
        body_of(&asked, "PUT /_snapshot/clearml-backup"),
        Some(json!({"type": "fs", "settings": {"location": "/usr/share/elasticsearch/snapshots"}})),
        "{asked}"
    );
    let everything = json!({"indices": "*", "include_global_state": false});
    assert_eq!(
        body_of(
            &asked,
            &format!("PUT /_snapshot/clearml-backup/{snapshot}?wait_for_completion=true")
        ),
        Some(everything.clone()),
        "{asked}"
    );
    assert!(
        asked.contains(&format!("DELETE /_snapshot/clearml-backup/{snapshot}")),
        "{asked}"
    );

    // A failure half-way (the snapshot dies): no archive under the name, nothing left over,
    // the stack still serving.
    std::fs::write(data.join("es_snapshots/fail-next"), "").unwrap();
    std::fs::write(data.join("mongo_4/configdb/dump-seconds"), "0").unwrap();
    let failed_out = t
        .data
        .parent()
        .unwrap()
        .join("clearml-online-2026-12-07.tar.gz");
    let failed = t.with_data(&[
        "server",
        "backup",
        "--online",
        "--out",
        failed_out.to_str().unwrap(),
    ]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    one_error(&failed, "the snapshot failed half-way");
    let left: Vec<String> = std::fs::read_dir(t.data.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("2026-12-07"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(
        std::fs::read_dir(data.join("es_snapshots"))
            .unwrap()
            .count(),
        0,
        "the half-written snapshot is deleted"
    );
    assert_eq!(projects(&t), before);

    // Everything changes after the backup...
    api_call(&t.api_url(), "projects.delete", json!({"project": id}));
    std::fs::remove_dir_all(mongo.join("clearml")).unwrap();
    std::fs::write(mongo.join("stray.json"), "nach der Sicherung").unwrap();
    std::fs::write(es_index.join("0.json"), "überschrieben").unwrap();
    std::fs::write(data.join("redis/dump.rdb"), "newer").unwrap();
    std::fs::remove_file(&upload).unwrap();
    assert!(!projects(&t).contains(&PROJECT.to_string()));

    // A restore that fails after the data dir was replaced puts the previous one back.
    // (The API's own SQLite files change with every call: compared through the API.)
    let stores = || -> Vec<(String, String)> {
        [
            "mongo_4/db",
            "elastic_7",
            "redis",
            "fileserver/Проект Übung 项目",
        ]
        .iter()
        .flat_map(|d| {
            tree(&data.join(d))
                .into_iter()
                .map(move |(p, b)| (format!("{d}/{p}"), String::from_utf8_lossy(&b).to_string()))
        })
        .collect()
    };
    let changed = stores();
    sh_in(&t, "elasticsearch", "touch /tmp/es-restore-fails");
    let r = t.with_data(&["server", "restore", archive.to_str().unwrap(), "--yes"]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    one_error(
        &r,
        "the previous data dir is back and the stack is running again",
    );
    assert!(stderr(&r).contains("the restore failed"), "{}", stderr(&r));
    assert_eq!(stores(), changed, "the data as before the failed restore");
    assert!(!projects(&t).contains(&PROJECT.to_string()));

    // ... and the restore brings back what the backup held.
    let r = t.with_data(&["server", "restore", archive.to_str().unwrap(), "--yes"]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert_eq!(
        tree(&mongo),
        mongo_before,
        "mongorestore --drop loaded the dump"
    );
    assert_eq!(
        tree(&data.join("elastic_7")),
        es_before,
        "the snapshot was restored"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("redis/dump.rdb")).unwrap(),
        "очередь Warteschlange 队列"
    );
    assert_eq!(
        std::fs::read_to_string(&upload).unwrap(),
        "Gewichte веса 权重"
    );
    assert_eq!(projects(&t), before, "the API serves the project again");
    assert!(
        std::fs::read_to_string(&calls)
            .unwrap()
            .contains("mongorestore --archive --drop"),
    );
    let asked = sh_in(&t, "elasticsearch", "cat /tmp/es-requests");
    assert_eq!(
        body_of(
            &asked,
            &format!("POST /_snapshot/clearml-backup/{snapshot}/_restore?wait_for_completion=true")
        ),
        Some(everything),
        "{asked}"
    );
    let leftovers: Vec<String> = std::fs::read_dir(t.data.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An online archive needs the stack's databases: without containers, one line.
    assert_eq!(t.with_data(&["server", "down"]).status.code(), Some(0));
    let r = t.with_data(&["server", "restore", archive.to_str().unwrap(), "--yes"]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    one_error(&r, "has no mongo container");
    let b = t.with_data(&[
        "server",
        "backup",
        "--online",
        "--out",
        failed_out.to_str().unwrap(),
    ]);
    assert_eq!(b.status.code(), Some(1), "{}", stderr(&b));
    one_error(&b, "needs the stack running");
    assert!(!failed_out.exists());
}

/// `server rehost --stack`: the debug image and plot links in the stack's Elasticsearch.
/// The stand-in keeps events (of a real task of our serve, the API server) one JSON line
/// each, counts the links under the query's `--from` by type and task, and moves them as the
/// script says, recording every request: what this proves is the request (index pattern,
/// query, script and its parameters), the report per project, the dry run and the rerun on
/// real state; the Painless script itself only a real Elasticsearch runs.
#[test]
fn stack_rehost_rewrites_event_links_through_elasticsearch() {
    let t = StackTest::new("rehost", true);
    assert_eq!(t.up(&[]).status.code(), Some(0));
    let project = api_call(&t.api_url(), "projects.create", json!({"name": PROJECT}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = api_call(
        &t.api_url(),
        "tasks.create",
        json!({"name": "задача Größe 任务", "project": project, "type": "training"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The events as the stand-in Elasticsearch keeps them (tests/it/stack.rs): two debug
    // images and a plot under the old file server, a debug image on another port (not
    // under it), a task of no project's link elsewhere.
    let store = t
        .data
        .join("data/elastic_7/events/events-training_debug_image-d1bd92a3b039400cbafc60a7a5b1e52b");
    std::fs::create_dir_all(&store).unwrap();
    let images = [
        "http://old-files:8081/Проект/img 1.png",
        "http://old-files:8081/Проект/img 2.png",
        "http://old-files:80810/other.png",
    ]
    .map(|u| json!({"type": "training_debug_image", "task": task, "url": u}).to_string() + "\n")
    .concat();
    std::fs::write(store.join(format!("{task}.ndjson")), &images).unwrap();
    let plots = t
        .data
        .join("data/elastic_7/events/events-plot-d1bd92a3b039400cbafc60a7a5b1e52b");
    std::fs::create_dir_all(&plots).unwrap();
    let plot_str = json!({"layout": {"images": [{"source": "http://old-files:8081/p/chart.png"}]}})
        .to_string();
    // The second plot is stored compressed (plot_data), which the script leaves alone.
    let compressed = json!({"type": "plot", "task": task, "source_urls": ["http://old-files:8081/p/big.png"], "plot_data": "eJzLSM3JyVcozy/KSQEAGgQEXQ=="}).to_string();
    std::fs::write(
        plots.join(format!("{task}.ndjson")),
        json!({"type": "plot", "task": task, "source_urls": ["http://old-files:8081/p/chart.png"], "plot_str": plot_str}).to_string() + "\n" + &compressed + "\n",
    )
    .unwrap();
    let stored = || {
        (
            std::fs::read_to_string(store.join(format!("{task}.ndjson"))).unwrap(),
            std::fs::read_to_string(plots.join(format!("{task}.ndjson"))).unwrap(),
        )
    };
    let unchanged = stored();
    let (from, to) = ("http://old-files:8081", "https://files.example.com/Übung");
    let rehost = |extra: &[&str]| {
        t.cmd()
            .env("CLEARML_API_HOST", t.api_url())
            .env("CLEARML_API_ACCESS_KEY", crate::common::ACCESS_KEY)
            .env("CLEARML_API_SECRET_KEY", crate::common::SECRET_KEY)
            .args(["server", "rehost", "--from", from, "--to", to, "--json"])
            .args(extra)
            .output()
            .unwrap()
    };
    let rows = |out: &std::process::Output| -> Vec<(String, String, usize, bool)> {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
        let v: Vec<clearml_cmd_server::json::RehostRow> =
            serde_json::from_slice(&out.stdout).unwrap();
        v.into_iter()
            .map(|r| (r.kind, r.project, r.links, r.rewritten))
            .collect()
    };
    let updates = || {
        sh_in(&t, "elasticsearch", "cat /tmp/es-requests")
            .lines()
            .filter(|l| l.contains("_update_by_query"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };

    // Bad input: one line, nothing asked of Elasticsearch.
    let bad = rehost(&["--stack", "--data-dir", "/tmp"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(updates().is_empty());

    let dry = rehost(&["--stack", "--dry-run"]);
    assert_eq!(
        rows(&dry),
        vec![
            ("debug_image".into(), PROJECT.into(), 2, false),
            ("plot".into(), PROJECT.into(), 2, false),
        ]
    );
    assert!(
        stderr(&dry).contains("1 plot(s) with links under"),
        "{}",
        stderr(&dry)
    );
    assert!(updates().is_empty(), "a dry run only counts");
    assert_eq!(stored(), unchanged);

    let done = rehost(&["--stack"]);
    assert_eq!(
        rows(&done),
        vec![
            ("debug_image".into(), PROJECT.into(), 2, true),
            ("plot".into(), PROJECT.into(), 1, false),
            ("plot".into(), PROJECT.into(), 1, true),
        ]
    );
    let sent = updates();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (path, body) = sent[0]
        .strip_prefix("POST ")
        .and_then(|r| r.split_once(' '))
        .unwrap();
    assert!(
        path.starts_with(
            "/events-*/_update_by_query?conflicts=proceed&refresh=true&wait_for_completion=true"
        ),
        "{path}"
    );
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["script"]["params"], json!({"from": from, "to": to}));
    assert_eq!(body["script"]["lang"], "painless");
    let script = body["script"]["source"].as_str().unwrap();
    for part in [
        "ctx._source.url",
        "source_urls",
        "plot_str",
        "plot_data",
        "ctx.op = 'noop'",
    ] {
        assert!(script.contains(part), "{part} in {script}");
    }
    assert_eq!(
        body["query"],
        clearml_stack::events::links_query(from),
        "only links under --from"
    );
    assert!(
        body["query"]
            .to_string()
            .contains(r#"{"prefix":{"url":"http://old-files:8081/"}}"#)
    );

    // What the stand-in did with the script's parameters: every link under --from moved,
    // the one on another port not.
    let (images_now, plot_now) = stored();
    let images_now: Vec<serde_json::Value> = images_now
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        images_now
            .iter()
            .map(|e| e["url"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec![
            "https://files.example.com/Übung/Проект/img 1.png",
            "https://files.example.com/Übung/Проект/img 2.png",
            "http://old-files:80810/other.png",
        ]
    );
    let mut plot_lines = plot_now.lines();
    let plot_now: serde_json::Value = serde_json::from_str(plot_lines.next().unwrap()).unwrap();
    assert_eq!(plot_lines.next(), Some(compressed.as_str()), "left whole");
    assert_eq!(
        plot_now["source_urls"],
        json!(["https://files.example.com/Übung/p/chart.png"])
    );
    assert!(
        plot_now["plot_str"]
            .as_str()
            .unwrap()
            .contains("https://files.example.com/Übung/p/chart.png"),
        "{plot_now}"
    );
    assert!(
        stderr(&done).contains("Elasticsearch rewrote 3 event(s)"),
        "{}",
        stderr(&done)
    );

    // A rerun finds only the compressed plot (not rewritten) and sends no update.
    let again = rehost(&["--stack"]);
    assert_eq!(
        rows(&again),
        vec![("plot".into(), PROJECT.into(), 1, false)]
    );
    assert_eq!(updates().len(), 1);
}

/// `server usage --stack`: the Docker stack's data dir walked (files under data/fileserver
/// by the task folder the SDK uploads to), events counted per task in its Elasticsearch (the
/// stand-in keeps events as one JSON line each under its data folder and answers
/// `_cat/indices` and the composite aggregation from them), names through the API (our
/// serve). Totals against `du` of the data dir.
#[test]
fn stack_usage_counts_files_and_elasticsearch_events_per_task_and_matches_du() {
    use clearml_cmd_server::json::UsageReport;
    let t = StackTest::new("usage", true);
    assert_eq!(t.up(&[]).status.code(), Some(0));
    let call = |endpoint: &str, body: serde_json::Value| -> String {
        api_call(&t.api_url(), endpoint, body)["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let big = call("projects.create", json!({"name": PROJECT}));
    let small = call("projects.create", json!({"name": "Kleines/子项目"}));
    let (big_name, small_name) = ("задача Größe 任务", "tiny 小");
    let t1 = call(
        "tasks.create",
        json!({"name": big_name, "project": big, "type": "training"}),
    );
    let t2 = call(
        "tasks.create",
        json!({"name": small_name, "project": small, "type": "training"}),
    );
    // Files as the file server stores them: <project>/<task name>.<task id>/...
    let files = t.data.join("data/fileserver");
    let put = |rel: String, n: usize| {
        let p = files.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, vec![b'x'; n]).unwrap();
    };
    put(
        format!("{PROJECT}/{big_name}.{t1}/artifacts/a/модель.bin"),
        3_000_000,
    );
    put(
        format!("{PROJECT}/{big_name}.{t1}/metrics/m/img 1.png"),
        500_000,
    );
    put(
        format!("Kleines/子项目/{small_name}.{t2}/artifacts/b/b.txt"),
        40_000,
    );
    // Events: 300 scalars and 20 debug images of t1, 10 scalars of t2, 5 without a task.
    let events = t.data.join("data/elastic_7/events");
    let index = |name: &str, rows: &[(&str, usize)]| {
        let dir = events.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (task, n) in rows {
            let line = format!("{{\"task\":\"{task}\",\"metric\":\"loss\",\"value\":0.5}}\n");
            let file = if task.is_empty() { "_none" } else { task };
            std::fs::write(dir.join(format!("{file}.ndjson")), line.repeat(*n)).unwrap();
        }
    };
    index(
        "events-training_stats_scalar-d1bd92a3b039400cbafc60a7a5b1e52b",
        &[(&t1, 300), (&t2, 10), ("", 5)],
    );
    index(
        "events-training_debug_image-d1bd92a3b039400cbafc60a7a5b1e52b",
        &[(&t1, 20)],
    );
    let line_bytes = |task: &str| {
        format!("{{\"task\":\"{task}\",\"metric\":\"loss\",\"value\":0.5}}\n").len() as u64
    };

    let usage = |args: &[&str]| -> (std::process::Output, Option<UsageReport>) {
        let out = t
            .cmd()
            .env("CLEARML_API_HOST", t.api_url())
            .env("CLEARML_API_ACCESS_KEY", crate::common::ACCESS_KEY)
            .env("CLEARML_API_SECRET_KEY", crate::common::SECRET_KEY)
            .args(["server", "usage", "--stack", "--json"])
            .args(args)
            .output()
            .unwrap();
        let report = (out.status.code() == Some(0)).then(|| {
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
        });
        (out, report)
    };
    let (out, by_task) = usage(&["--by", "task"]);
    let by_task = by_task.unwrap_or_else(|| panic!("{}", stderr(&out)));
    assert_eq!(by_task.data_dir, t.data);
    let row = |id: &str| {
        by_task
            .rows
            .iter()
            .find(|r| r.task_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no row of {id}: {:?}", by_task.rows))
            .clone()
    };
    let r1 = row(&t1);
    assert_eq!(
        (
            r1.project.as_str(),
            r1.task.as_deref(),
            r1.files,
            r1.file_bytes
        ),
        (PROJECT, Some(big_name), 2, 3_500_000)
    );
    // Each index's bytes are shared out by events: the scalars index (315 events) holds
    // lines of three lengths, the debug image index only t1's.
    let scalars = 300 * line_bytes(&t1) + 10 * line_bytes(&t2) + 5 * line_bytes("");
    assert_eq!(
        (r1.events, r1.event_bytes),
        (320, scalars * 300 / 315 + 20 * line_bytes(&t1))
    );
    let r2 = row(&t2);
    assert_eq!(
        (r2.project.as_str(), r2.files, r2.file_bytes, r2.events),
        ("Kleines/子项目", 1, 40_000, 10)
    );
    assert_eq!(r2.event_bytes, scalars * 10 / 315);
    // Largest first.
    assert_eq!(by_task.rows[0].task_id.as_deref(), Some(t1.as_str()));
    let sizes: Vec<u64> = by_task.rows.iter().map(|r| r.total_bytes).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    // Events without a task (and serve's own files in the file server folder) have no task.
    let none = row("");
    assert!(none.events >= 5, "{none:?}");

    // The totals against du (allocated blocks of the whole data dir).
    let du = std::process::Command::new("du")
        .args(["-s", "-B1"])
        .arg(&t.data)
        .output()
        .unwrap();
    let du: u64 = String::from_utf8_lossy(&du.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let off = (by_task.disk_bytes as f64 - du as f64).abs() / du as f64;
    assert!(off < 0.05, "usage {} vs du {du}", by_task.disk_bytes);
    assert!(by_task.files_bytes >= 3_540_000, "{}", by_task.files_bytes);
    assert!(
        by_task.database_bytes >= scalars + 20 * line_bytes(&t1),
        "{}",
        by_task.database_bytes
    );

    // By project (the default), one project and its sub-projects, the top row.
    let (_, by_project) = usage(&["--project", "Kleines"]);
    let rows = by_project.unwrap().rows;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (
            rows[0].project.as_str(),
            rows[0].task.clone(),
            rows[0].events
        ),
        ("Kleines/子项目", None, 10)
    );
    let (_, top) = usage(&["--top", "1"]);
    let top = top.unwrap().rows;
    assert_eq!((top.len(), top[0].project.as_str()), (1, PROJECT));

    // Bad input: one line, exit 2; an unknown project: exit 5.
    let (bad, _) = usage(&["--top", "0"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    one_error(&bad, "--top 0");
    let (missing, _) = usage(&["--project", "nicht da"]);
    assert_eq!(missing.status.code(), Some(5), "{}", stderr(&missing));
    one_error(&missing, "no project nicht da");
}
