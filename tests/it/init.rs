//! `clearml init`: the wizard driven in a pseudo-terminal, the non-interactive mode's
//! inputs and exit codes, in-place updates that keep every other byte, and the real Python
//! SDK reading what `init` wrote.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use crate::common::{clearml, python_clean, run_sdk};

const KEY: &str = "INITKEY0123456789ABCDEFGHIJKLM";
const SECRET: &str = "init-secret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";

/// Non-interactive flags for a local server, the secret to come on stdin, no verification.
const LOCAL_FLAGS: [&str; 6] = [
    "--api-host",
    "http://localhost:8008",
    "--access-key",
    KEY,
    "--secret-key-stdin",
    "--no-verify",
];

fn ui_block(api: &str, web: &str, files: Option<&str>, key: &str, secret: &str) -> String {
    let files = files
        .map(|f| format!("  files_server: {f}\n"))
        .unwrap_or_default();
    format!(
        "api {{\n  # laptop\n  web_server: {web}\n  api_server: {api}\n{files}  credentials {{\n    \"access_key\" = \"{key}\"\n    \"secret_key\" = \"{secret}\"\n  }}\n}}\n"
    )
}

/// Run `clearml init` with `args` and `stdin` text.
fn init(home: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = clearml(home);
    cmd.arg("init")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Run `clearml init` with `args`, typing `secret` and Enter on stdin.
fn init_secret(home: &Path, args: &[&str], secret: &str, env: &[(&str, &str)]) -> Output {
    init(home, args, &format!("{secret}\n"), env)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The clearml.conf `init` wrote in `home`.
fn read_conf(home: &Path) -> String {
    std::fs::read_to_string(home.join("clearml.conf")).unwrap()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn missing_or_bad_input_exits_2_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("clearml.conf");
    /// (arguments, stdin, environment, the flag the error must name)
    type BadInput<'a> = (&'a [&'a str], &'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[BadInput] = &[
        (
            &["--api-host", "http://localhost:8008", "--no-verify"],
            "",
            &[],
            "--access-key",
        ),
        (
            &[
                "--api-host",
                "http://localhost:8008",
                "--access-key",
                KEY,
                "--no-verify",
            ],
            "",
            &[],
            "--secret-key-stdin",
        ),
        (
            &["--access-key", KEY, "--secret-key-stdin", "--no-verify"],
            "s3cret\n",
            &[],
            "--api-host",
        ),
        (
            &[
                "--api-host",
                "http://h:9000",
                "--access-key",
                KEY,
                "--secret-key-stdin",
                "--no-verify",
            ],
            "s3cret\n",
            &[],
            "--web-host",
        ),
        (
            &["--api-host", "ftp://h", "--access-key", KEY, "--no-verify"],
            "",
            &[("CLEARML_API_SECRET_KEY", "s3cret")],
            "--api-host",
        ),
        (
            &["--credentials", "-", "--no-verify"],
            "this is { not a block\n",
            &[],
            "--credentials",
        ),
        (
            &["--credentials", "-", "--secret-key-stdin", "--no-verify"],
            "",
            &[],
            "--secret-key-stdin",
        ),
        (&LOCAL_FLAGS, "", &[], "--secret-key-stdin: stdin was empty"),
        (
            &[
                "--api-host",
                "not a url",
                "--access-key",
                KEY,
                "--secret-key-stdin",
                "--no-verify",
            ],
            "s3cret\n",
            &[],
            "--api-host: 'not a url'",
        ),
        (
            &["--credentials", "/nonexistent/creds.txt", "--no-verify"],
            "",
            &[],
            "--credentials",
        ),
    ];
    for (args, stdin, env, flag) in cases {
        let out = init(home.path(), args, stdin, env);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(flag),
            "{args:?}: the error names {flag}: {err}"
        );
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: one line: {err}"
        );
        assert!(!conf.exists(), "{args:?} wrote a file");
        assert!(!err.contains("s3cret"), "{err}");
    }
    // Never prompts when stdin is not a terminal: it finished above instead of waiting.
}

#[test]
fn existing_file_needs_force_and_update_keeps_every_other_byte() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("clearml.conf");
    let head = "# My hand-written ClearML config\n// with a C++ style comment too\nsdk {\n    # keep me\n    development.default_output_uri: \"s3://bucket/models\"\n    storage.cache.default_base_dir: ~/.clearml/cache   // trailing\n    aws.s3 { key: \"AKIA\", secret: \"shh\", region: eu-west-1 }\n}\n\n";
    let api = "api {\n    # old server\n    api_server: http://old.example.com:8008\n    web_server: http://old.example.com:8080\n    files_server: http://old.example.com:8081\n    verify_certificate: false\n    credentials {\"access_key\": \"OLDKEY\", \"secret_key\": \"OLDSECRET\"}\n}";
    let tail = "  # after the block\n\nagent {\n    worker_name: \"gpu-box\"\n    package_manager: { type: pip, extra_index_url: [\"https://pypi.example.com/simple\", ] }\n    default_docker: { image: \"nvidia/cuda:11.8.0-runtime-ubuntu22.04\" }\n}\n";
    let original = format!("{head}{api}{tail}");
    std::fs::write(&conf, &original).unwrap();
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o644)).unwrap();

    let args = LOCAL_FLAGS;
    let out = init_secret(home.path(), &args, SECRET, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        original,
        "untouched without --force"
    );

    let mut forced = args.to_vec();
    forced.push("--force");
    let out = init_secret(home.path(), &forced, SECRET, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let updated = std::fs::read_to_string(&conf).unwrap();
    assert!(
        updated.starts_with(head),
        "bytes before the api block changed:\n{updated}"
    );
    assert!(
        updated.ends_with(tail),
        "bytes after the api block changed:\n{updated}"
    );
    let new_block = &updated[head.len()..updated.len() - tail.len()];
    assert!(
        new_block.starts_with("api {") && new_block.ends_with('}'),
        "{new_block}"
    );
    assert!(
        new_block.contains("api_server: http://localhost:8008\n"),
        "{new_block}"
    );
    assert!(
        new_block.contains("verify_certificate: false"),
        "other api settings kept: {new_block}"
    );
    assert!(!new_block.contains("OLDSECRET"));
    let bak = home.path().join("clearml.conf.bak");
    assert_eq!(std::fs::read_to_string(&bak).unwrap(), original);
    assert_eq!(mode(&conf), 0o600);
    assert_eq!(mode(&bak), 0o600);
    assert!(!stderr(&out).contains(SECRET));

    // The SDK reads the updated file: new api values, the user's other sections intact.
    let script = r#"
from clearml.config import config_obj
from clearml.backend_api import Session
print(Session.get_api_server_host(), Session.get_app_server_host(), Session.get_files_server_host())
print(config_obj.get("api.credentials.access_key"), config_obj.get("api.credentials.secret_key") == SECRET)
print(config_obj.get("api.verify_certificate"), config_obj.get("sdk.development.default_output_uri"))
print(config_obj.get("agent.worker_name"), config_obj.get("agent.package_manager.extra_index_url"))
"#
    .replace("SECRET", &format!("{SECRET:?}"));
    let sdk = run_sdk(&script, &conf, &[]);
    let lines: Vec<&str> = sdk.lines().collect();
    assert_eq!(
        lines[0],
        "http://localhost:8008 http://localhost:8080 http://localhost:8081"
    );
    assert_eq!(lines[1], format!("{KEY} True"));
    assert_eq!(lines[2], "False s3://bucket/models");
    assert_eq!(lines[3], "gpu-box ['https://pypi.example.com/simple']");
}

