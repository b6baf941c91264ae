//! Faults a person meets: a server down, 5xx bursts, 429, a stall, a reset or a short body
//! mid-download, a full disk, Ctrl-C. Each ends in one line on stderr with a documented exit
//! code, nothing half-written under a final name, and in bounded time.
//!
//! The API and file servers below are mocks only for what `clearml server serve` cannot be
//! made to do (answer 503/429, stall, reset, cut a body); the rest runs against `serve`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{self, ACCESS_KEY, SECRET_KEY, Serve};

/// What the mock API does with one request (after `auth.login`, which always succeeds).
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Answer with this status and an HTML body (a proxy's page), optionally Retry-After.
    Status(u16, Option<u64>),
    /// Read the request, never answer.
    Stall,
}

fn jwt() -> String {
    use base64::Engine;
    let far = chrono::Utc::now().timestamp() + 86400;
    let claims = format!(
        r#"{{"identity":{{"user":"u","company":"c"}},"iat":1,"exp":{far},"api_version":"2.23"}}"#
    );
    format!(
        "h.{}.s",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)
    )
}

fn envelope(data: &str) -> String {
    format!(
        r#"{{"meta":{{"id":"x","trx":"x","endpoint":{{"name":"e","requested_version":"2.23","actual_version":"2.23"}},"result_code":200,"result_subcode":0,"result_msg":"OK","error_stack":null,"error_data":{{}}}},"data":{data}}}"#
    )
}

/// Reads one request (head and Content-Length body); returns its path.
fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut req = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        req.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&req).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if req.len() >= end + 4 + len {
                return Some(text.split_whitespace().nth(1).unwrap_or("").to_string());
            }
        }
    }
}

/// A mock API: logs anyone in, answers other calls with the next fault of `faults`, then
/// with empty listings. Records the paths it was asked for and when.
/// The paths a mock was asked for, with when.
type Calls = Arc<Mutex<Vec<(String, Instant)>>>;

fn fault_api(faults: Vec<Fault>) -> (String, Calls) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut faults = faults.into_iter();
        for stream in listener.incoming() {
            let mut s = stream.unwrap();
            let Some(path) = read_request(&mut s) else {
                continue;
            };
            log.lock().unwrap().push((path.clone(), Instant::now()));
            let fault = if path == "/auth.login" {
                None
            } else {
                faults.next()
            };
            let (status, extra, body) = match fault {
                Some(Fault::Stall) => {
                    // keep the connection open, unanswered, until the client goes
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 1024];
                        while s.read(&mut buf).is_ok_and(|n| n > 0) {}
                    });
                    continue;
                }
                Some(Fault::Status(code, after)) => (
                    code,
                    after
                        .map(|a| format!("Retry-After: {a}\r\n"))
                        .unwrap_or_default(),
                    format!("<html><body>{code}</body></html>"),
                ),
                None if path == "/auth.login" => (
                    200,
                    String::new(),
                    envelope(&format!(r#"{{"token":"{}"}}"#, jwt())),
                ),
                None => (
                    200,
                    String::new(),
                    envelope(r#"{"tasks":[],"models":[],"projects":[],"users":[]}"#),
                ),
            };
            let resp = format!(
                "HTTP/1.1 {status} X\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    (url, seen)
}

/// A home whose clearml.conf points at `api` (and `files`), with the test key pair.
fn home_for(api: &str, files: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("clearml.conf"),
        format!(
            "api {{\n  api_server: \"{api}\"\n  web_server: \"{api}\"\n  files_server: \"{files}\"\n  credentials {{\"access_key\": \"{ACCESS_KEY}\", \"secret_key\": \"{SECRET_KEY}\"}}\n}}\n"
        ),
    )
    .unwrap();
    dir
}

fn run(home: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let started = Instant::now();
    let mut cmd = common::clearml(home);
    cmd.args(args)
        .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out, started.elapsed())
}

