//! `pipeline schedule` (a seconds cron, the fast worker, SIGTERM), its `service` task read
//! back by the real SDK's TaskScheduler, and `--notify` (JSON and Slack shapes, retries, a
//! dead receiver) on `pipeline schedule`, `pipeline run` and `task wait`.
//! A child module of `pipeline` so it shares its Env and FastWorker.

use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// A webhook receiver on a free loopback port: answers the scripted statuses in turn (then
/// 200) and keeps every body it was sent with the status it answered.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(u16, Value)>>>,
}

impl Receiver {
    fn start(script: &[u16]) -> Receiver {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let (got2, mut script) = (got.clone(), script.to_vec());
        script.reverse();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut conn) = conn else { break };
                let mut r = BufReader::new(conn.try_clone().unwrap());
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                let status = script.pop().unwrap_or(200);
                got2.lock()
                    .unwrap()
                    .push((status, serde_json::from_slice(&body).unwrap_or(Value::Null)));
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Receiver { url, got }
    }

    fn got(&self) -> Vec<(u16, Value)> {
        self.got.lock().unwrap().clone()
    }
}

/// A running `pipeline schedule` whose stderr lines are collected as they come.
struct Scheduler {
    child: std::process::Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Scheduler {
    fn start(env: &Env, args: &[&str]) -> Scheduler {
        let mut child = env
            .cli()
            .args(["pipeline", "schedule"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (err, l2) = (child.stderr.take().unwrap(), lines.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                l2.lock().unwrap().push(line);
            }
        });
        Scheduler { child, lines }
    }

    fn count(&self, needle: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// SIGTERM; returns the exit code and how long the exit took.
    fn term(mut self) -> (Option<i32>, Duration, String) {
        let t0 = Instant::now();
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let status = self.child.wait().unwrap();
        let took = t0.elapsed();
        std::thread::sleep(Duration::from_millis(100));
        (status.code(), took, self.log())
    }
}

fn scheduler_task(env: &Env, devops: &str) -> Value {
    let tasks = env.tasks_in(&format!("^{}$", regex_escape(devops)));
    let mut service: Vec<Value> = tasks
        .into_iter()
        .filter(|t| t["type"] == "service")
        .collect();
    assert_eq!(service.len(), 1, "{service:?}");
    service.pop().unwrap()
}

#[test]
fn schedule_fires_skips_a_busy_fire_time_and_exits_on_sigterm() {
    let env = Env::new("sched");
    env.base_tasks(&["tick"]);
    let file = env.write(
        "p.toml",
        &(env.header("nightly", "") + &env.step("tick", &[], "")),
    );
    // The first run completes, the second hangs so the fire times after it are skipped.
    let _w = FastWorker::start(&env, |_, n| if n == 1 { Act::Complete } else { Act::Hang });
    let hook = Receiver::start(&[500, 500]);
    let devops = format!("DevOps {}", env.queue);
    let s = Scheduler::start(
        &env,
        &[
            file.to_str().unwrap(),
            "--cron",
            "*/2 * * * * *",
            "--project",
            &devops,
            "--notify",
            &hook.url,
        ],
    );
    wait_for("a skipped fire time", Duration::from_secs(40), || {
        s.count("skipped ") >= 1
    });
    // A second scheduler of the same pipeline on the same server is refused, naming the first.
    let first = scheduler_task(&env, &devops);
    let rival = env.run(&[
        "pipeline",
        "schedule",
        file.to_str().unwrap(),
        "--cron",
        "@daily",
        "--project",
        &devops,
    ]);
    assert_eq!(rival.status.code(), Some(1));
    let rival_err = String::from_utf8_lossy(&rival.stderr);
    assert!(
        rival_err.contains(first["id"].as_str().unwrap()),
        "{rival_err}"
    );
    let (code, took, log) = s.term();
    assert_eq!(code, Some(0), "{log}");
    assert!(took < Duration::from_secs(1), "exit took {took:?}\n{log}");
    assert_eq!(
        log.lines().filter(|l| l.starts_with("fired ")).count(),
        2,
        "{log}"
    );
    assert!(log.contains("finished: completed"), "{log}");
    assert!(log.contains("left running on the server"), "{log}");
    // The summary was delivered once, on the third attempt.
    let got = hook.got();
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        [500, 500, 200],
        "{got:?}"
    );
    let summary = &got[2].1;
    assert_eq!(summary["pipeline"], "nightly");
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["failed_steps"], json!([]));
    assert!(summary["duration_s"].as_f64().unwrap() >= 0.0);
    let run_id = summary["id"].as_str().unwrap();
    assert!(
        summary["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/experiments/{run_id}"))
    );
    // The scheduler's service task: stopped on exit, its job and fire log readable by the SDK.
    let task = scheduler_task(&env, &devops);
    assert_eq!(task["status"], "stopped");
    let script = format!(
        r#"
import json, logging
from clearml import Task
from clearml.automation.scheduler import TaskScheduler
s = TaskScheduler.__new__(TaskScheduler)
s._task = Task.get_task(task_id="{}")
s._schedule_jobs, s._timeout_jobs, s._executed_jobs = [], {{}}, []
s._log = lambda msg, level=logging.INFO: print("LOG", level, msg)
s._deserialize()
cfg = [j.to_dict(full=True) for j in s._schedule_jobs]
s._deserialize_state()
print(json.dumps({{"config": cfg, "jobs": [j.to_dict(full=True) for j in s._schedule_jobs],
    "executed": [j.to_dict(full=True) for j in s._executed_jobs]}}, default=str))
"#,
        task["id"].as_str().unwrap()
    );
    let out = run_sdk(&script, &env.conf, &[]);
    assert!(!out.contains("Failed deserializing"), "{out}");
    let v: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["config"][0]["name"], "nightly", "{v}");
    assert_eq!(v["config"][0]["cron"], "*/2 * * * * *");
    assert_eq!(v["config"][0]["queue"], env.queue.as_str());
    let executed = v["executed"].as_array().unwrap();
    assert_eq!(executed.len(), 2, "{v}");
    assert_eq!(executed[0]["task_id"], run_id);
    assert!(
        executed[1]["finished"].is_null(),
        "the hanging run has not finished: {v}"
    );
    assert_eq!(v["jobs"][0]["_executed_instances"], json!([run_id]));
}

