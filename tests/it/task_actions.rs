//! `task enqueue|dequeue|abort|reset|archive|unarchive|publish|delete|tag|move|clone|edit`
//! against `clearml server serve`: selections by id, short id, name and filters; the
//! confirmation rules; per-task reports with the server's reasons; exit codes.

use std::path::Path;
use std::process::Output;

use serde_json::json;

use crate::common::{self, Serve};
use crate::serve::{get_task, new_task, ok as api, token, unique};
use clearml_cmd_task::json::{ActionRow, CloneResult, EditResult};

use common::shared_home as home;

use common::{run, shown as text};

/// `--json` rows of an action that must exit with `code`.
fn rows(home: &Path, args: &[&str], code: i32) -> Vec<ActionRow> {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(home, &all);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not ActionRow JSON ({e}): {}", text(&out)))
}

fn status(s: &Serve, tok: &str, id: &str) -> String {
    get_task(s, tok, id)["status"].as_str().unwrap().to_string()
}

fn outcome_of<'a>(rows: &'a [ActionRow], id: &str) -> &'a ActionRow {
    rows.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} not reported: {rows:?}"))
}

/// A task that ran and was published (the server refuses to enqueue or delete it).
fn published_task(s: &Serve, tok: &str, project: &str, name: &str) -> String {
    let id = new_task(s, tok, json!({"name": name, "project": project}));
    api(s, tok, "tasks.started", json!({"task": id}));
    api(s, tok, "tasks.completed", json!({"task": id}));
    api(s, tok, "tasks.publish", json!({"task": id}));
    id
}

