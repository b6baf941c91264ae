//! `clearml server users` on the Docker engine, with the stand-in API server of
//! `STANDIN_API=users` (tests/it/stack.rs): it loads the users file at start only, as the
//! real server does, and lets in only users listed in what it loaded. Every stored password
//! is checked with the server's own libraries and calls: pyhocon reads the file, and
//! `bcrypt.checkpw(password, b64decode(stored))` (apiserver/service_repo/auth/auth.py).
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Output, Stdio};

use crate::common;
use crate::stack::{StackTest, docker, rt, stderr, stdout};

/// The server's documented example (docs/apiserver.conf): plain passwords, plus a setting
/// and comments the edits must keep.
const EXAMPLE: &str = r#"# site settings: kept by every edit
auth {
    # Fixed users login credentials
    fixed_users {
        enabled: true
        pass_hashed: false
        users: [
            {
                username: "jane"
                password: "12345678"
                name: "Jane Doe"
            },
            {
                username: "john"
                password: "12345678"
                name: "John Doe"
            },
        ]
    }
}
cors.origins: "*"
"#;

const CHECK: &str = r#"
import base64, json, sys
import bcrypt
from pyhocon import ConfigFactory
conf = ConfigFactory.parse_file(sys.argv[1])
fu = conf.get("auth.fixed_users")
tries = json.loads(sys.argv[2])
out = {"enabled": fu.get("enabled"), "pass_hashed": fu.get("pass_hashed"),
       "cors": conf.get("cors.origins"), "users": {}}
for u in fu.get("users"):
    d = dict(u)
    # FixedUser(**user) takes these keys only.
    assert set(d) <= {"username", "password", "name", "company"}, d
    stored = base64.b64decode(d["password"].encode("ascii"))
    out["users"][d["username"]] = {
        "name": d["name"],
        "logs_in": [bcrypt.checkpw(p.encode(), stored) for p in tries.get(d["username"], [])],
    }
print(json.dumps(out))
"#;

fn conf(t: &StackTest) -> std::path::PathBuf {
    t.data.join("config/apiserver.conf")
}