/// Every way of giving credentials without a terminal, read back by the SDK.
#[test]
fn sdk_reads_what_init_writes() {
    let dir = tempfile::tempdir().unwrap();
    struct Way {
        name: &'static str,
        args: Vec<String>,
        stdin: String,
        env: Vec<(&'static str, String)>,
        want: [&'static str; 3],
    }
    let creds_file = dir.path().join("creds.txt");
    std::fs::write(
        &creds_file,
        ui_block(
            "https://api.example.com",
            "https://app.example.com",
            None,
            KEY,
            SECRET,
        ),
    )
    .unwrap();
    let jupyter = format!(
        "%env CLEARML_WEB_HOST=http://10.0.0.5:8080\n%env CLEARML_API_HOST=http://10.0.0.5:8008\n%env CLEARML_FILES_HOST=http://10.0.0.5:8081\n%env CLEARML_API_ACCESS_KEY={KEY}\n%env CLEARML_API_SECRET_KEY={SECRET}\n"
    );
    let squashed = ui_block(
        "http://srv:30008",
        "http://srv:30080",
        Some("http://srv:30081"),
        KEY,
        SECRET,
    )
    .lines()
    .map(str::trim)
    .collect::<Vec<_>>()
    .join("   ");
    let ways = [
        Way {
            name: "flags + secret on stdin",
            args: vec![
                "--api-host".into(),
                "http://localhost:8008".into(),
                "--access-key".into(),
                KEY.into(),
                "--secret-key-stdin".into(),
            ],
            stdin: format!("{SECRET}\n"),
            env: vec![],
            want: [
                "http://localhost:8008",
                "http://localhost:8080",
                "http://localhost:8081",
            ],
        },
        Way {
            name: "UI block file without files_server",
            args: vec!["--credentials".into(), creds_file.display().to_string()],
            stdin: String::new(),
            env: vec![],
            want: [
                "https://api.example.com",
                "https://app.example.com",
                "https://files.example.com",
            ],
        },
        Way {
            name: "Jupyter %env lines on stdin",
            args: vec!["--credentials".into(), "-".into()],
            stdin: jupyter,
            env: vec![],
            want: [
                "http://10.0.0.5:8008",
                "http://10.0.0.5:8080",
                "http://10.0.0.5:8081",
            ],
        },
        Way {
            name: "Colab squashed block on stdin",
            args: vec!["--credentials".into(), "-".into()],
            stdin: squashed,
            env: vec![],
            want: ["http://srv:30008", "http://srv:30080", "http://srv:30081"],
        },
        Way {
            name: "secret from CLEARML_API_SECRET_KEY, web host given without scheme",
            args: vec![
                "--web-host".into(),
                "app.example.org".into(),
                "--access-key".into(),
                KEY.into(),
            ],
            stdin: String::new(),
            env: vec![("CLEARML_API_SECRET_KEY", SECRET.into())],
            want: [
                "https://api.example.org",
                "https://app.example.org",
                "https://files.example.org",
            ],
        },
        Way {
            name: "--secret-key on the command line",
            args: vec![
                "--api-host".into(),
                "http://h:8008".into(),
                "--web-host".into(),
                "http://h:8080/".into(),
                "--files-host".into(),
                "http://h:9999".into(),
                "--access-key".into(),
                KEY.into(),
                "--secret-key".into(),
                SECRET.into(),
            ],
            stdin: String::new(),
            env: vec![],
            want: ["http://h:8008", "http://h:8080", "http://h:9999"],
        },
    ];
    let mut confs: Vec<PathBuf> = Vec::new();
    for (i, way) in ways.iter().enumerate() {
        let home = dir.path().join(format!("home{i}"));
        std::fs::create_dir(&home).unwrap();
        let mut args: Vec<&str> = way.args.iter().map(String::as_str).collect();
        args.push("--no-verify");
        let env: Vec<(&str, &str)> = way.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = init(&home, &args, &way.stdin, &env);
        let err = stderr(&out);
        assert!(out.status.success(), "{}: {err}", way.name);
        assert!(!err.contains(SECRET), "{}: secret printed: {err}", way.name);
        assert_eq!(
            err.contains("visible") || err.contains("can see it"),
            way.name.contains("--secret-key on"),
            "{}: the argv warning: {err}",
            way.name
        );
        let conf = home.join("clearml.conf");
        assert_eq!(mode(&conf), 0o600, "{}", way.name);
        let text = std::fs::read_to_string(&conf).unwrap();
        assert!(text.contains("sdk {"), "{}: {text}", way.name);
        assert!(
            text.contains(&format!("api_server: {}\n", way.want[0])),
            "{}: URLs unquoted: {text}",
            way.name
        );
        confs.push(conf);
    }

    // One SDK process reads all of them (fresh config per file).
    let script = r#"
import sys
from pathlib2 import Path
import clearml.backend_config.defs as defs
import clearml.config as sdk_config
from clearml.backend_api.config import load
from clearml.backend_api import Session
for f in sys.argv[1:]:
    defs.LOCAL_CONFIG_FILES[:] = [f]
    cfg = load(Path(sdk_config.__file__).parent)
    print(Session.get_api_server_host(cfg), Session.get_app_server_host(cfg), Session.get_files_server_host(cfg),
          cfg.get("api.credentials.access_key"), cfg.get("api.credentials.secret_key") == SECRET)
"#
    .replace("SECRET", &format!("{SECRET:?}"));
    let mut cmd = python_clean();
    let out = cmd
        .arg("-c")
        .arg(&script)
        .args(&confs)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), ways.len(), "{text}");
    for (way, line) in ways.iter().zip(lines) {
        let want = format!("{} {} {} {KEY} True", way.want[0], way.want[1], way.want[2]);
        assert_eq!(line, want, "{}", way.name);
    }
}