/// The one line of stderr (asserting there is exactly one).
fn one_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "not one line on stderr: {err:?} ({out:?})");
    lines[0].to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_server_that_is_down_is_exit_3_at_once() {
    let api = format!("http://127.0.0.1:{}", free_port());
    let home = home_for(&api, &api);
    let (out, took) = run(home.path(), &["task", "list"], &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let line = one_line(&out);
    assert!(line.contains("connection refused"), "{line}");
    // a refused connection is retried (3 times, 1.75 s of backoff), no more
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_burst_of_503_is_ridden_out_and_a_lasting_one_is_exit_3() {
    let (api, seen) = fault_api(vec![Fault::Status(503, None), Fault::Status(503, None)]);
    let home = home_for(&api, &api);
    let (out, _) = run(home.path(), &["task", "list", "--json"], &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    let calls: Vec<String> = seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
    assert_eq!(
        calls
            .iter()
            .filter(|p| p.ends_with("tasks.get_all_ex"))
            .count(),
        3,
        "{calls:?}"
    );

    let (api, _) = fault_api(vec![Fault::Status(502, None); 10]);
    let home = home_for(&api, &api);
    let (out, took) = run(home.path(), &["task", "list"], &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let line = one_line(&out);
    assert!(
        line.contains("unavailable (HTTP 502 Bad Gateway)"),
        "{line}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_500_burst_is_retried_for_a_listing() {
    let (api, _) = fault_api(vec![Fault::Status(500, None), Fault::Status(500, None)]);
    let home = home_for(&api, &api);
    let (out, _) = run(home.path(), &["model", "list", "--json"], &[]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_429_waits_for_its_retry_after() {
    let (api, seen) = fault_api(vec![Fault::Status(429, Some(2))]);
    let home = home_for(&api, &api);
    let (out, _) = run(home.path(), &["task", "list", "--json"], &[]);
    assert!(out.status.success(), "{out:?}");
    let seen = seen.lock().unwrap().clone();
    let calls: Vec<&(String, Instant)> = seen
        .iter()
        .filter(|(p, _)| p.ends_with("tasks.get_all_ex"))
        .collect();
    assert_eq!(calls.len(), 2, "{seen:?}");
    let waited = calls[1].1 - calls[0].1;
    assert!(waited >= Duration::from_millis(1900), "{waited:?}");
}

#[test]
fn a_stalled_server_times_out_at_the_request_timeout() {
    // flag, bare seconds
    let (api, seen) = fault_api(vec![Fault::Stall; 4]);
    let home = home_for(&api, &api);
    let (out, took) = run(
        home.path(),
        &["task", "list", "--request-timeout", "1.5"],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let line = one_line(&out);
    assert!(line.contains("timed out"), "{line}");
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(8),
        "{took:?}"
    );
    // a timeout is not repeated: the person's limit is the limit
    assert_eq!(seen.lock().unwrap().len(), 2, "{:?}", seen.lock().unwrap());

    // the environment, humantime form
    let (out, took) = run(
        home.path(),
        &["task", "list"],
        &[("CLEARML_REQUEST_TIMEOUT", "1s")],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");

    // a value that is not a duration is a usage error naming the flag
    for bad in ["soon", "0", "-3"] {
        let flag = format!("--request-timeout={bad}");
        let (out, _) = run(home.path(), &["task", "list", &flag], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--request-timeout"),
            "{out:?}"
        );
    }
}

#[test]
fn help_documents_the_request_timeout_and_its_variable() {
    let (out, _) = run(Path::new("/nonexistent"), &["--help"], &[]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--request-timeout"), "{help}");
    assert!(help.contains("CLEARML_REQUEST_TIMEOUT"), "{help}");
    let readme = include_str!("../../README.md");
    assert!(readme.contains("CLEARML_REQUEST_TIMEOUT"));
    assert!(readme.contains("--request-timeout"));
}

/// How a mock file server breaks every download.
#[derive(Clone, Copy)]
enum Break {
    /// Half the body, then a TCP reset.
    Reset,
    /// Half the body, then a clean close: shorter than its Content-Length.
    Short,
    /// Half the body, then silence (the connection stays open).
    Stall,
}

/// A file server that breaks each response the same way; tells when a request came in.
fn breaking_file_server(body: Vec<u8>, how: Break) -> (String, std::sync::mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/Faults/run.abc/models/weights.bin",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut s = stream.unwrap();
            if read_request(&mut s).is_none() {
                continue;
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body[..body.len() / 2]);
            let _ = s.flush();
            let _ = tx.send(());
            match how {
                Break::Reset => {
                    // SO_LINGER 0: close() sends RST
                    let linger = libc::linger {
                        l_onoff: 1,
                        l_linger: 0,
                    };
                    unsafe {
                        libc::setsockopt(
                            std::os::fd::AsRawFd::as_raw_fd(&s),
                            libc::SOL_SOCKET,
                            libc::SO_LINGER,
                            &linger as *const _ as *const libc::c_void,
                            std::mem::size_of::<libc::linger>() as u32,
                        );
                    }
                }
                Break::Short => {}
                Break::Stall => {
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_secs(60));
                        drop(s);
                    });
                    continue;
                }
            }
            drop(s);
        }
    });
    (url, rx)
}

/// A model in `serve` whose weights are at `uri`; returns its id.
fn model_at(serve: &Serve, uri: &str, size: usize) -> String {
    let http = reqwest::blocking::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/auth.login", serve.api_url))
        .basic_auth(ACCESS_KEY, Some(SECRET_KEY))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap().to_string();
    let call = |endpoint: &str, body: serde_json::Value| -> serde_json::Value {
        let v: serde_json::Value = http
            .post(format!("{}/{endpoint}", serve.api_url))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(v["meta"]["result_code"], 200, "{endpoint}: {v}");
        v["data"].clone()
    };
    let id = call(
        "models.create",
        serde_json::json!({"uri": uri, "name": "faulty", "ready": true}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        "models.add_or_update_metadata",
        serde_json::json!({"model": id, "metadata": [
            {"key": "size", "type": "int", "value": size.to_string()}]}),
    );
    id
}

fn shared_home() -> (tempfile::TempDir, &'static Serve) {
    let serve = Serve::shared();
    let dir = tempfile::tempdir().unwrap();
    serve.write_conf(dir.path());
    (dir, serve)
}

/// Nothing named `name` in `dir` but possibly its `.part` (kept to resume).
fn nothing_final(dir: &Path, name: &str) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n != name && (!n.starts_with(name) || n.starts_with(&format!("{name}.part")))),
        "{names:?}"
    );
}

#[test]
fn a_download_reset_or_cut_short_every_time_fails_cleanly() {
    let (home, serve) = shared_home();
    let body: Vec<u8> = (0..400_000u32).map(|i| (i % 251) as u8).collect();
    for (how, name) in [(Break::Reset, "reset.bin"), (Break::Short, "short.bin")] {
        let (url, _) = breaking_file_server(body.clone(), how);
        let model = model_at(serve, &url, body.len());
        let dest = home.path().join(name);
        let (out, took) = run(
            home.path(),
            &["model", "pull", &model, "-o", dest.to_str().unwrap()],
            &[],
        );
        let code = out.status.code();
        assert!(matches!(code, Some(1 | 3)), "{name}: {out:?}");
        let line = one_line(&out);
        assert!(line.contains("weights.bin"), "{name}: {line}");
        assert!(took < Duration::from_secs(25), "{name}: {took:?}");
        nothing_final(home.path(), name);
    }
}

#[test]
fn a_stalled_download_times_out_on_silence() {
    let (home, serve) = shared_home();
    let body = vec![9u8; 300_000];
    let (url, _) = breaking_file_server(body.clone(), Break::Stall);
    let model = model_at(serve, &url, body.len());
    let dest = home.path().join("stalled.bin");
    let (out, took) = run(
        home.path(),
        &[
            "model",
            "pull",
            &model,
            "-o",
            dest.to_str().unwrap(),
            "--request-timeout",
            "1",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let line = one_line(&out);
    assert!(line.contains("timed out"), "{line}");
    assert!(took < Duration::from_secs(25), "{took:?}");
    nothing_final(home.path(), "stalled.bin");
}

/// A tmpfs of `kib` KiB at a fresh mount point, unmounted on drop.
struct Tmpfs(PathBuf, #[allow(dead_code)] tempfile::TempDir);

impl Tmpfs {
    fn mount(kib: u32) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().join("small");
        std::fs::create_dir(&at).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&at)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "mounting a tmpfs failed: these tests run as root"
        );
        Tmpfs(at, dir)
    }

    /// Fill the file system, leaving about `free` bytes.
    fn fill(&self, free: usize) {
        let mut f = std::fs::File::create(self.0.join("filler")).unwrap();
        let chunk = vec![0u8; 1024];
        while f.write_all(&chunk).is_ok() {}
        drop(f);
        let filler = self.0.join("filler");
        let len = std::fs::metadata(&filler).unwrap().len();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&filler)
            .unwrap();
        f.set_len(len.saturating_sub(free as u64)).unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_while_writing_clearml_conf_loses_nothing() {
    let fs = Tmpfs::mount(64);
    let conf = fs.0.join("clearml.conf");
    let before = "api { api_server: \"http://localhost:8008\" }\n# Старые настройки\n";
    std::fs::write(&conf, before).unwrap();
    // room for the .bak copy (one page), none for the new file
    fs.fill(4096);
    let home = tempfile::tempdir().unwrap();
    let (out, took) = run(
        home.path(),
        &[
            "init",
            "--non-interactive",
            "--force",
            "--no-verify",
            "--file",
            conf.to_str().unwrap(),
            "--api-host",
            "http://localhost:8008",
            "--access-key",
            ACCESS_KEY,
            "-q",
        ],
        &[("CLEARML_API_SECRET_KEY", SECRET_KEY)],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let line = one_line(&out);
    assert!(line.contains("No space left"), "{line}");
    assert!(!line.contains(SECRET_KEY), "{line}");
    assert!(took < Duration::from_secs(10));
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(&fs.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "filler" && n != "clearml.conf" && n != "clearml.conf.bak")
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

#[test]
fn a_full_disk_while_pulling_a_model_leaves_no_final_file() {
    let (home, serve) = shared_home();
    let weights = home.path().join("w.bin");
    std::fs::write(&weights, vec![3u8; 300_000]).unwrap();
    let (out, _) = run(
        home.path(),
        &[
            "model",
            "publish",
            weights.to_str().unwrap(),
            "--name",
            "disk-full",
            "--project",
            "it-faults-disk",
        ],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let _ = serve;
    let fs = Tmpfs::mount(128);
    let dest = fs.0.join("w.bin");
    let (out, took) = run(
        home.path(),
        &["model", "pull", &id, "-o", dest.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let line = one_line(&out);
    assert!(line.contains("No space left"), "{line}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    nothing_final(&fs.0, "w.bin");
}

/// Spawn `clearml args` with piped output; SIGINT it once `ready` fires; its output.
fn interrupt_when(
    home: &Path,
    args: &[&str],
    ready: &std::sync::mpsc::Receiver<()>,
) -> (Output, Duration) {
    let child = common::clearml(home)
        .args(args)
        .env("CLEARML_API_SECRET_KEY", SECRET_KEY)
        .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    ready
        .recv_timeout(Duration::from_secs(20))
        .expect("the command reached the server");
    // The request can leave before the runtime first polls its Ctrl-C future: wait until
    // the process catches SIGINT.
    crate::common::wait_until("a SIGINT handler", Duration::from_secs(10), || {
        crate::common::catches_sigint(child.id())
    });
    let sent = Instant::now();
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    (out, sent.elapsed())
}

#[test]
fn ctrl_c_during_init_writes_nothing() {
    // the credentials check hangs on a server that never answers
    let stall_api = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut s = stream.unwrap();
                let _ = read_request(&mut s);
                let _ = tx.send(());
                std::thread::spawn(move || {
                    let mut buf = [0u8; 64];
                    while s.read(&mut buf).is_ok_and(|n| n > 0) {}
                });
            }
        });
        (url, rx)
    };
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("clearml.conf");
    let before = "# мой конфиг\napi { api_server: \"http://old:8008\" }\n";
    std::fs::write(&conf, before).unwrap();
    let (out, took) = interrupt_when(
        home.path(),
        &[
            "init",
            "--non-interactive",
            "--force",
            "--file",
            conf.to_str().unwrap(),
            "--api-host",
            &stall_api.0,
            "--web-host",
            "http://localhost:8080",
            "--files-host",
            "http://localhost:8081",
            "--access-key",
            ACCESS_KEY,
            "-q",
        ],
        &stall_api.1,
    );
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(one_line(&out), "interrupted");
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["clearml.conf"], "{names:?}");
}

#[test]
fn ctrl_c_during_model_pull_leaves_no_final_file() {
    let (home, serve) = shared_home();
    let body = vec![4u8; 500_000];
    let (url, ready) = breaking_file_server(body.clone(), Break::Stall);
    let model = model_at(serve, &url, body.len());
    let dest = home.path().join("pulled.bin");
    let (out, took) = interrupt_when(
        home.path(),
        &["model", "pull", &model, "-o", dest.to_str().unwrap()],
        &ready,
    );
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(one_line(&out), "interrupted");
    nothing_final(home.path(), "pulled.bin");
}

/// A file server that reads a request's first bytes, then closes its side (as a proxy
/// refusing a body over its size limit does): the uploader's later writes meet EPIPE.
fn closing_file_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut s = stream.unwrap();
            let mut first = [0u8; 1024];
            let _ = s.read(&mut first);
            let _ = s.shutdown(std::net::Shutdown::Write);
            std::thread::sleep(Duration::from_millis(50));
            drop(s);
        }
    });
    url
}

/// An upload whose file server closes the connection mid-body fails with the usual one
/// line, every time. With SIGPIPE at its default, hyper's `writev` into the closed socket
/// killed the process silently (exit 141, nothing on stderr) about one run in three.
#[test]
fn an_upload_the_file_server_closes_mid_way_fails_with_one_line() {
    let serve = Serve::shared();
    let files = closing_file_server();
    let home = home_for(&serve.api_url, &files);
    let weights = home.path().join("веса-大.bin");
    let body: Vec<u8> = (0..24u32 << 20).map(|i| (i % 253) as u8).collect();
    std::fs::write(&weights, body).unwrap();
    for round in 0..8 {
        let (out, _) = run(
            home.path(),
            &[
                "model",
                "publish",
                weights.to_str().unwrap(),
                "--project",
                "Abbruch Проект",
            ],
            &[],
        );
        assert!(
            matches!(out.status.code(), Some(1 | 3)),
            "round {round}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let error_line = err.lines().find(|l| l.starts_with("error: ")).unwrap_or("");
        assert!(error_line.contains(&files), "round {round}: {err}");
    }
}
