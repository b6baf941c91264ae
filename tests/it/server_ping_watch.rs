//! `server ping --watch INTERVAL [--exit-on-fail]`: a health line per interval against
//! `clearml server serve`, and the exit code of the first failure once it is killed.

use crate::common::{Serve, clearml};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn ping_watch_prints_a_line_per_interval_and_exits_on_the_first_failure() {
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    s.write_conf(home.path());
    let mut child = clearml(home.path())
        .args([
            "server",
            "ping",
            "--watch",
            "1s",
            "--exit-on-fail",
            "--json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let t0 = Instant::now();
    for _ in 0..2 {
        let v: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["hosts"][0]["host"], "api");
    }
    // Two lines a second apart: the interval is kept, not a busy loop.
    assert!(
        t0.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t0.elapsed()
    );
    s.kill();
    let last: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(last["ok"], false, "{last}");
    assert!(lines.next().is_none());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3));

    // --exit-on-fail needs --watch; --watch under a second is refused.
    let out = clearml(home.path())
        .args(["server", "ping", "--exit-on-fail"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = clearml(home.path())
        .args(["server", "ping", "--watch", "100ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Issue 19 item 7: `server ping` with a wrong secret exits 4 with the server's reason
/// (the real server's 401/22, quirks/api-server-info-auth.json), not 0 without a version.
#[test]
fn ping_with_a_wrong_secret_exits_4_with_the_servers_reason() {
    let s = Serve::shared();
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let text = std::fs::read_to_string(&conf).unwrap().replace(
        crate::common::SECRET_KEY,
        "falsches-Geheimnis-неверный-0123456789",
    );
    std::fs::write(&conf, text).unwrap();
    let out = clearml(home.path())
        .args(["server", "ping"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("refused the credentials") && err.contains("invalid credentials"),
        "{err}"
    );
    assert!(
        !err.contains("falsches-Geheimnis"),
        "the secret was printed: {err}"
    );
}