/// What the SDK itself reads from a HOME (its own file list and merge order, no
/// CLEARML_CONFIG_FILE): the three hosts and the access key.
fn sdk_hosts_in_home(home: &Path) -> Vec<String> {
    const SCRIPT: &str = r#"
from pathlib2 import Path
import clearml.config as sdk_config
from clearml.backend_api.config import load
from clearml.backend_api import Session
cfg = load(Path(sdk_config.__file__).parent)
print(Session.get_api_server_host(cfg), Session.get_app_server_host(cfg),
      Session.get_files_server_host(cfg), cfg.get("api.credentials.access_key"))
"#;
    let mut cmd = python_clean();
    let out = cmd
        .arg("-c")
        .arg(SCRIPT)
        .env("HOME", home)
        .env("CLEARML_LOG_LEVEL", "WARNING")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// With a legacy ~/trains.conf, what `init` writes must be what the SDK then uses.
#[test]
fn with_a_legacy_trains_conf_the_sdk_uses_what_init_wrote() {
    let old = "api {\n  api_server: http://old:8008\n  web_server: http://old:8080\n  files_server: http://old:8081\n  credentials {\"access_key\": \"OLDKEY\", \"secret_key\": \"OLDSECRET\"}\n}\n";
    let args = [
        "--api-host",
        "http://new:8008",
        "--access-key",
        KEY,
        "--secret-key-stdin",
        "--no-verify",
        "--force",
    ];
    let want = vec![
        "http://new:8008".to_string(),
        "http://new:8080".to_string(),
        "http://new:8081".to_string(),
        KEY.to_string(),
    ];

    // Both files: the SDK merges clearml.conf over trains.conf, so clearml.conf is written.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("trains.conf"), old).unwrap();
    std::fs::write(
        home.path().join("clearml.conf"),
        "api { web_server: http://old:8080 }\n",
    )
    .unwrap();
    let out = init_secret(home.path(), &args, SECRET, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&home.path().join("clearml.conf").display().to_string()),
        "{}",
        stderr(&out)
    );
    assert_eq!(sdk_hosts_in_home(home.path()), want, "both files");
    assert!(!stderr(&out).contains("overrides"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(home.path().join("trains.conf")).unwrap(),
        old,
        "the legacy file is left alone"
    );
    let path = clearml(home.path())
        .args(["config", "path"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&path.stdout).trim(),
        home.path().join("clearml.conf").display().to_string()
    );

    // Only trains.conf: clearml-init's choice (the SDK reads it), with a warning.
    let home = tempfile::tempdir().unwrap();
    let legacy = home.path().join("trains.conf");
    std::fs::write(&legacy, old).unwrap();
    let out = init_secret(home.path(), &args, SECRET, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "warning: updating the legacy {}",
            legacy.display()
        )),
        "{err}"
    );
    assert!(!home.path().join("clearml.conf").exists());
    assert_eq!(sdk_hosts_in_home(home.path()), want, "trains.conf only");
}