#[test]
fn schedule_goes_on_when_the_receiver_is_unreachable() {
    let env = Env::new("schednr");
    env.base_tasks(&["tock"]);
    let file = env.write(
        "p.toml",
        &(env.header("ночной", "") + &env.step("tock", &[], "")),
    );
    let _w = FastWorker::start(&env, |_, _| Act::Complete);
    // A port nothing listens on: bound, then released.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let devops = format!("Сервис {}", env.queue);
    let s = Scheduler::start(
        &env,
        &[
            file.to_str().unwrap(),
            "--cron",
            "*/2 * * * * *",
            "--project",
            &devops,
            "--notify",
            &dead,
            "--notify-format",
            "slack",
        ],
    );
    wait_for(
        "two finished runs and an undeliverable notification",
        Duration::from_secs(50),
        || s.count("finished: completed") >= 2 && s.count("not delivered after 4 attempts") >= 1,
    );
    let (code, _, log) = s.term();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("not delivered after 4 attempts"), "{log}");
    assert!(!log.contains("catching up"), "{log}");
    // Restarted with --catch-up after a fire time passed: the missed time fires at once.
    std::thread::sleep(Duration::from_millis(2100));
    let s = Scheduler::start(
        &env,
        &[
            file.to_str().unwrap(),
            "--cron",
            "*/2 * * * * *",
            "--project",
            &devops,
            "--catch-up",
        ],
    );
    wait_for("the catch-up run", Duration::from_secs(20), || {
        s.count("fired ") >= 1
    });
    let (code, _, log) = s.term();
    assert_eq!(code, Some(0), "{log}");
    let first_fire = log.lines().position(|l| l.starts_with("fired ")).unwrap();
    let caught = log
        .lines()
        .position(|l| l.starts_with("catching up: "))
        .unwrap();
    assert!(caught < first_fire, "{log}");
}