/// The file as the server would read it; `tries` are passwords to check per user.
fn server_view(t: &StackTest, tries: serde_json::Value) -> serde_json::Value {
    let out = std::process::Command::new(common::python())
        .args(["-c", CHECK])
        .arg(conf(t))
        .arg(tries.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the server's libraries could not read the users (bcrypt and pyhocon come with 'make venv'): {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn users(t: &StackTest, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = t.cmd();
    cmd.args(["server", "users"])
        .args(args)
        .args(["--data-dir", t.data.to_str().unwrap()]);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    eprintln!(
        "$ clearml server users {}\n-> {:?}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        out.status.code(),
        stdout(&out),
        stderr(&out)
    );
    out
}

fn starts(t: &StackTest) -> usize {
    std::fs::read_to_string(t.data.join("logs/apiserver-starts"))
        .unwrap_or_default()
        .lines()
        .count()
}

/// service -> when its container last started.
fn started_at(t: &StackTest) -> HashMap<String, String> {
    let ids = t.containers();
    rt().block_on(async move {
        let d = docker();
        let mut m = HashMap::new();
        for (svc, id) in ids {
            let c = d
                .inspect_container(&id, None::<bollard::container::InspectContainerOptions>)
                .await
                .unwrap();
            m.insert(svc, c.state.unwrap().started_at.unwrap());
        }
        m
    })
}

/// The web app's login for fixed users: auth.login with Basic username:password.
fn login(t: &StackTest, user: &str, password: &str) -> u16 {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/auth.login", t.api_url()))
        .basic_auth(user, Some(password))
        .json(&serde_json::json!({}))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn stack_users_add_passwd_remove_hash_as_the_server_checks_and_restart_only_the_api() {
    let t = StackTest::new("users", false);
    std::fs::create_dir_all(t.data.join("config")).unwrap();
    std::fs::write(conf(&t), EXAMPLE).unwrap();
    let up = t.up(&["--env", "apiserver:STANDIN_API=users"]);
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));
    assert_eq!(starts(&t), 1);
    let before = started_at(&t);
    let (julia, julia_pw) = ("Юлия", "пароль 1:x");

    // Bad input: one line, the documented exit code, nothing written, nothing restarted.
    let long = "ü".repeat(37);
    for (args, stdin, code, says) in [
        (
            vec!["add", julia, "--password", "x"],
            None,
            2,
            "unexpected argument",
        ),
        (
            vec!["add", "a:b", "--password-stdin"],
            Some("pw\n"),
            2,
            "':'",
        ),
        (
            vec!["add", julia, "--password-stdin"],
            Some(long.as_str()),
            2,
            "72",
        ),
        (
            vec!["add", julia, "--password-stdin"],
            Some("\n"),
            2,
            "empty",
        ),
        (vec!["add", julia], None, 2, "--password-stdin"),
        (
            vec!["add", "jane", "--password-stdin"],
            Some("other\n"),
            2,
            "already exists",
        ),
        (
            vec!["passwd", "nobody", "--password-stdin"],
            Some("pw\n"),
            5,
            "no user nobody",
        ),
        (vec!["remove", "jane", "john"], None, 2, "every user"),
    ] {
        let out = users(&t, &args, stdin);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(conf(&t)).unwrap(), EXAMPLE);
    assert!(!t.data.join("config/apiserver.conf.bak").exists());
    assert_eq!(starts(&t), 1);
    assert_eq!(login(&t, julia, julia_pw), 401);

    let name = "Юлия Müller 张";
    let dry = users(&t, &["add", julia, "--name", name, "--dry-run"], None);
    assert_eq!(dry.status.code(), Some(0));
    assert!(stderr(&dry).contains("would add") && stderr(&dry).contains("2 plain password"));
    assert_eq!(std::fs::read_to_string(conf(&t)).unwrap(), EXAMPLE);

    let add = users(
        &t,
        &["add", julia, "--name", name, "--password-stdin"],
        Some(&format!("{julia_pw}\n")),
    );
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    assert!(
        stderr(&add).contains(&format!("{julia} logs in")),
        "{}",
        stderr(&add)
    );
    let text = std::fs::read_to_string(conf(&t)).unwrap();
    assert!(text.starts_with("# site settings: kept by every edit\nauth {\n    # Fixed users"));
    assert!(!text.contains("12345678") && !text.contains(julia_pw));
    assert_eq!(
        std::fs::read_to_string(t.data.join("config/apiserver.conf.bak")).unwrap(),
        EXAMPLE
    );
    assert_eq!(
        (
            mode(&conf(&t)),
            mode(&t.data.join("config/apiserver.conf.bak"))
        ),
        (0o600, 0o600)
    );
    let view = server_view(
        &t,
        serde_json::json!({"jane": ["12345678"], "john": ["12345678", "wrong"], julia: [julia_pw, "пароль 1"]}),
    );
    assert_eq!(view["enabled"], true);
    assert_eq!(view["pass_hashed"], true);
    assert_eq!(view["cors"], "*");
    assert_eq!(view["users"]["jane"]["logs_in"], serde_json::json!([true]));
    assert_eq!(
        view["users"]["john"]["logs_in"],
        serde_json::json!([true, false])
    );
    assert_eq!(
        view["users"][julia]["logs_in"],
        serde_json::json!([true, false])
    );
    assert_eq!(view["users"][julia]["name"], name);
    // Only the API server restarted, and it logged the new user in.
    assert_eq!(starts(&t), 2);
    let after = started_at(&t);
    for (svc, at) in &before {
        assert_eq!(
            svc == "apiserver",
            &after[svc] != at,
            "{svc}: {at} -> {}",
            after[svc]
        );
    }
    let logins = std::fs::read_to_string(t.data.join("logs/logins")).unwrap();
    assert!(
        logins.lines().any(|l| l == format!("{julia}:{julia_pw}")),
        "{logins}"
    );
    assert_eq!(login(&t, julia, julia_pw), 200);

    // The same request again (a rerun): nothing to write, no restart, the login still works.
    let again = users(
        &t,
        &["add", julia, "--name", name, "--password-stdin"],
        Some(julia_pw),
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains("already as asked") && stderr(&again).contains("logs in"));
    assert_eq!(starts(&t), 2);

    let pw = users(
        &t,
        &["passwd", "jane", "--password-stdin"],
        Some("новый-pw\r\n"),
    );
    assert_eq!(pw.status.code(), Some(0), "{}", stderr(&pw));
    let view = server_view(&t, serde_json::json!({"jane": ["новый-pw", "12345678"]}));
    assert_eq!(
        view["users"]["jane"]["logs_in"],
        serde_json::json!([true, false])
    );
    assert_eq!(starts(&t), 3);

    let list = users(&t, &["list", "--json"], None);
    assert_eq!(list.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["jane", "john", julia]);
    assert!(
        rows.iter()
            .all(|r| r["password"] == "bcrypt" && r["problem"].is_null()),
        "{rows:?}"
    );
    assert!(!stdout(&list).contains("JDJi"), "a hash was printed");

    let rm = users(&t, &["remove", "john"], None);
    assert_eq!(rm.status.code(), Some(0), "{}", stderr(&rm));
    assert_eq!(starts(&t), 4);
    assert_eq!(login(&t, "john", "12345678"), 401);
    let view = server_view(&t, serde_json::json!({}));
    assert!(view["users"].get("john").is_none() && view["users"].get(julia).is_some());
    assert_eq!(users(&t, &["remove", "john"], None).status.code(), Some(5));

    // Interrupted after the write, before the restart (Ctrl-C): list says so, and the rerun
    // restarts the API server.
    std::fs::write(conf(&t), std::fs::read(conf(&t)).unwrap()).unwrap();
    let list = users(&t, &["list"], None);
    assert!(
        stderr(&list).contains("has not loaded the latest change"),
        "{}",
        stderr(&list)
    );
    let rerun = users(&t, &["remove", "john"], None);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    assert_eq!(starts(&t), 5);
    assert_eq!(t.with_data(&["server", "down"]).status.code(), Some(0));
}