/// What the SDK will not use after all (a CLEARML_* variable wins over the file) is said
/// right after writing.
#[test]
fn init_warns_when_the_environment_overrides_what_it_wrote() {
    let home = tempfile::tempdir().unwrap();
    // The flag beats the variable for init's input; the SDK will still use the variable.
    let args = [
        "--api-host",
        "http://new:8008",
        "--web-host",
        "http://new:8080",
        "--access-key",
        KEY,
        "--secret-key-stdin",
        "--no-verify",
    ];
    let env = [("CLEARML_WEB_HOST", "http://elsewhere:8080")];
    let out = init_secret(home.path(), &args, SECRET, &env);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "warning: env CLEARML_WEB_HOST overrides the api.web_server just written (http://elsewhere:8080)"
        ),
        "{err}"
    );
    assert!(!err.contains("api.api_server just written"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

// ------------------------------------------------------------------ the wizard in a pty

/// A `clearml init` session in a pseudo-terminal, with everything it printed kept.
struct Pty {
    session: expectrl::Session,
    seen: String,
}

/// Whether a thread of `pid` is in a `read` of a terminal (/proc/PID/task/*/syscall).
fn reading_a_terminal(pid: i32) -> bool {
    let read_syscall = if cfg!(target_arch = "aarch64") {
        "63"
    } else {
        "0"
    };
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        let Ok(call) = std::fs::read_to_string(task.path().join("syscall")) else {
            return false;
        };
        let mut fields = call.split_whitespace();
        if fields.next() != Some(read_syscall) {
            return false;
        }
        let Some(fd) = fields
            .next()
            .and_then(|h| u64::from_str_radix(h.trim_start_matches("0x"), 16).ok())
        else {
            return false;
        };
        std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).is_ok_and(|p| {
            let p = p.to_string_lossy();
            p.starts_with("/dev/pts/") || p == "/dev/tty"
        })
    })
}

