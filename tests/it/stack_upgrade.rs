//! `clearml server upgrade` on the Docker engine. The "newer server" is the stand-in image
//! again, with a scripted data migration baked in (STANDIN_MIGRATION, tests/it/stack.rs):
//! `lose` starts on an emptied store, `fail` dies half-way after deleting the store, `ok`
//! migrates, `lose-events` waits while the test deletes events from the Elasticsearch
//! stand-in's store. The API server is our own `server serve`, so the counts are real API answers.
use std::process::Output;

use clearml_cmd_server::json::UpgradeReport;
use serde_json::json;

use crate::stack::{StackTest, api_call, docker, rt, stderr, stdout};

const SERVER_IMAGE_SERVICES: &[&str] = &["apiserver", "webserver", "fileserver", "async_delete"];

fn upgrade_args(image: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["server", "upgrade", "--to", "2.3.0", "--timeout", "60s"]
        .map(String::from)
        .to_vec();
    for s in SERVER_IMAGE_SERVICES {
        args.extend(["--image".to_string(), format!("{s}={image}")]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn upgrade(t: &StackTest, image: &str, extra: &[&str]) -> Output {
    let args = upgrade_args(image, extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    t.with_data(&refs)
}

fn api_image(t: &StackTest) -> String {
    let id = t.containers()["apiserver"].clone();
    rt().block_on(async move {
        let c = docker()
            .inspect_container(&id, None::<bollard::container::InspectContainerOptions>)
            .await
            .unwrap();
        c.config.unwrap().image.unwrap()
    })
}

/// Project, task and model names as the API server answers them, sorted.
fn held(t: &StackTest) -> Vec<String> {
    let mut names = Vec::new();
    for (endpoint, key) in [
        ("projects.get_all", "projects"),
        ("tasks.get_all", "tasks"),
        ("models.get_all", "models"),
    ] {
        let got = api_call(&t.api_url(), endpoint, json!({"only_fields": ["name"]}));
        for item in got[key].as_array().unwrap() {
            names.push(format!("{key}:{}", item["name"].as_str().unwrap_or("")));
        }
    }
    names.sort();
    names
}

fn configured_version(t: &StackTest) -> String {
    let text = std::fs::read_to_string(t.data.join("clearml-server.toml")).unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    v["version"].as_str().unwrap_or("").to_string()
}

#[test]
fn stack_upgrade_rolls_back_failed_and_lossy_migrations_then_upgrades() {
    let t = StackTest::new("upgrade", true);
    assert_eq!(t.up(&["--version", "2.0.0"]).status.code(), Some(0));
    let project = api_call(
        &t.api_url(),
        "projects.create",
        json!({"name": "Проект Übung 项目", "description": "vor dem Upgrade"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    api_call(
        &t.api_url(),
        "tasks.create",
        json!({"name": "задача Größe 任务", "project": project, "type": "training"}),
    );
    api_call(
        &t.api_url(),
        "models.create",
        json!({"name": "модель Gewicht 模型", "uri": "file:///tmp/m.pt", "project": project}),
    );
    // Events in the stand-in Elasticsearch's store (one a line, tests/it/stack.rs).
    let index = t
        .data
        .join("data/elastic_7/events/events-log-d1bd92a3b039400cbafc60a7a5b1e52b");
    std::fs::create_dir_all(&index).unwrap();
    let events_file = index.join("0123456789abcdef0123456789abcdef.ndjson");
    std::fs::write(&events_file, "{\"msg\":\"Schritt 步\"}\n".repeat(7)).unwrap();
    let before = held(&t);
    let old_image = t.image().to_string();
    let migrations = t.data.join("data/fileserver/migrations");
    let home = t.data.parent().unwrap().to_path_buf();
    let backup = |name: &str| home.join(format!("{name}.tar.gz"));

    // The plan changes nothing.
    let ok_image = t.variant("ok", &["STANDIN_MIGRATION=ok"]);
    let b = backup("dry");
    let dry = upgrade(
        &t,
        &ok_image,
        &["--dry-run", "--json", "--backup", b.to_str().unwrap()],
    );
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let plan: UpgradeReport = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!((plan.from.as_str(), plan.to.as_str()), ("2.0.0", "2.3.0"));
    assert_eq!(plan.result, "planned");
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].images["apiserver"], ok_image);
    assert_eq!(
        plan.steps[0].images["mongo"], old_image,
        "databases keep their image"
    );
    assert!(!b.exists() && api_image(&t) == old_image);

    // An image that is not on the host: one error before anything stops.
    let b = backup("absent");
    let absent = upgrade(
        &t,
        "clearml-it-absent:nope",
        &["--backup", b.to_str().unwrap()],
    );
    assert_eq!(absent.status.code(), Some(1));
    assert!(
        stderr(&absent).contains("not on this host"),
        "{}",
        stderr(&absent)
    );
    assert!(!b.exists());
    assert_eq!(held(&t), before, "the stack kept running");

    // A migration that loses the data: the counts differ, the backup comes back.
    let lose = t.variant("lose", &["STANDIN_MIGRATION=lose"]);
    let b = backup("lose");
    let out = upgrade(&t, &lose, &["--backup", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("data lost") && err.contains("server 2.0.0 is running again"),
        "{err}"
    );
    assert!(b.exists(), "the backup is kept");
    assert_eq!(api_image(&t), old_image);
    assert_eq!(held(&t), before);
    assert!(!migrations.exists(), "the data dir is the backup's");
    assert_eq!(configured_version(&t), "2.0.0");

    // A migration that dies half-way, after deleting the store.
    let fail = t.variant("fail", &["STANDIN_MIGRATION=fail"]);
    let b = backup("fail");
    let out = upgrade(&t, &fail, &["--backup", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("did not become ready") && err.contains("running again"),
        "{err}"
    );
    assert_eq!(api_image(&t), old_image);
    assert_eq!(held(&t), before);
    assert!(!migrations.exists());

    // A migration after which events are missing: the event counts differ.
    let lose_events = t.variant("lose-events", &["STANDIN_MIGRATION=lose-events"]);
    let b = backup("lose-events");
    let marker = t.data.join("data/fileserver/migrating");
    // The upgrade to the lose-events image, once its API server's migration runs.
    let migrating = |backup: &std::path::Path| {
        let child = t
            .cmd()
            .args(upgrade_args(
                &lose_events,
                &["--backup", backup.to_str().unwrap()],
            ))
            .arg("--data-dir")
            .arg(&t.data)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut child = child;
        let start = std::time::Instant::now();
        while !marker.exists() && start.elapsed() < std::time::Duration::from_secs(180) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(marker.exists(), "the new API server's migration ran");
        child
    };
    let child = migrating(&b);
    std::fs::remove_file(&events_file).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("data lost") && err.contains("7 events") && err.contains("0 events"),
        "{err}"
    );
    assert!(err.contains("server 2.0.0 is running again"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&events_file)
            .unwrap()
            .lines()
            .count(),
        7,
        "the events are the backup's"
    );
    assert_eq!(api_image(&t), old_image);
    assert_eq!(held(&t), before);

    // Ctrl-C while the new server migrates: rolled back to the same data, exit 130.
    let b = backup("interrupted");
    let child = migrating(&b);
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted") && err.contains("server 2.0.0 is running again"),
        "{err}"
    );
    assert_eq!(api_image(&t), old_image);
    assert_eq!(held(&t), before);
    assert_eq!(configured_version(&t), "2.0.0");
    assert_eq!(
        std::fs::read_to_string(&events_file)
            .unwrap()
            .lines()
            .count(),
        7
    );

    // The good one.
    let b = backup("ok");
    let out = upgrade(&t, &ok_image, &["--json", "--backup", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done: UpgradeReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done.result, "upgraded");
    let counts = done
        .counts_before
        .expect("counted with the API server's key");
    assert!(
        counts.projects >= 1 && counts.tasks >= 1 && counts.models >= 1,
        "{counts:?}"
    );
    assert_eq!(counts.events, Some(7), "Elasticsearch's events are counted");
    assert_eq!(done.counts_after, Some(counts));
    assert_eq!(api_image(&t), ok_image);
    assert_eq!(std::fs::read_to_string(&migrations).unwrap(), "migrated\n");
    assert_eq!(held(&t), before);
    assert_eq!(configured_version(&t), "2.3.0");
    assert!(stdout(&out).contains("upgraded"));

    // Run again: nothing to do, a usage error.
    let again = upgrade(&t, &ok_image, &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already runs server 2.3.0"),
        "{}",
        stderr(&again)
    );
}
