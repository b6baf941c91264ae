//! A known secret goes through every command (with -v and -vv), against `serve` and on error
//! paths, and must never come out: not on stdout or stderr (where log lines and panic
//! messages go), not in the server's log, not in the argument list of any process we run
//! or that runs below it while it works.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, ACCESS_KEY, SECRET_KEY, Serve};

/// A password in an API URL; must be masked like the secret key.
const URL_PASSWORD: &str = "UrlPa55-Geheimnis-пароль";
/// A secret the server refuses (error path): must not be echoed either.
const WRONG_SECRET: &str = "wrong-secret-Zq8Xv1Lm3Nb5Kc7Jd9Hf2Gs4";

/// Every /proc process whose parent is in `roots` (recursively), with its command line.
fn descendants(roots: &[u32]) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let mut parents: BTreeSet<u32> = roots.iter().copied().collect();
    // a few passes reach grandchildren
    for _ in 0..3 {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return found;
        };
        for entry in dir.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let ppid: u32 = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            if parents.contains(&ppid) && !found.iter().any(|(p, _)| *p == pid) {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                found.push((pid, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
                parents.insert(pid);
            }
        }
    }
    found
}

fn cmdline(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw).replace('\0', " ")
}

/// What one run showed: its output and every argument list seen while it ran.
struct Seen {
    text: String,
    argv: Vec<String>,
}

/// Runs `cmd` (stdin text given), watching its process tree and the server's; 60 s at most.
fn watch(mut cmd: Command, stdin: &str, serve_pid: u32) -> Seen {
    // the arguments only: the environment given to the child holds the secret
    let shown: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().to_string())
        .collect();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let mut argv = vec![cmdline(child.id())];
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        for (_, line) in descendants(&[child.id(), serve_pid]) {
            argv.push(line);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{shown:?} ran for over 60 s");
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let text = format!(
        "{shown:?} -> {status}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out_t.join().unwrap()),
        String::from_utf8_lossy(&err_t.join().unwrap())
    );
    Seen { text, argv }
}