impl Pty {
    fn spawn(home: &Path, args: &[&str]) -> Pty {
        let mut cmd = clearml(home);
        cmd.arg("init").args(args);
        Pty::run(cmd)
    }

    /// Like `spawn`, but with the terminal's echo on as in a person's shell (a fresh pty
    /// from expectrl starts with echo off).
    fn spawn_with_echo(home: &Path, args: &[&str]) -> Pty {
        let template = clearml(home);
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg("stty echo && exec \"$@\"")
            .arg("sh")
            .arg(crate::common::bin())
            .arg("init")
            .args(args);
        for (k, v) in template.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        Pty::run(cmd)
    }

    fn run(cmd: std::process::Command) -> Pty {
        let mut session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Pty {
            session,
            seen: String::new(),
        }
    }

    fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self
                .seen
                .push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => panic!("waiting for {text:?}: {e}\n--- so far:\n{}", self.seen),
        }
    }

    fn send_line(&mut self, line: &str) {
        self.session.send_line(line).unwrap();
    }

    /// Answer the hidden secret prompt. The prompt switches the terminal's echo off with a
    /// flush of pending input, so wait until it is reading before typing.
    fn type_secret(&mut self, secret: &str) {
        self.expect("Secret key (hidden)");
        self.wait_until_reading();
        self.send_line(secret);
    }

    /// Until the program is blocked reading its terminal: a prompt's set-up (echo off,
    /// which flushes pending input) is then done, and what is typed reaches it.
    fn wait_until_reading(&self) {
        let pid = self.session.get_process().pid().as_raw();
        crate::common::wait_until(
            "the program to read its terminal",
            Duration::from_secs(30),
            || reading_a_terminal(pid),
        );
    }

    /// Answer the access key and the hidden secret prompts.
    fn type_keys(&mut self, key: &str, secret: &str) {
        self.expect("Access key");
        self.send_line(key);
        self.type_secret(secret);
    }

    /// Say yes to the hosts shown.
    fn accept_hosts(&mut self) {
        self.expect("Use these hosts?");
        self.send_line("y");
    }

    /// Wait for the file to be written and for a clean exit; what was printed.
    fn finish_written(&mut self) -> String {
        self.expect("New configuration stored in");
        let (code, seen) = self.finish();
        assert_eq!(code, 0, "{seen}");
        seen
    }

    /// Paste lines with the terminal's own echo off, so the output shows only what
    /// `clearml` itself printed.
    fn paste(&mut self, text: &str) {
        self.session
            .get_process_mut()
            .set_echo(false, None)
            .unwrap();
        for line in text.lines() {
            self.session.send_line(line).unwrap();
        }
    }

    fn finish(&mut self) -> (i32, String) {
        if let Ok(found) = self.session.expect(expectrl::Eof) {
            self.seen
                .push_str(&String::from_utf8_lossy(found.as_bytes()));
        }
        let status = self.session.get_process().wait().unwrap();
        let code = match status {
            expectrl::WaitStatus::Exited(_, code) => code,
            other => panic!("init did not exit normally: {other:?}\n{}", self.seen),
        };
        (code, self.seen.clone())
    }
}

