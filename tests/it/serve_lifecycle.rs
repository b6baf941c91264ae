//! `clearml server serve` as a process over several starts: the credentials block after a
//! failed first start, one server per data dir, ports kept across restarts, `--help`.

use crate::common::{ACCESS_KEY, SECRET_KEY, Serve, clearml, spawn_tied_to_process, stop_pid};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `server serve` on `data` with ports 0 and no key pair in the environment, stdout and
/// stderr to `out`/`err`; returns (pid, serve.json) once it is up.
fn start_without_keys(data: &Path, out: &Path, err: &Path) -> (u32, Value) {
    let serve_json = data.join("serve.json");
    let _ = std::fs::remove_file(&serve_json);
    let mut cmd = clearml(data.parent().unwrap());
    cmd.args(["server", "serve", "--api-port", "0", "--files-port", "0"])
        .args(["--web-port", "0", "--data-dir"])
        .arg(data)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::fs::File::create(err).unwrap());
    let pid = spawn_tied_to_process(cmd);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(&serve_json)
            && let Ok(v) = serde_json::from_str::<Value>(&text)
        {
            // serve.json is written just before the block is printed; the "serving" line
            // on stderr comes after it, whether or not a block is printed.
            crate::common::wait_until("the serving line", Duration::from_secs(10), || {
                std::fs::read_to_string(err).is_ok_and(|t| t.contains("clearml server serve: api"))
            });
            return (pid, v);
        }
        assert!(
            Instant::now() < deadline,
            "serve did not start: {}",
            std::fs::read_to_string(err).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stop a fixture server (its pid is in serve.json while it runs).
pub(crate) fn stop_serve(s: &Serve) {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(s.data_dir.join("serve.json")).unwrap())
            .unwrap();
    stop_pid(info["pid"].as_u64().unwrap() as u32);
}

/// Run a `clearml` command that is expected to exit on its own; a hang is a failure.
fn run_bounded(mut cmd: std::process::Command) -> (i32, String) {
    let err_file = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file.reopen().unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after 20 s (expected it to exit)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(err_file.path()).unwrap();
    (status.code().unwrap_or(-1), stderr)
}

fn login_status(api_url: &str, key: &str, secret: &str) -> u16 {
    client()
        .get(format!("{api_url}/auth.login"))
        .basic_auth(key, Some(secret))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn a_failed_first_start_still_prints_the_credentials_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port().to_string();
    let mut first = clearml(dir.path());
    first
        .args(["server", "serve", "--api-port", &busy_port])
        .args(["--files-port", "0", "--web-port", "0", "--data-dir"])
        .arg(&data);
    let (code, stderr) = run_bounded(first);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&busy_port), "{stderr}");
    drop(busy);

    // The retried start is the first to print the block: `serve > creds.txt` then
    // `clearml init --credentials creds.txt` works.
    let (out, err) = (dir.path().join("creds.txt"), dir.path().join("err1"));
    let (pid, info) = start_without_keys(&data, &out, &err);
    let api_url = info["api_url"].as_str().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let init = clearml(&home)
        .args(["init", "--non-interactive", "--credentials"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "init from the retried start's stdout failed: {}\nstdout was:\n{}",
        String::from_utf8_lossy(&init.stderr),
        std::fs::read_to_string(&out).unwrap()
    );
    let conf = std::fs::read_to_string(home.join("clearml.conf")).unwrap();
    assert!(
        conf.contains(info["access_key"].as_str().unwrap()),
        "{conf}"
    );
    assert!(conf.contains(api_url), "{conf}");
    // The printed pair logs in (init checks it too): it has reached its user.
    let printed = std::fs::read_to_string(&out).unwrap();
    let secret = printed
        .lines()
        .find(|l| l.contains("\"secret_key\""))
        .and_then(|l| l.split('"').nth(3))
        .unwrap_or_else(|| panic!("no secret_key in {printed}"));
    let key = info["access_key"].as_str().unwrap();
    assert_eq!(login_status(api_url, key, secret), 200);
    stop_pid(pid);

    // Used: the next start prints no secret, but says where the pair is.
    let (out2, err2) = (dir.path().join("out2"), dir.path().join("err2"));
    let (pid, _) = start_without_keys(&data, &out2, &err2);
    stop_pid(pid);
    assert_eq!(std::fs::read_to_string(&out2).unwrap(), "");
    let stderr = std::fs::read_to_string(&err2).unwrap();
    let cred_file = data.join("credentials.json");
    assert!(
        stderr.contains(&format!("credentials in {}", cred_file.display())),
        "{stderr}"
    );
}

