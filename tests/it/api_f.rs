//! `serve` against the real server's behaviour (issue 26): `projects.get_all_ex` options,
//! model events, `projects.delete` without force, sorted answers, and what `tasks.started`
//! leaves alone. Each assertion names where the expected behaviour comes from: a recorded
//! exchange (real-server-responses/) or the real server's source (clearml-server, read
//! only).

use crate::common::Serve;
use crate::serve::{call, get_task, new_project, new_task, ok, token};
use serde_json::{Value, json};

/// The (HTTP status, subcode, message) of a call that must fail.
fn refused(s: &Serve, tok: &str, endpoint: &str, body: Value) -> (u16, Value, String) {
    let (status, v) = call(s, tok, endpoint, body);
    let msg = v["meta"]["result_msg"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (status, v["meta"]["result_subcode"].clone(), msg)
}

#[test]
fn started_leaves_the_worker_to_the_worker() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Рабочий-工人");
    let task = new_task(s, &tok, json!({"name": "Gestartet-开始", "project": project}));
    // services/tasks.py started → set_task_status_from_call only changes the status:
    // `last_worker` is written by workers.status_report alone (bll/workers/__init__.py
    // status_report: `last_worker=report.worker`), so the web UI shows no worker for a
    // task started by the SDK itself.
    ok(s, &tok, "tasks.started", json!({"task": task}));
    let doc = get_task(s, &tok, &task);
    assert_eq!(doc["status"], "in_progress");
    assert!(
        doc["last_worker"].as_str().is_none_or(str::is_empty),
        "{}",
        doc["last_worker"]
    );
    let w = crate::serve::unique("Arbeiter-工人");
    ok(
        s,
        &tok,
        "workers.status_report",
        json!({"worker": w, "task": task, "timestamp": chrono::Utc::now().timestamp_millis()}),
    );
    assert_eq!(get_task(s, &tok, &task)["last_worker"], json!(w));
    let _ = refused;
}