#[test]
fn wizard_asks_for_the_host_it_cannot_derive_and_writes_the_file() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(home.path(), &["--no-verify"]);
    pty.expect("paste here");
    // Custom ports and no files_server: clearml-init would give up; we ask.
    pty.paste(&ui_block(
        "http://127.0.0.1:30008",
        "http://127.0.0.1:30080",
        None,
        KEY,
        SECRET,
    ));
    pty.expect("Detected credentials");
    pty.expect("File server URL");
    pty.send_line("127.0.0.1:30081");
    pty.expect("Use these hosts?");
    // Edit them: keep the web and API hosts, change the file server.
    pty.send_line("n");
    pty.expect("Web app URL");
    pty.send_line("");
    pty.expect("API host URL");
    pty.send_line("");
    pty.expect("File server URL");
    pty.session.send("\x7f".repeat(40)).unwrap();
    pty.send_line("https://files.example.com/store");
    pty.expect("File store: https://files.example.com/store");
    pty.accept_hosts();
    let seen = pty.finish_written();
    assert!(
        seen.contains(&format!("key=\"{KEY}\" secret=\"init***\"")),
        "{seen}"
    );
    assert!(!seen.contains(SECRET), "the secret was printed:\n{seen}");
    let conf = home.path().join("clearml.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.contains("files_server: https://files.example.com/store\n"),
        "{text}"
    );
    assert!(
        text.contains("api_server: http://127.0.0.1:30008\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("\"secret_key\": \"{SECRET}\"")),
        "{text}"
    );
    assert_eq!(mode(&conf), 0o600);
}

#[test]
fn wizard_falls_back_to_typed_keys_and_asks_before_touching_an_existing_file() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("clearml.conf");
    std::fs::write(&conf, "sdk { x: 1 }\n").unwrap();

    // Declining leaves the file alone.
    let mut pty = Pty::spawn(home.path(), &["--no-verify"]);
    pty.expect("Replace its api section?");
    pty.send_line("n");
    pty.expect("nothing written");
    let (code, _) = pty.finish();
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "sdk { x: 1 }\n");

    // Accepting: an empty paste means typing the keys; the secret prompt is hidden.
    let mut pty = Pty::spawn(
        home.path(),
        &["--no-verify", "--api-host", "http://localhost:8008"],
    );
    pty.expect("Replace its api section?");
    pty.send_line("y");
    pty.expect("paste here");
    pty.send_line("");
    pty.type_keys(KEY, SECRET);
    pty.expect("Detected credentials");
    pty.accept_hosts();
    let seen = pty.finish_written();
    assert!(!seen.contains(SECRET), "the secret was echoed:\n{seen}");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.starts_with("sdk { x: 1 }\napi {\n"), "{text}");
    assert!(
        text.contains("web_server: http://localhost:8080\n"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("clearml.conf.bak")).unwrap(),
        "sdk { x: 1 }\n"
    );
}

// ------------------------------------------------------------------ against a running server