#[test]
fn a_second_server_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = Serve::start_in(dir.path());
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("serve.json")).unwrap())
            .unwrap();
    let mut second = clearml(dir.path());
    second
        .args(["server", "serve", "--api-port", "0", "--files-port", "0"])
        .args(["--web-port", "0", "--data-dir"])
        .arg(dir.path())
        .env("CLEARML_API_ACCESS_KEY", ACCESS_KEY)
        .env("CLEARML_API_SECRET_KEY", SECRET_KEY);
    let (code, stderr) = run_bounded(second);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    for needle in [
        info["pid"].to_string(),
        dir.path().display().to_string(),
        s.api_url.clone(),
        "--data-dir".to_string(),
    ] {
        assert!(stderr.contains(&needle), "{needle} missing: {stderr}");
    }
    // The first server is untouched: its serve.json is still there and it still answers.
    let still: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("serve.json")).unwrap())
            .unwrap();
    assert_eq!(still["pid"], info["pid"]);
    assert_eq!(login_status(&s.api_url, ACCESS_KEY, SECRET_KEY), 200);
    stop_serve(&s);
}

#[test]
fn port_zero_restarts_reuse_the_last_ports_so_stored_file_urls_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let s = Serve::start_in(dir.path());
    let token: Value = client()
        .get(format!("{}/auth.login", s.api_url))
        .basic_auth(ACCESS_KEY, Some(SECRET_KEY))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = token["data"]["token"].as_str().unwrap().to_string();
    upload(&s, &token, "m/w.bin", b"kept".to_vec());
    // What a model's uri would hold.
    let stored_url = format!("{}/m/w.bin", s.files_url);
    let (api_url, files_url) = (s.api_url.clone(), s.files_url.clone());
    stop_serve(&s);

    let s = Serve::start_in(dir.path());
    assert_eq!(s.api_url, api_url);
    assert_eq!(s.files_url, files_url);
    let got = client()
        .get(&stored_url)
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().unwrap().as_ref(), b"kept");
    stop_serve(&s);

    // The old files port taken by someone else: a free one, and a warning naming the old URL.
    let port = files_url.rsplit(':').next().unwrap();
    let squatter = std::net::TcpListener::bind(format!("127.0.0.1:{port}")).unwrap();
    let s = Serve::start_in(dir.path());
    assert_ne!(s.files_url, files_url);
    let log = std::fs::read_to_string(dir.path().join("serve-test.log")).unwrap();
    assert!(
        log.contains("warning:") && log.contains(&files_url),
        "no warning about the moved file server:\n{log}"
    );
    stop_serve(&s);
    drop(squatter);
}

#[test]
fn serve_help_names_the_default_data_dir_and_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = clearml(dir.path())
        .args(["server", "serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "~/.local/share/clearml/serve",
        "$XDG_DATA_HOME/clearml/serve",
        "CLEARML_SERVE_DATA_DIR",
        "last run",
        "credentials.json",
    ] {
        assert!(
            help.contains(needle),
            "{needle} missing from --help:\n{help}"
        );
    }
}

#[test]
fn an_unused_key_pair_is_printed_on_every_start_until_it_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (key, secret) = ("UNUSEDKEY0123456789A", "unused-secret-0123456789abcdef");
    // As left by a start whose printed block never reached anyone who logged in with it.
    std::fs::write(
        data.join("credentials.json"),
        format!(r#"{{"access_key": "{key}", "secret_key": "{secret}", "used": false}}"#),
    )
    .unwrap();
    let block_line = format!("\"secret_key\" = \"{secret}\"");
    for round in 1..=2 {
        let (out, err) = (dir.path().join("out"), dir.path().join("err"));
        let (pid, info) = start_without_keys(&data, &out, &err);
        let printed = std::fs::read_to_string(&out).unwrap();
        assert!(printed.contains(&block_line), "start {round}: {printed}");
        if round == 2 {
            let api = info["api_url"].as_str().unwrap();
            assert_eq!(login_status(api, key, "wrong-secret"), 401);
            assert_eq!(login_status(api, key, secret), 200);
        }
        stop_pid(pid);
    }
    // Logged in once: from now on only where it is, never the secret.
    let (out, err) = (dir.path().join("out3"), dir.path().join("err3"));
    let (pid, _) = start_without_keys(&data, &out, &err);
    stop_pid(pid);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "");
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(stderr.contains("credentials in"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
}

/// Opening a file of an older layout rebuilds indexes and counts every scalar into its
/// buckets (seconds per million events): serve says so first instead of sitting silent,
/// and says it once.
#[test]
fn an_older_data_file_is_updated_once_with_a_line_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("старые-Daten-旧数据");
    std::fs::create_dir(&data).unwrap();
    let logs = |n: &str| {
        (
            dir.path().join(format!("out{n}")),
            dir.path().join(format!("err{n}")),
        )
    };
    let (out, err) = logs("1");
    let (pid, _) = start_without_keys(&data, &out, &err);
    stop_pid(pid);
    let db = data.join("clearml.sqlite");
    let version = |conn: &rusqlite::Connection| -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    };
    let current = {
        // As a build from before the scalar buckets left it.
        let conn = rusqlite::Connection::open(&db).unwrap();
        let current = version(&conn);
        conn.execute_batch("DROP TABLE scalar_buckets; PRAGMA user_version = 2;")
            .unwrap();
        current
    };
    assert!(current > 2, "layout {current}");
    let (out, err) = logs("2");
    let (pid, _) = start_without_keys(&data, &out, &err);
    stop_pid(pid);
    let stderr = std::fs::read_to_string(&err).unwrap();
    let line = format!("from layout 2 to {current}");
    assert!(stderr.contains("updating the database in"), "{stderr}");
    assert!(stderr.contains(&line), "{stderr}");
    assert!(stderr.contains(&data.display().to_string()), "{stderr}");
    assert_eq!(version(&rusqlite::Connection::open(&db).unwrap()), current);
    let (out, err) = logs("3");
    let (pid, _) = start_without_keys(&data, &out, &err);
    stop_pid(pid);
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(!stderr.contains("updating the database"), "{stderr}");
}