/// Fails when any known secret, or a long piece of one, is in `text`.
fn assert_clean(what: &str, text: &str) {
    for secret in [SECRET_KEY, URL_PASSWORD, WRONG_SECRET] {
        let middle: String = secret.chars().skip(4).take(16).collect();
        assert!(
            !text.contains(secret) && !text.contains(&middle),
            "{what} shows a secret ({middle}...):\n{text}"
        );
    }
    assert!(!text.contains("panicked"), "{what} panicked:\n{text}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn no_command_shows_a_secret_anywhere() {
    let serve = Serve::start();
    let serve_pid = serve_pid(&serve);
    assert_clean("serve's own argv", &cmdline(serve_pid));
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    serve.write_conf(home);
    let weights = home.join("веса.bin");
    std::fs::write(&weights, vec![1u8; 5000]).unwrap();
    let base = |args: &[&str]| {
        let mut cmd = common::clearml(home);
        cmd.args(args)
            .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"));
        cmd
    };
    // data to show: a model and the selftest's task
    let out = base(&[
        "model",
        "publish",
        weights.to_str().unwrap(),
        "--project",
        "Секреты",
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    let model = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = base(&["server", "selftest"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = base(&["task", "list", "--json", "--all"]).output().unwrap();
    let tasks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let task = tasks[0]["id"].as_str().unwrap().to_string();
    let pulled = home.join("pulled.bin");
    let other_conf = home.join("other.conf");
    let creds = home.join("credentials.txt");
    std::fs::write(
        &creds,
        format!(
            "api {{\n  web_server: http://localhost:8080\n  api_server: {}\n  files_server: {}\n  credentials {{\n    \"access_key\" = \"{ACCESS_KEY}\"\n    \"secret_key\" = \"{SECRET_KEY}\"\n  }}\n}}\n",
            serve.api_url, serve.files_url
        ),
    )
    .unwrap();
    let refused = format!("http://127.0.0.1:{}", free_port());
    let with_password =
        serve
            .api_url
            .replacen("http://", &format!("http://someone:{URL_PASSWORD}@"), 1);

    // (arguments, extra environment, stdin)
    type Case<'a> = (Vec<String>, Vec<(&'a str, String)>, String);
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<String>>();
    let conf = other_conf.to_str().unwrap();
    let mut cases: Vec<Case> = vec![
        (s(&["config", "show"]), vec![], String::new()),
        (s(&["config", "show", "--json"]), vec![], String::new()),
        (s(&["config", "path"]), vec![], String::new()),
        (s(&["config", "dump"]), vec![], String::new()),
        (s(&["config", "dump", "--csv"]), vec![], String::new()),
        (s(&["server", "ping"]), vec![], String::new()),
        (s(&["server", "selftest"]), vec![], String::new()),
        (s(&["server", "status"]), vec![], String::new()),
        (s(&["server", "doctor"]), vec![], String::new()),
        (s(&["server", "render"]), vec![], String::new()),
        (s(&["server", "logs"]), vec![], String::new()),
        (s(&["task", "list"]), vec![], String::new()),
        (s(&["task", "list", "--json"]), vec![], String::new()),
        (s(&["task", "show", &task]), vec![], String::new()),
        (s(&["task", "compare", &task, &task]), vec![], String::new()),
        (
            s(&["task", "wait", &task, "--timeout", "5s"]),
            vec![],
            String::new(),
        ),
        (s(&["model", "list"]), vec![], String::new()),
        (s(&["model", "show", &model]), vec![], String::new()),
        (
            s(&["model", "pull", &model, "-o", pulled.to_str().unwrap()]),
            vec![],
            String::new(),
        ),
        (
            s(&[
                "model",
                "publish",
                weights.to_str().unwrap(),
                "--project",
                "Секреты",
            ]),
            vec![],
            String::new(),
        ),
        (s(&["completions", "bash"]), vec![], String::new()),
        // init, every non-interactive way of giving the secret
        (
            s(&[
                "init",
                "--non-interactive",
                "--force",
                "--file",
                conf,
                "--api-host",
                &serve.api_url,
                "--web-host",
                "http://localhost:8080",
                "--files-host",
                &serve.files_url,
                "--access-key",
                ACCESS_KEY,
                "--secret-key-stdin",
            ]),
            vec![],
            format!("{SECRET_KEY}\n"),
        ),
        (
            s(&[
                "init",
                "--non-interactive",
                "--force",
                "--file",
                conf,
                "--api-host",
                &serve.api_url,
                "--web-host",
                "http://localhost:8080",
                "--files-host",
                &serve.files_url,
                "--access-key",
                ACCESS_KEY,
            ]),
            vec![("CLEARML_API_SECRET_KEY", SECRET_KEY.to_string())],
            String::new(),
        ),
        (
            s(&[
                "init",
                "--non-interactive",
                "--force",
                "--file",
                conf,
                "--credentials",
                "-",
            ]),
            vec![],
            std::fs::read_to_string(&creds).unwrap(),
        ),
        // error paths: a refused secret, a host that is down, a password in the URL
        (
            s(&[
                "init",
                "--non-interactive",
                "--force",
                "--file",
                conf,
                "--api-host",
                &serve.api_url,
                "--web-host",
                "http://localhost:8080",
                "--files-host",
                &serve.files_url,
                "--access-key",
                ACCESS_KEY,
                "--secret-key-stdin",
            ]),
            vec![],
            format!("{WRONG_SECRET}\n"),
        ),
        (
            s(&["task", "list"]),
            vec![("CLEARML_API_SECRET_KEY", WRONG_SECRET.to_string())],
            String::new(),
        ),
        (
            s(&["task", "list", "--api-host", &refused]),
            vec![],
            String::new(),
        ),
        (
            s(&["server", "ping", "--api-host", &refused]),
            vec![],
            String::new(),
        ),
    ];
    for args in [
        vec!["task", "list"],
        vec!["config", "show"],
        vec!["config", "dump"],
        vec!["server", "ping"],
        vec!["model", "pull", &model, "-o", pulled.to_str().unwrap()],
    ] {
        cases.push((
            s(&args),
            vec![("CLEARML_API_HOST", with_password.clone())],
            String::new(),
        ));
    }
    let mut runs = 0;
    for (args, env, stdin) in &cases {
        for verbosity in [None, Some("-v"), Some("-vv")] {
            let mut cmd = base(&[]);
            cmd.args(args);
            if let Some(v) = verbosity {
                cmd.arg(v);
            }
            for (k, v) in env {
                cmd.env(k, v);
            }
            let seen = watch(cmd, stdin, serve_pid);
            assert_clean("output", &seen.text);
            for line in &seen.argv {
                assert_clean(&format!("a process's argv while {args:?} ran"), line);
            }
            runs += 1;
        }
    }
    assert_eq!(runs, cases.len() * 3);

    // `serve` itself, with the keys in its environment, verbose, for a moment
    let data = tempfile::tempdir().unwrap();
    let mut cmd = common::clearml(data.path());
    cmd.args([
        "server",
        "serve",
        "-vv",
        "--api-port",
        "0",
        "--files-port",
        "0",
    ])
    .args(["--web-port", "0", "--data-dir"])
    .arg(data.path())
    .env("CLEARML_API_ACCESS_KEY", ACCESS_KEY)
    .env("CLEARML_API_SECRET_KEY", SECRET_KEY)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !data.path().join("serve.json").exists() {
        assert!(Instant::now() < deadline, "serve did not start");
        for (_, line) in descendants(&[child.id()]) {
            assert_clean("a serve child's argv", &line);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_clean("serve's argv", &cmdline(child.id()));
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = child.wait_with_output().unwrap();
    assert_clean("serve -vv", &format!("{out:?}"));

    // the shared test server's log saw every request above
    let log = std::fs::read_to_string(serve.data_dir.join("serve-test.log")).unwrap();
    assert_clean("the server's log", &log);
}

/// The pid of a test server, from its serve.json or the process table.
fn serve_pid(serve: &Serve) -> u32 {
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(serve.data_dir.join("serve.json")).unwrap())
            .unwrap();
    if let Some(pid) = info["pid"].as_u64() {
        return pid as u32;
    }
    // fall back: the process whose argv names the data dir
    let dir = serve.data_dir.to_string_lossy().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .find(|pid| cmdline(*pid).contains("serve") && cmdline(*pid).contains(&dir))
        .expect("the serve process")
}