/// The running shared server's three URLs (from its serve.json).
fn server_urls() -> (String, String, String) {
    let serve = crate::common::Serve::shared();
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(serve.data_dir.join("serve.json")).unwrap())
            .unwrap();
    let web = info["web_url"]
        .as_str()
        .expect("web_url in serve.json")
        .to_string();
    (serve.api_url.clone(), web, serve.files_url.clone())
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn non_interactive_verification_exit_codes_write_nothing() {
    use crate::common::{ACCESS_KEY, SECRET_KEY};
    let (api, web, files) = server_urls();
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("clearml.conf");
    let hosts = [
        "--api-host",
        api.as_str(),
        "--web-host",
        web.as_str(),
        "--files-host",
        files.as_str(),
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        hosts.iter().chain(extra).map(|s| s.to_string()).collect()
    };

    // Refused credentials: exit 4, nothing written, the secret not shown.
    let wrong = "wrong-secret_0123456789abcdefghijklmnopqrstuvwxyz";
    let args = with(&["--access-key", ACCESS_KEY, "--secret-key-stdin"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = init_secret(home.path(), &args, wrong, &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(!stderr(&out).contains(wrong), "{}", stderr(&out));
    assert!(!conf.exists());

    // Unreachable server: exit 3, nothing written.
    let port = closed_port();
    let dead = [
        "--api-host".to_string(),
        format!("http://127.0.0.1:{port}"),
        "--web-host".into(),
        "http://127.0.0.1:1".into(),
        "--files-host".into(),
        "http://127.0.0.1:2".into(),
        "--access-key".into(),
        ACCESS_KEY.into(),
        "--secret-key-stdin".into(),
    ];
    let dead: Vec<&str> = dead.iter().map(String::as_str).collect();
    let out = init_secret(home.path(), &dead, SECRET_KEY, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!conf.exists());

    // Right credentials: verified and written.
    let out = init_secret(home.path(), &args, SECRET_KEY, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Credentials verified"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(SECRET_KEY));
    assert!(conf.exists());
}

#[test]
fn wizard_verifies_against_the_server_and_the_sdk_logs_in_with_the_result() {
    use crate::common::{ACCESS_KEY, SECRET_KEY};
    let (api, web, files) = server_urls();
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(home.path(), &[]);
    pty.expect("paste here");
    pty.paste(&ui_block(&api, &web, Some(&files), ACCESS_KEY, SECRET_KEY));
    pty.accept_hosts();
    pty.expect("Credentials verified");
    let seen = pty.finish_written();
    assert!(
        !seen.contains(SECRET_KEY),
        "the secret was printed:\n{seen}"
    );

    // The real SDK reads the file and logs in to the server with it.
    let conf = home.path().join("clearml.conf");
    let script = r#"
from clearml.backend_api import Session
s = Session()
print(s.host, Session.get_app_server_host(), Session.get_files_server_host(), s.access_key)
print(bool(s.token))
"#;
    let sdk = run_sdk(script, &conf, &[]);
    let lines: Vec<&str> = sdk.lines().collect();
    assert_eq!(lines[0], format!("{api} {web} {files} {ACCESS_KEY}"));
    assert_eq!(lines[1], "True");
}

#[test]
fn wizard_wrong_secret_offers_a_retry_and_never_shows_the_secret() {
    use crate::common::{ACCESS_KEY, SECRET_KEY};
    let (api, web, files) = server_urls();
    let home = tempfile::tempdir().unwrap();
    let wrong = "wrong-secret_zyxwvutsrqponmlkjihgfedcba9876543210";
    let mut pty = Pty::spawn(home.path(), &[]);
    pty.expect("paste here");
    pty.paste(&ui_block(&api, &web, Some(&files), ACCESS_KEY, wrong));
    pty.accept_hosts();
    pty.expect("Could not verify the credentials");
    pty.expect("What now?");
    // The first choice, "Enter the keys again", is the default.
    pty.send_line("");
    pty.type_keys(ACCESS_KEY, SECRET_KEY);
    pty.expect("Credentials verified");
    let seen = pty.finish_written();
    assert!(
        !seen.contains(wrong),
        "the wrong secret was printed:\n{seen}"
    );
    assert!(
        !seen.contains(SECRET_KEY),
        "the secret was printed:\n{seen}"
    );
    assert!(
        seen.contains("wron***"),
        "the masked form is shown:\n{seen}"
    );
    let text = read_conf(home.path());
    assert!(text.contains(SECRET_KEY) && !text.contains(wrong), "{text}");

    // Quitting after a refusal writes nothing and exits 4.
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(home.path(), &[]);
    pty.expect("paste here");
    pty.paste(&ui_block(&api, &web, Some(&files), ACCESS_KEY, wrong));
    pty.accept_hosts();
    pty.expect("What now?");
    // Down four times to "Quit without writing".
    for _ in 0..4 {
        pty.session.send("\x1b[B").unwrap();
    }
    pty.send_line("");
    let (code, seen) = pty.finish();
    assert_eq!(code, 4, "{seen}");
    assert!(!home.path().join("clearml.conf").exists());
    assert!(!seen.contains(wrong), "{seen}");
}

#[test]
fn ctrl_c_at_the_hidden_prompt_exits_130_restores_echo_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn_with_echo(
        home.path(),
        &["--no-verify", "--api-host", "http://localhost:8008"],
    );
    pty.expect("paste here");
    let echo_before = pty.session.get_process().get_echo().unwrap();
    pty.send_line("");
    pty.expect("Access key");
    pty.send_line(KEY);
    pty.expect("Secret key (hidden)");
    pty.wait_until_reading();
    assert!(
        !pty.session.get_process().get_echo().unwrap(),
        "echo is off while the secret is typed"
    );
    pty.session.send([3u8]).unwrap();
    let (code, seen) = pty.finish();
    assert_eq!(code, 130, "{seen}");
    let echo_after = pty.session.get_process().get_echo().unwrap();
    assert!(echo_before, "the pty starts with echo on");
    assert_eq!(
        echo_after, echo_before,
        "the terminal's echo is as it was before the prompt"
    );
    assert!(!home.path().join("clearml.conf").exists());
}

#[test]
fn secret_key_stdin_at_a_terminal_is_not_echoed() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn_with_echo(home.path(), &LOCAL_FLAGS);
    pty.type_secret(SECRET);
    let seen = pty.finish_written();
    assert!(!seen.contains(SECRET), "the secret was echoed:\n{seen}");
    let text = read_conf(home.path());
    assert!(text.contains(SECRET), "{text}");
}

#[test]
fn target_follows_clearml_config_file_and_file_flag() {
    let home = tempfile::tempdir().unwrap();
    let chosen = home.path().join("sub").join("my.conf");
    let env = [("CLEARML_CONFIG_FILE", chosen.to_str().unwrap())];
    let args = LOCAL_FLAGS;
    let out = init_secret(home.path(), &args, SECRET, &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        chosen.is_file(),
        "written where CLEARML_CONFIG_FILE points (directory created)"
    );
    assert!(!home.path().join("clearml.conf").exists());
    let path = clearml(home.path())
        .args(["config", "path"])
        .env(env[0].0, env[0].1)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(path.stdout).unwrap().trim_end(),
        chosen.to_str().unwrap()
    );

    let other = home.path().join("other.conf");
    let mut with_file = args.to_vec();
    with_file.extend(["--file", other.to_str().unwrap()]);
    let out = init_secret(home.path(), &with_file, SECRET, &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(other.is_file());

    // `config dump` shows the file as read, the secret masked.
    let dump = clearml(home.path())
        .args(["config", "dump"])
        .env(env[0].0, env[0].1)
        .output()
        .unwrap();
    let text = String::from_utf8(dump.stdout).unwrap();
    assert!(text.contains("\"secret_key\": \"init***\""), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

/// D16: a web URL typed by hand (no paste, custom port) is asked for once; the API and
/// files hosts are asked next, and the typed URL stays the web host.
#[test]
fn wizard_asks_each_host_once_when_the_web_url_is_typed() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(home.path(), &["--no-verify"]);
    pty.expect("paste here");
    pty.send_line("");
    pty.type_keys(KEY, SECRET);
    pty.expect("Web app URL");
    pty.send_line("http://127.0.0.1:44839");
    pty.expect("API host URL");
    pty.send_line("http://127.0.0.1:44838");
    // The next question is the files host, not the web app again (it used to be).
    pty.expect("File server URL");
    pty.send_line("http://127.0.0.1:44840");
    pty.accept_hosts();
    let seen = pty.finish_written();
    // (Each prompt is drawn again with its answer, so count the second question's text.)
    assert!(!seen.contains("Web app URL (usually port 8080)"), "{seen}");
    let text = read_conf(home.path());
    for line in [
        "web_server: http://127.0.0.1:44839\n",
        "api_server: http://127.0.0.1:44838\n",
        "files_server: http://127.0.0.1:44840\n",
    ] {
        assert!(text.contains(line), "{line}{text}");
    }
}

/// D23: the prompt says the block ends at its closing brace (it does: the next question
/// follows at once), and a block with all three hosts gets no "cannot derive" note.
#[test]
fn wizard_paste_prompt_matches_how_the_block_ends() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn(home.path(), &["--no-verify"]);
    pty.expect("paste here (the block ends at its closing brace; Enter alone to type the keys)");
    pty.paste(&ui_block(
        "http://127.0.0.1:44838",
        "http://127.0.0.1:44839",
        Some("http://127.0.0.1:44840"),
        KEY,
        SECRET,
    ));
    // No extra Enter: the block's closing brace ended the paste.
    pty.accept_hosts();
    let seen = pty.finish_written();
    assert!(!seen.contains("cannot derive"), "{seen}");
    assert!(!seen.contains("empty line"), "{seen}");
}

/// D23: updating a file, the host questions offer the file's current hosts: Enter keeps them.
#[test]
fn wizard_offers_the_current_hosts_when_updating_a_file() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("clearml.conf");
    std::fs::write(
        &conf,
        "api {\n  web_server: http://old:30080\n  api_server: http://old:30008\n  files_server: http://old:30081\n  credentials {\"access_key\": \"OLDKEY\", \"secret_key\": \"OLDSECRET\"}\n}\n",
    )
    .unwrap();
    let mut pty = Pty::spawn(home.path(), &["--no-verify"]);
    pty.expect("Replace its api section?");
    pty.send_line("y");
    pty.expect("paste here");
    pty.send_line("");
    pty.type_keys(KEY, SECRET);
    for prompt in ["Web app URL", "API host URL", "File server URL"] {
        pty.expect(prompt);
        pty.send_line("");
    }
    pty.accept_hosts();
    pty.finish_written();
    let text = std::fs::read_to_string(&conf).unwrap();
    for line in [
        "web_server: http://old:30080\n",
        "api_server: http://old:30008\n",
        "files_server: http://old:30081\n",
        KEY,
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}
