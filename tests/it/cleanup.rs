//! `clearml cleanup` against its own `clearml server serve`: files really gone from the
//! server's data folder while others' stay, --dry-run changes nothing (a dump before and
//! after), published tasks and used models are kept, and a killed cleanup is finished by
//! the next run without leaving a file behind.

use std::path::PathBuf;
use std::process::Output;

use serde_json::{Value, json};

use crate::common::{self, Serve};
use crate::serve::{ok as api, token};
use clearml_cmd_cleanup::json::CleanupReport;

use common::{run, shown as text};

fn report(out: &Output) -> CleanupReport {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not a CleanupReport ({e}): {}", text(out)))
}

/// A file on the server's file store (written where serve keeps uploads) and its URL.
fn stored_file(s: &Serve, path: &str, bytes: usize) -> String {
    let on_disk = s.data_dir.join("files").join(path);
    std::fs::create_dir_all(on_disk.parent().unwrap()).unwrap();
    std::fs::write(&on_disk, vec![b'x'; bytes]).unwrap();
    let quoted: Vec<String> = path
        .split('/')
        .map(|p| {
            percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC).to_string()
        })
        .collect();
    format!("{}/{}", s.files_url.trim_end_matches('/'), quoted.join("/"))
}

fn on_disk(s: &Serve, path: &str) -> bool {
    s.data_dir.join("files").join(path).exists()
}