#[test]
fn notify_shapes_on_pipeline_run_and_task_wait() {
    let env = Env::new("notify");
    env.base_tasks(&["one"]);
    let file = env.write(
        "p.toml",
        &(env.header("уведомление", "") + &env.step("one", &[], "")),
    );
    let _w = FastWorker::start(&env, |_, _| Act::Complete);
    let hook = Receiver::start(&[]);
    // A Slack-style URL: the token is its path, never printed.
    let secret_url = format!("{}/T0001/B0002/XyzSecretToken", hook.url);
    let out = env.run(&[
        "pipeline",
        "run",
        file.to_str().unwrap(),
        "--notify",
        &secret_url,
        "--notify-format",
        "slack",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let host = hook.url.trim_end_matches("/hook");
    assert!(err.contains(&format!("notified {host}/hook***")), "{err}");
    for part in ["XyzSecretToken", "T0001", "/hook/"] {
        assert!(!err.contains(part), "{part} printed: {err}");
    }
    let got = hook.got();
    assert_eq!(got.len(), 1);
    let text = got[0].1["text"].as_str().unwrap();
    assert_eq!(got[0].1.as_object().unwrap().len(), 1, "{got:?}");
    assert!(
        text.starts_with("pipeline 'уведомление' completed in "),
        "{text}"
    );
    let controller = env
        .pipeline_tasks()
        .into_iter()
        .find(|t| t["type"] == "controller")
        .unwrap();
    let id = controller["id"].as_str().unwrap();
    assert!(text.ends_with(&format!("/experiments/{id}")), "{text}");
    let out = env.run(&["task", "wait", id, "--notify", &hook.url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = hook.got();
    assert_eq!(got[1].1["event"], "clearml.task.wait");
    assert_eq!(got[1].1["tasks"][0]["id"], id);
    // --notify-format without --notify is a usage error.
    let out = env.run(&["task", "wait", id, "--notify-format", "slack"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn schedule_dry_run_prints_five_fire_times_and_creates_nothing() {
    let env = Env::new("scheddry");
    env.base_tasks(&["alpha"]);
    let file = env.write(
        "p.toml",
        &(env.header("dry", "") + &env.step("alpha", &[], "")),
    );
    let devops = format!("DevOps {}", env.queue);
    let out = env.run(&[
        "pipeline",
        "schedule",
        file.to_str().unwrap(),
        "--cron",
        "0 2 * * *",
        "--tz",
        "Europe/Moscow",
        "--project",
        &devops,
        "--dry-run",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = json_out(&out);
    let next = v["next"].as_array().unwrap();
    assert_eq!(next.len(), 5);
    for t in next {
        assert!(t.as_str().unwrap().ends_with("T02:00:00+03:00"), "{v}");
    }
    assert!(
        env.tasks_in(&format!("^{}$", regex_escape(&devops)))
            .is_empty()
    );
    let bad = env.run(&[
        "pipeline",
        "schedule",
        file.to_str().unwrap(),
        "--cron",
        "0 25 * * *",
        "--dry-run",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = env.run(&[
        "pipeline",
        "schedule",
        file.to_str().unwrap(),
        "--cron",
        "@daily",
        "--tz",
        "Марс/Олимп",
        "--dry-run",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--tz"));
    // A cron that parses but never fires (30 February) is refused by the dry run as by
    // the real schedule, and neither registers anything.
    for dry in [true, false] {
        let mut args = vec![
            "pipeline",
            "schedule",
            file.to_str().unwrap(),
            "--cron",
            "0 0 30 2 *",
            "--project",
            &devops,
        ];
        if dry {
            args.push("--dry-run");
        }
        let bad = env.run(&args);
        let err = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(2), "dry run {dry}: {err}");
        assert!(err.contains("'0 0 30 2 *' never fires"), "{err}");
        assert!(
            bad.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&bad.stdout)
        );
    }
    assert!(
        env.tasks_in(&format!("^{}$", regex_escape(&devops)))
            .is_empty()
    );
}

#[test]
fn tasks_ping_refreshes_last_update() {
    let env = Env::new("ping");
    let pid = env.api("projects.create", json!({"name": env.project}))["id"].clone();
    let id = env.api(
        "tasks.create",
        json!({"name": "svc", "type": "service", "project": pid}),
    )["id"]
        .clone();
    let before = env.api("tasks.get_by_id", json!({"task": id}))["task"]["last_update"].clone();
    std::thread::sleep(Duration::from_millis(20));
    env.api("tasks.ping", json!({"task": id}));
    let after = env.api("tasks.get_by_id", json!({"task": id}))["task"]["last_update"].clone();
    assert_ne!(before, after);
}

#[test]
fn stop_running_on_exit_stops_the_run_in_flight() {
    let env = Env::new("schedstop");
    env.base_tasks(&["forever"]);
    let file = env.write(
        "p.toml",
        &(env.header("halted", "") + &env.step("forever", &[], "")),
    );
    let _w = FastWorker::start(&env, |_, _| Act::Hang);
    let devops = format!("DevOps {}", env.queue);
    let s = Scheduler::start(
        &env,
        &[
            file.to_str().unwrap(),
            "--cron",
            "*/2 * * * * *",
            "--project",
            &devops,
            "--stop-running-on-exit",
        ],
    );
    wait_for("the step to run", Duration::from_secs(20), || {
        env.pipeline_tasks()
            .iter()
            .any(|t| t["name"] == "forever" && t["status"] == "in_progress")
    });
    let (code, took, log) = s.term();
    assert_eq!(code, Some(0), "{log}");
    assert!(took < Duration::from_secs(5), "{took:?}\n{log}");
    assert!(log.contains("run halted stopped"), "{log}");
    let tasks = env.pipeline_tasks();
    let get = |ty: &str| tasks.iter().find(|t| t["type"] == ty).unwrap().clone();
    assert_eq!(get("controller")["status"], "stopped");
    assert_eq!(get("training")["status"], "stopped");
}
