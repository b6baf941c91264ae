//! `clearml server backup --online` and the restore of its archive on the Docker engine.
//! The API server is our own `server serve` (its store lives in the file server's folder);
//! MongoDB's and Redis's tools and Elasticsearch's snapshot API are the stand-in scripts of
//! tests/it/stack.rs (MONGODUMP, MONGORESTORE, REDIS_CLI, ES_SNAPSHOT): what they prove is
//! our side of the calls (which tool, which arguments, streamed in and out, in which order,
//! into which folders), not MongoDB's or Elasticsearch's own behaviour.
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clearml::commands::server::json::BackupDone;
use serde_json::json;

use crate::stack::{StackTest, api_call, sh_in, stderr};

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
    let manifest = clearml::stack::backup::read_manifest(&archive).unwrap();
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