#[test]
fn bulk_actions_confirm_report_each_task_and_exit_1_on_refusals() {
    let (home, s) = home();
    let h = home.path();
    let tok = token(s);
    let project = unique("Действия");
    let pid = api(s, &tok, "projects.create", json!({"name": project}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = new_task(s, &tok, json!({"name": "Обучение A", "project": pid}));
    let b = new_task(s, &tok, json!({"name": "Training B", "project": pid}));
    let p = published_task(s, &tok, &pid, "Veröffentlicht");
    let queue = unique("очередь");
    api(s, &tok, "queues.create", json!({"name": queue}));
    let enqueue = ["task", "enqueue", "--project", &project, "--queue", &queue];

    // Several tasks, no terminal, no --yes: exit 2 and nothing changed.
    let out = run(h, &enqueue);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--yes"),
        "{}",
        text(&out)
    );
    assert_eq!(status(s, &tok, &a), "created");

    // --dry-run lists the selection and changes nothing.
    let mut dry = enqueue.to_vec();
    dry.push("--dry-run");
    let planned = rows(h, &dry, 0);
    assert_eq!(planned.len(), 3);
    assert!(
        planned.iter().all(|r| r.outcome == "planned"),
        "{planned:?}"
    );
    assert_eq!(outcome_of(&planned, &a).name, "Обучение A");
    assert_eq!(
        (status(s, &tok, &a), status(s, &tok, &b)),
        ("created".into(), "created".into())
    );

    // --yes: the drafts are queued, the published task is refused with the server's reason,
    // and the exit code is 1 — the refusal did not stop the others.
    let mut yes = enqueue.to_vec();
    yes.push("--yes");
    let done = rows(h, &yes, 1);
    assert_eq!(done.len(), 3);
    for id in [&a, &b] {
        let r = outcome_of(&done, id);
        assert_eq!(
            (r.outcome.as_str(), &r.status),
            ("done", &json!("queued")),
            "{r:?}"
        );
        assert_eq!(status(s, &tok, id), "queued");
    }
    let refused = outcome_of(&done, &p);
    assert_eq!(refused.outcome, "refused");
    assert!(
        refused.reason.as_deref().unwrap_or("").contains("status"),
        "{refused:?}"
    );
    assert_eq!(status(s, &tok, &p), "published");
    let q = api(
        s,
        &tok,
        "queues.get_all",
        json!({"name": format!("^{queue}$")}),
    )["queues"][0]
        .clone();
    assert_eq!(q["entries"].as_array().unwrap().len(), 2, "{q}");

    // One task by its 8-character short id: no confirmation needed.
    let out = run(h, &["task", "dequeue", &a[..8]]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(status(s, &tok, &a), "created");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("OUTCOME") && table.contains("done"),
        "{table}"
    );

    // Abort a queued task: stopped at once (no agent runs it).
    let r = rows(h, &["task", "abort", &b], 0);
    assert_eq!(
        (r[0].outcome.as_str(), &r[0].status),
        ("done", &json!("stopped"))
    );

    // A name selects every task of that name; tags with non-ASCII text.
    let r = rows(
        h,
        &[
            "task",
            "tag",
            "Обучение A",
            "--add",
            "лучший",
            "--add",
            "v2",
        ],
        0,
    );
    assert_eq!(r.len(), 1);
    assert_eq!(get_task(s, &tok, &a)["tags"], json!(["лучший", "v2"]));
    rows(h, &["task", "tag", &a, "--remove", "v2"], 0);
    assert_eq!(get_task(s, &tok, &a)["tags"], json!(["лучший"]));

    // Filters: --older-than selects nothing yet (exit 0, nothing to do); --status picks.
    let none = rows(
        h,
        &[
            "task",
            "archive",
            "--project",
            &project,
            "--older-than",
            "1h",
        ],
        0,
    );
    assert!(none.is_empty());
    let arch = rows(
        h,
        &[
            "task",
            "archive",
            "--project",
            &project,
            "--status",
            "created",
            "--yes",
        ],
        0,
    );
    assert_eq!(arch.len(), 1);
    assert!(
        get_task(s, &tok, &a)["system_tags"]
            .as_array()
            .unwrap()
            .contains(&json!("archived"))
    );
    // Unarchive's filters look at archived tasks.
    let un = rows(h, &["task", "unarchive", "--project", &project, "--yes"], 0);
    assert_eq!(
        un.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [a.as_str()]
    );

    // Move into a new project (created), by id.
    let target = format!("{project}/Архив");
    rows(h, &["task", "move", &a, &b, "--to", &target, "--yes"], 0);
    let moved = get_task(s, &tok, &a)["project"].clone();
    assert_ne!(moved, json!(pid));
    assert_eq!(get_task(s, &tok, &b)["project"], moved);

    // Delete: the published task is refused (not a draft nor archived, no --force), the
    // draft is deleted, exit 1.
    let del = rows(h, &["task", "delete", &a, &p, "--yes"], 1);
    assert_eq!(outcome_of(&del, &a).outcome, "done");
    assert_eq!(outcome_of(&del, &p).outcome, "refused");
    let (code, _) = crate::serve::call(s, &tok, "tasks.get_by_id", json!({"task": a}));
    assert_eq!(code, 400, "deleted");
    assert_eq!(status(s, &tok, &p), "published");

    // An unknown id or name: exit 5 before anything changes.
    let out = run(h, &["task", "archive", &b, "no such task here", "--yes"]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        !get_task(s, &tok, &b)["system_tags"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("archived")))
    );
    // No tasks and no filters: a usage error, not "everything".
    let out = run(h, &["task", "delete", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn abort_of_a_task_an_agent_runs_waits_for_the_agent() {
    let (home, s) = home();
    let tok = token(s);
    let id = new_task(s, &tok, json!({"name": unique("läuft")}));
    api(s, &tok, "tasks.started", json!({"task": id}));
    let worker = unique("worker");
    api(s, &tok, "workers.register", json!({"worker": worker}));
    api(
        s,
        &tok,
        "workers.status_report",
        json!({"worker": worker, "task": id, "timestamp": 1}),
    );
    let r = rows(home.path(), &["task", "abort", &id], 0);
    assert_eq!(r[0].outcome, "requested", "{r:?}");
    let t = get_task(s, &tok, &id);
    assert_eq!(
        (t["status"].as_str(), t["status_message"].as_str()),
        (Some("in_progress"), Some("stopping"))
    );
    // The agent acknowledges, as clearml-agent does on seeing "stopping".
    api(s, &tok, "tasks.stopped", json!({"task": id}));
    assert_eq!(status(s, &tok, &id), "stopped");
}

#[test]
fn clone_overrides_and_enqueues_and_edit_respects_drafts() {
    let (home, s) = home();
    let h = home.path();
    let tok = token(s);
    let original = new_task(
        s,
        &tok,
        json!({"name": unique("Basis"), "hyperparams": {"Args": {
            "lr": {"section": "Args", "name": "lr", "value": "0.1"},
            "bs": {"section": "Args", "name": "bs", "value": "32"}}}}),
    );
    let queue = unique("clone-q");
    api(s, &tok, "queues.create", json!({"name": queue}));
    let project = unique("Клоны");
    let out = run(
        h,
        &[
            "task",
            "clone",
            &original[..8],
            "--name",
            "Клон 1",
            "--project",
            &project,
            "--set",
            "Args/lr=0.5",
            "--tag",
            "экспер",
            "--queue",
            &queue,
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let c: CloneResult = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c.parent, original);
    let t = get_task(s, &tok, &c.id);
    assert_eq!(t["name"], "Клон 1");
    assert_eq!(t["status"], "queued");
    assert_eq!(t["parent"], json!(original));
    assert_eq!(t["tags"], json!(["экспер"]));
    assert_eq!(t["hyperparams"]["Args"]["lr"]["value"], "0.5");
    assert_eq!(t["hyperparams"]["Args"]["bs"]["value"], "32", "others kept");
    let p = api(
        s,
        &tok,
        "projects.get_by_id",
        json!({"project": t["project"]}),
    );
    assert_eq!(p["project"]["name"], json!(project));
    assert_eq!(
        get_task(s, &tok, &original)["hyperparams"]["Args"]["lr"]["value"],
        "0.1"
    );

    // Edit: name, comment and tags in any status; parameters of a queued task only with
    // --force (the server's draft rule), with the hint.
    let out = run(
        h,
        &[
            "task",
            "edit",
            &c.id,
            "--comment",
            "Kommentar: schön",
            "--remove-tag",
            "экспер",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let e: EditResult = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e.changed, ["comment", "tags"]);
    let t = get_task(s, &tok, &c.id);
    assert_eq!(
        (t["comment"].clone(), t["tags"].clone()),
        (json!("Kommentar: schön"), json!([]))
    );
    let out = run(h, &["task", "edit", &c.id, "--set", "Args/lr=0.7"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--force"),
        "{}",
        text(&out)
    );
    assert_eq!(
        get_task(s, &tok, &c.id)["hyperparams"]["Args"]["lr"]["value"],
        "0.5"
    );
    let out = run(
        h,
        &["task", "edit", &c.id, "--set", "Args/lr=0.7", "--force"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        get_task(s, &tok, &c.id)["hyperparams"]["Args"]["lr"]["value"],
        "0.7"
    );
    // Bad input: one line, exit 2, nothing created.
    let out = run(
        h,
        &["task", "clone", &original, "--name", "x", "--set", "lr=1"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run(
        h,
        &[
            "task",
            "clone",
            &original,
            "--name",
            "Klon",
            "--queue",
            "keine-solche-queue",
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
}

/// On a terminal, several tasks are listed and confirmed with dialoguer: "n" changes
/// nothing (exit 1), "y" acts.
#[test]
fn a_terminal_is_asked_before_several_tasks_change() {
    let (home, s) = home();
    let tok = token(s);
    let project = unique("Frage");
    let pid = api(s, &tok, "projects.create", json!({"name": project}))["id"].clone();
    let a = new_task(s, &tok, json!({"name": "Задача eins", "project": pid}));
    let b = new_task(s, &tok, json!({"name": "Задача zwei", "project": pid}));
    let archived = |id: &str| {
        get_task(s, &tok, id)["system_tags"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("archived")))
    };
    for (answer, code) in [("n", 1), ("y", 0)] {
        let mut cmd = common::clearml(home.path());
        cmd.args(["task", "archive", "--project", &project]);
        let mut pty = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        pty.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
        let listed = pty.expect("Archive 2 tasks?").expect("the question");
        let before = String::from_utf8_lossy(listed.before()).to_string();
        assert!(
            before.contains("Задача eins") && before.contains("Задача zwei"),
            "the list comes first: {before}"
        );
        pty.send_line(answer).unwrap();
        let _ = pty.expect(expectrl::Eof);
        let status = pty.get_process().wait().unwrap();
        assert_eq!(
            status,
            expectrl::WaitStatus::Exited(pty.get_process().pid(), code),
            "answer {answer}"
        );
        assert_eq!(
            (archived(&a), archived(&b)),
            (code == 0, code == 0),
            "answer {answer}"
        );
    }
}

fn log_event(task: &str, ts: i64, msg: &str) -> serde_json::Value {
    json!({"task": task, "type": "log", "level": "info", "worker": "w1", "timestamp": ts, "msg": msg})
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// `task logs` pages through the whole console in order (ties at page boundaries included),
/// `--tail` counts lines, `--since` cuts by time, `--json` prints one event per line.
#[test]
fn task_logs_pages_tails_and_filters_by_time() {
    let (home, s) = home();
    let h = home.path();
    let tok = token(s);
    let id = new_task(s, &tok, json!({"name": unique("Журнал")}));
    let base = 1_760_000_000_000_i64;
    // 2,500 events, three per millisecond: pages of 1,000 end inside a tie.
    let events: Vec<_> = (0..2500)
        .map(|i| log_event(&id, base + i / 3, &format!("Zeile {i} — строка\n")))
        .collect();
    crate::serve::add_batch(s, &tok, &events);
    let all = run(h, &["task", "logs", &id]);
    assert!(all.status.success(), "{}", text(&all));
    let lines: Vec<String> = stdout_of(&all).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2500, "every line once");
    let mut numbers: Vec<usize> = lines
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 2500);
    assert_eq!(lines[0], "Zeile 0 — строка");

    // A multi-line message: --tail counts lines.
    let other = new_task(s, &tok, json!({"name": unique("Журнал2")}));
    crate::serve::add_batch(
        s,
        &tok,
        &[
            log_event(&other, base, "erste\n"),
            log_event(&other, base + 1000, "zweite\ndritte\n"),
            log_event(&other, base + 2000, "vierte"),
        ],
    );
    let tail = run(h, &["task", "logs", &other, "--tail", "2"]);
    assert_eq!(stdout_of(&tail), "dritte\nvierte\n", "{}", text(&tail));
    let since = chrono::DateTime::from_timestamp_millis(base + 500)
        .unwrap()
        .to_rfc3339();
    let cut = run(h, &["task", "logs", &other, "--since", &since]);
    assert_eq!(
        stdout_of(&cut),
        "zweite\ndritte\nvierte\n",
        "{}",
        text(&cut)
    );
    let json_out = run(h, &["task", "logs", &other, "--json"]);
    let parsed: Vec<clearml_cmd_task::json::LogLine> = stdout_of(&json_out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), 3);
    assert_eq!(
        (parsed[1].timestamp, parsed[1].msg.as_str()),
        (base + 1000, "zweite\ndritte\n")
    );
    let stamped = run(h, &["task", "logs", &other, "--tail", "1", "-t"]);
    assert!(
        stdout_of(&stamped).ends_with("Z vierte\n"),
        "{}",
        text(&stamped)
    );
}

/// `-f` prints lines as they come and ends with the task: exit 6 when it failed. `task wait`
/// then shows the reason, the last lines and the command for the rest.
#[test]
fn follow_ends_with_the_task_and_wait_shows_the_failed_console() {
    let (home, s) = home();
    let h = home.path();
    let tok = token(s);
    let id = new_task(s, &tok, json!({"name": unique("Folgen")}));
    api(s, &tok, "tasks.started", json!({"task": id}));
    let now = chrono::Utc::now().timestamp_millis();
    crate::serve::add_batch(s, &tok, &[log_event(&id, now - 5000, "Start\n")]);
    let child = common::clearml(h)
        .args(["task", "logs", "-f", &id])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    crate::serve::add_batch(
        s,
        &tok,
        &[
            log_event(&id, now - 1000, "Epoche 1: Verlust 0.5\n"),
            log_event(&id, now - 500, "Traceback: ошибка\n"),
        ],
    );
    api(
        s,
        &tok,
        "tasks.failed",
        json!({"task": id, "status_reason": "Script error", "force": true}),
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert_eq!(
        stdout_of(&out),
        "Start\nEpoche 1: Verlust 0.5\nTraceback: ошибка\n",
        "{}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Script error"),
        "{}",
        text(&out)
    );

    let wait = run(h, &["task", "wait", &id, "--log-lines", "2"]);
    assert_eq!(wait.status.code(), Some(6), "{}", text(&wait));
    let err = String::from_utf8_lossy(&wait.stderr);
    assert!(err.contains("failed: Script error"), "{err}");
    assert!(
        err.contains("Epoche 1: Verlust 0.5\nTraceback: ошибка"),
        "{err}"
    );
    assert!(!err.contains("Start"), "only the last 2 lines: {err}");
    assert!(err.contains(&format!("clearml task logs {id}")), "{err}");
    let quiet = run(h, &["task", "wait", &id, "--log-lines", "0"]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("Traceback"));
}