#[test]
fn a_data_dir_written_by_a_newer_clearml_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("данные-Daten-数据");
    std::fs::create_dir(&data).unwrap();
    let db = data.join("clearml.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE later_layout (x TEXT); PRAGMA user_version = 1000;")
            .unwrap();
    }
    let mut cmd = clearml(dir.path());
    cmd.args(["server", "serve", "--api-port", "0", "--files-port", "0"])
        .args(["--web-port", "0", "--data-dir"])
        .arg(&data)
        .env("CLEARML_API_ACCESS_KEY", ACCESS_KEY)
        .env("CLEARML_API_SECRET_KEY", SECRET_KEY);
    let (code, stderr) = run_bounded(cmd);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    for needle in [
        "written by a newer clearml",
        "schema 1000",
        "upgrade clearml",
        "--data-dir",
        &data.display().to_string(),
    ] {
        assert!(stderr.contains(needle), "{needle} missing: {stderr}");
    }
    // Refused before anything was changed: the newer layout and version are as they were.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1000);
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "no tables of this build were created");
}

/// A client that stops reading a download and closes its connection (the SDK does, now and
/// then) costs that connection only. Hyper writes with `writev`, which raises SIGPIPE on a
/// connection the peer has reset: the server must ignore SIGPIPE, or it dies with exit 141
/// mid-run (seen as the sync test's SDK download finding the file server gone, when the
/// binary still set SIGPIPE back to its default).
#[test]
fn downloads_closed_mid_way_never_take_the_server_down() {
    use std::io::{Read, Write};
    let s = Serve::start();
    let tok = crate::serve::token(&s);
    // Large enough that its answer is still being written when the client leaves.
    let size = 8 << 20;
    upload(&s, &tok, "abbruch/груз-大.bin", vec![42u8; size]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.pid())).unwrap();
    let ignored = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .unwrap();
    assert_ne!(
        ignored & (1 << (libc::SIGPIPE - 1)),
        0,
        "the server does not ignore SIGPIPE: {status}"
    );
    let addr = s.files_url.trim_start_matches("http://").to_string();
    let path = "/abbruch/%D0%B3%D1%80%D1%83%D0%B7-%E5%A4%A7.bin";
    for _ in 0..40 {
        let mut c = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            c,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {tok}\r\n\r\n"
        )
        .unwrap();
        let mut head = [0u8; 1024];
        let n = c.read(&mut head).unwrap();
        assert!(head[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &head[..n]);
        // Closed with unread bytes: the kernel answers the server's next write with a reset.
    }
    let whole = client()
        .get(format!("{}{path}", s.files_url))
        .bearer_auth(&tok)
        .send()
        .unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.bytes().unwrap().len(), size);
}

/// Store `bytes` as `object` on the file server of `s`.
fn upload(s: &Serve, token: &str, object: &str, bytes: Vec<u8>) {
    let part = reqwest::blocking::multipart::Part::bytes(bytes).file_name("f");
    let r = client()
        .post(format!("{}/", s.files_url))
        .bearer_auth(token)
        .multipart(reqwest::blocking::multipart::Form::new().part(object.to_string(), part))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "upload {object}");
}