/// A task with one artifact file of `bytes`; archived when asked.
fn task_with_artifact(
    s: &Serve,
    tok: &str,
    project: &str,
    name: &str,
    path: &str,
    bytes: usize,
    archived: bool,
) -> String {
    let id = api(
        s,
        tok,
        "tasks.create",
        json!({"name": name, "type": "training", "project": project}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = stored_file(s, path, bytes);
    api(
        s,
        tok,
        "tasks.add_or_update_artifacts",
        json!({"task": id, "artifacts": [{"key": "data", "type": "custom", "uri": url, "content_size": bytes}]}),
    );
    if archived {
        api(s, tok, "tasks.archive_many", json!({"ids": [id]}));
    }
    id
}

/// A draft output model of `task` with a weights file.
fn output_model(s: &Serve, tok: &str, task: &str, path: &str, bytes: usize) -> String {
    let url = stored_file(s, path, bytes);
    let id = api(
        s,
        tok,
        "models.create",
        json!({"name": format!("model {path}"), "uri": url, "task": task, "ready": false}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api(
        s,
        tok,
        "tasks.add_or_update_model",
        json!({"task": task, "name": "out", "model": id, "type": "output"}),
    );
    id
}

/// Everything the server holds for a comparison: tasks, models and the file tree.
fn dump(s: &Serve, tok: &str) -> (Value, Value, Vec<PathBuf>) {
    let tasks = api(s, tok, "tasks.get_all_ex", json!({"order_by": ["id"]}))["tasks"].clone();
    let models = api(s, tok, "models.get_all_ex", json!({"order_by": ["id"]}))["models"].clone();
    let mut files = Vec::new();
    let mut dirs = vec![s.data_dir.join("files")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p)
            } else {
                files.push(p)
            }
        }
    }
    files.sort();
    (tasks, models, files)
}

/// A server of the test's own (cleanup deletes), a home whose clearml.conf points at it,
/// a token, and a fresh project named `project`.
fn own_server(project: &str) -> (Serve, tempfile::TempDir, String, String) {
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    s.write_conf(home.path());
    let tok = token(&s);
    let pid = api(&s, &tok, "projects.create", json!({"name": project}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    (s, home, tok, pid)
}

#[test]
fn cleanup_deletes_archived_tasks_with_their_files_and_keeps_the_rest() {
    let (s, home, tok, pid) = own_server("Очистка");
    let h = home.path();
    let t1 = task_with_artifact(
        &s,
        &tok,
        &pid,
        "alt eins",
        "Очистка/t1/данные.csv",
        1000,
        true,
    );
    let m1 = output_model(&s, &tok, &t1, "Очистка/t1/model.bin", 500);
    let t2 = task_with_artifact(&s, &tok, &pid, "alt zwei", "Очистка/t2/data.csv", 300, true);
    let m2 = output_model(&s, &tok, &t2, "Очистка/t2/model.bin", 70);
    // t2's model is the input of a live task: it and its file stay.
    let user = api(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "uses m2", "type": "training", "project": pid}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api(
        &s,
        &tok,
        "tasks.add_or_update_model",
        json!({"task": user, "name": "in", "model": m2, "type": "input"}),
    );
    // A published archived task stays, and so does a live one's file.
    let t3 = task_with_artifact(
        &s,
        &tok,
        &pid,
        "veröffentlicht",
        "Очистка/t3/result.csv",
        50,
        false,
    );
    api(&s, &tok, "tasks.started", json!({"task": t3}));
    api(&s, &tok, "tasks.completed", json!({"task": t3}));
    api(&s, &tok, "tasks.publish", json!({"task": t3}));
    api(&s, &tok, "tasks.archive_many", json!({"ids": [t3]}));
    let live = task_with_artifact(&s, &tok, &pid, "lebendig", "Очистка/live/x.csv", 10, false);

    // --dry-run: the plan, and nothing changed (a dump before and after is the same).
    let before = dump(&s, &tok);
    let out = run(
        h,
        &["cleanup", "--project", "Очистка", "--dry-run", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let plan = report(&out);
    assert!(plan.dry_run);
    assert_eq!(
        (plan.tasks_deleted, plan.models_deleted, plan.files_deleted),
        (2, 1, 3),
        "{plan:?}"
    );
    assert_eq!(plan.bytes_freed, 1000 + 500 + 300);
    assert_eq!(dump(&s, &tok), before, "--dry-run changed the server");

    // No terminal, no --yes: exit 2, nothing changed.
    let out = run(h, &["cleanup", "--project", "Очистка"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(dump(&s, &tok), before);

    let out = run(h, &["cleanup", "--project", "Очистка", "--yes", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let done = report(&out);
    assert_eq!(
        (done.tasks_deleted, done.models_deleted, done.files_deleted),
        (2, 1, 3),
        "{done:?}"
    );
    assert_eq!(done.bytes_freed, 1800);
    let outcome = |id: &str| {
        done.tasks
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.outcome.clone())
    };
    assert_eq!(outcome(&t1).as_deref(), Some("deleted"));
    assert_eq!(outcome(&t3).as_deref(), Some("kept"));
    assert!(
        done.kept
            .iter()
            .any(|k| k.id == m2 && k.reason.contains(&user)),
        "{:?}",
        done.kept
    );
    for gone in [
        "Очистка/t1/данные.csv",
        "Очистка/t1/model.bin",
        "Очистка/t2/data.csv",
    ] {
        assert!(!on_disk(&s, gone), "{gone} is still on disk");
    }
    for stays in [
        "Очистка/t2/model.bin",
        "Очистка/t3/result.csv",
        "Очистка/live/x.csv",
    ] {
        assert!(on_disk(&s, stays), "{stays} was deleted");
    }
    let (code, _) = crate::serve::call(&s, &tok, "tasks.get_by_id", json!({"task": t1}));
    assert_eq!(code, 400, "t1 deleted");
    let (code, _) = crate::serve::call(&s, &tok, "models.get_by_id", json!({"model": m1}));
    assert_eq!(code, 400, "t1's draft model deleted");
    api(&s, &tok, "models.get_by_id", json!({"model": m2}));
    api(&s, &tok, "tasks.get_by_id", json!({"task": live}));
    // Nothing left to do: a second run is a no-op.
    let again = report(&run(
        h,
        &["cleanup", "--project", "Очистка", "--yes", "--json"],
    ));
    assert_eq!(again.tasks_deleted, 0);
    s.stop();
}

/// SIGKILL in the middle of a cleanup of 250 tasks, then the same command again: every
/// selected task and every one of their files is gone, nothing is orphaned, the journal is
/// removed.
#[test]
fn a_killed_cleanup_is_finished_by_the_next_run_without_orphans() {
    let (s, home, tok, pid) = own_server("Abbruch");
    let h = home.path();
    let n = 250;
    let paths: Vec<String> = (0..n).map(|i| format!("Abbruch/t{i}/a.bin")).collect();
    for (i, p) in paths.iter().enumerate() {
        task_with_artifact(&s, &tok, &pid, &format!("task {i}"), p, 10, true);
    }
    let journal = h.join("journal.json");
    let child = common::clearml(h)
        .args(["cleanup", "--project", "Abbruch", "--yes", "--journal"])
        .arg(&journal)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill as soon as the first files are gone (the first batch is under way or done).
    common::wait_until(
        "the first files to go",
        std::time::Duration::from_secs(60),
        || paths.iter().any(|p| !on_disk(&s, p)),
    );
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    let _ = child.wait_with_output();
    let left = paths.iter().filter(|p| on_disk(&s, p)).count();
    assert!(
        left > 0 && left < n,
        "the kill came mid-way ({left} of {n} files left)"
    );
    let out = run(
        h,
        &[
            "cleanup",
            "--project",
            "Abbruch",
            "--yes",
            "--journal",
            journal.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let orphans: Vec<&String> = paths.iter().filter(|p| on_disk(&s, p)).collect();
    assert!(orphans.is_empty(), "orphaned files: {orphans:?}");
    let remaining = api(
        &s,
        &tok,
        "tasks.get_all_ex",
        json!({"project": [pid], "only_fields": ["id"]}),
    )["tasks"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(remaining, 0);
    assert!(!journal.exists(), "the journal is removed once empty");
    s.stop();
}

/// serve: a filter on a field inside an array of objects (`models.input.model`) matches any
/// element, as MongoDB's dotted paths do on the real server; so `tasks.delete` with
/// `delete_output_models` (whose rule is "not referenced by other tasks", tasks.conf) keeps
/// a draft model another task uses as input. Both failed before: the filter matched nothing.
#[test]
fn serve_filters_inside_arrays_of_objects_and_keeps_used_models() {
    let s = Serve::shared();
    let tok = token(s);
    let owner = api(
        s,
        &tok,
        "tasks.create",
        json!({"name": "owner task", "type": "training"}),
    )["id"]
        .clone();
    let model = api(
        s,
        &tok,
        "models.create",
        json!({"name": "draft m", "uri": "http://x/y", "task": owner, "ready": false}),
    )["id"]
        .clone();
    let user = api(
        s,
        &tok,
        "tasks.create",
        json!({"name": "user task", "type": "training"}),
    )["id"]
        .clone();
    api(
        s,
        &tok,
        "tasks.add_or_update_model",
        json!({"task": user, "name": "in", "model": model, "type": "input"}),
    );
    for endpoint in ["tasks.get_all", "tasks.get_all_ex"] {
        let found = api(
            s,
            &tok,
            endpoint,
            json!({"models.input.model": [model], "only_fields": ["id"]}),
        )["tasks"]
            .clone();
        assert_eq!(found, json!([{"id": user}]), "{endpoint}");
        let none = api(
            s,
            &tok,
            endpoint,
            json!({"models.output.model": [model], "only_fields": ["id"]}),
        )["tasks"]
            .clone();
        assert_eq!(none, json!([]), "{endpoint}");
    }
    let r = api(
        s,
        &tok,
        "tasks.delete",
        json!({"task": owner, "delete_output_models": true, "return_file_urls": true}),
    );
    assert_eq!(r["urls"]["model_urls"], json!([]), "{r}");
    api(s, &tok, "models.get_by_id", json!({"model": model}));
}

/// Make a stored file look old (the orphan search keeps files changed within the hour).
fn age(s: &Serve, path: &str) {
    let f = std::fs::File::options()
        .write(true)
        .open(s.data_dir.join("files").join(path))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
}

#[test]
fn cleanup_orphans_lists_then_deletes_the_files_nothing_refers_to() {
    let (s, home, tok, pid) = own_server("Сироты");
    let h = home.path();
    let living = api(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "lebt", "type": "training", "project": pid}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let gone = api(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "weg", "type": "training", "project": pid}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api(&s, &tok, "tasks.delete", json!({"task": gone}));
    // Kept: an artifact, a debug image in a living task's folder, a model's file, and a
    // stray file changed just now.
    let artifact = format!("Сироты/lebt.{living}/artifacts/data/x.bin");
    let url = stored_file(&s, &artifact, 11);
    api(
        &s,
        &tok,
        "tasks.add_or_update_artifacts",
        json!({"task": living, "artifacts": [{"key": "data", "type": "custom", "uri": url}]}),
    );
    let image = format!("Сироты/lebt.{living}/metrics/loss/val/img_0.png");
    stored_file(&s, &image, 12);
    let model_file = "Модели/loose model.bin";
    let murl = stored_file(&s, model_file, 13);
    api(
        &s,
        &tok,
        "models.create",
        json!({"name": "loose model", "uri": murl, "ready": false}),
    );
    let fresh = "stray/fresh.txt";
    stored_file(&s, fresh, 14);
    // Orphans: a deleted task's files, a stray file with a hostile name.
    let orphan_a = format!("Сироты/weg.{gone}/artifacts/big/big.bin");
    stored_file(&s, &orphan_a, 1000);
    let orphan_b = "stray/a%2F..#?<b>.txt";
    stored_file(&s, orphan_b, 10);
    for p in [artifact.as_str(), &image, model_file, &orphan_a, orphan_b] {
        age(&s, p);
    }
    let dir = s.data_dir.to_str().unwrap();

    let before = dump(&s, &tok);
    // The data dir from CLEARML_SERVE_DATA_DIR, as serve itself reads it; the variable
    // alone does not make a plain cleanup an orphan search.
    let with_env = |args: &[&str]| {
        common::clearml(h)
            .env("CLEARML_SERVE_DATA_DIR", dir)
            .args(args)
            .output()
            .unwrap()
    };
    let out = with_env(&["cleanup", "--dry-run", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(report(&out).orphans.is_empty());
    let out = with_env(&["cleanup", "--orphans", "--dry-run", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let plan = report(&out);
    let paths: Vec<&str> = plan.orphans.iter().map(|o| o.path.as_str()).collect();
    let mut want = vec![orphan_a.as_str(), orphan_b];
    want.sort();
    assert_eq!(paths, want, "{plan:?}");
    assert_eq!((plan.files_deleted, plan.bytes_freed), (2, 1010));
    assert!(plan.orphans.iter().all(|o| o.outcome == "planned"));
    assert_eq!(dump(&s, &tok), before, "--dry-run changed something");

    // No terminal, no --yes: exit 2, nothing deleted.
    let out = run(h, &["cleanup", "--orphans", "--data-dir", dir]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(dump(&s, &tok), before);

    // Another server's data dir is refused: its files would be judged by our references.
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir(other.path().join("files")).unwrap();
    std::fs::write(
        other.path().join("serve.json"),
        r#"{"files_url": "http://127.0.0.1:1/"}"#,
    )
    .unwrap();
    let out = run(
        h,
        &[
            "cleanup",
            "--orphans",
            "--data-dir",
            other.path().to_str().unwrap(),
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    let out = run(
        h,
        &["cleanup", "--orphans", "--data-dir", dir, "--yes", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let done = report(&out);
    assert_eq!(
        (done.files_deleted, done.bytes_freed),
        (2, 1010),
        "{done:?}"
    );
    assert!(
        done.orphans.iter().all(|o| o.outcome == "deleted"),
        "{done:?}"
    );
    assert!(!on_disk(&s, &orphan_a) && !on_disk(&s, orphan_b));
    for stays in [artifact.as_str(), &image, model_file, fresh] {
        assert!(on_disk(&s, stays), "{stays} was deleted");
    }
    let (tasks, models, _) = before;
    let (tasks_after, models_after, _) = dump(&s, &tok);
    assert_eq!(
        (tasks, models),
        (tasks_after, models_after),
        "only files change"
    );
    s.stop();
}

#[test]
fn cleanup_models_deletes_archived_models_and_keeps_published_and_used_ones() {
    let (s, home, tok, pid) = own_server("Modelle");
    let h = home.path();
    let model = |name: &str, path: &str, ready: bool| {
        let url = stored_file(&s, path, 100);
        api(
            &s,
            &tok,
            "models.create",
            json!({"name": name, "uri": url, "ready": ready, "project": pid}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let old = model("старая модель", "Modelle/old.bin", false);
    let published = model("veröffentlicht", "Modelle/pub.bin", true);
    let used = model("benutzt", "Modelle/used.bin", false);
    let active = model("aktiv", "Modelle/active.bin", false);
    api(
        &s,
        &tok,
        "models.archive_many",
        json!({"ids": [old, published, used]}),
    );
    let user = api(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "uses it", "type": "training", "project": pid}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api(
        &s,
        &tok,
        "tasks.add_or_update_model",
        json!({"task": user, "name": "in", "model": used, "type": "input"}),
    );

    let before = dump(&s, &tok);
    let args = ["cleanup", "--models", "--project", "Modelle", "--json"];
    let out = run(h, &[&args[..], &["--dry-run"]].concat());
    assert!(out.status.success(), "{}", text(&out));
    let plan = report(&out);
    assert_eq!(
        (plan.models_deleted, plan.files_deleted, plan.bytes_freed),
        (1, 1, 100),
        "{plan:?}"
    );
    assert_eq!(dump(&s, &tok), before, "--dry-run changed something");

    let out = run(h, &[&args[..], &["--yes"]].concat());
    assert!(out.status.success(), "{}", text(&out));
    let done = report(&out);
    let outcome = |id: &str| {
        done.models
            .iter()
            .find(|m| m.id == id)
            .map(|m| (m.outcome.clone(), m.reason.clone().unwrap_or_default()))
    };
    assert_eq!(outcome(&old).unwrap().0, "deleted");
    assert_eq!(outcome(&published).unwrap().0, "kept");
    let (o, why) = outcome(&used).unwrap();
    assert_eq!(o, "kept");
    assert!(why.contains(&user), "{why}");
    assert_eq!(outcome(&active), None, "not archived: not selected");
    assert!(!on_disk(&s, "Modelle/old.bin"));
    for stays in ["Modelle/pub.bin", "Modelle/used.bin", "Modelle/active.bin"] {
        assert!(on_disk(&s, stays), "{stays} was deleted");
    }
    let (code, _) = crate::serve::call(&s, &tok, "models.get_by_id", json!({"model": old}));
    assert_eq!(code, 400, "the archived draft is gone");
    for id in [&published, &used, &active] {
        api(&s, &tok, "models.get_by_id", json!({"model": id}));
    }
    s.stop();
}
