//! Shared fixtures: the built binary, a running `clearml server serve`, the Python SDK.

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_clearml"))
}

/// A `clearml` command with a clean environment: no user config, no CLEARML_* leaking in.
pub fn clearml(home: &Path) -> Command {
    let mut cmd = Command::new(bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARML_") || k.starts_with("TRAINS_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("HOME", home).env("NO_COLOR", "1");
    cmd
}

/// The SDK reports from a subprocess on Linux by default, which can deadlock a test's
/// short-lived script at exit: every conf an SDK task or model runs with sets this.
pub const SDK_NO_SUBPROCESS: &str = "sdk.development.report_use_subprocess: false\n";

/// Key pair the test servers are started with (CLEARML_API_ACCESS_KEY/SECRET_KEY at start).
pub const ACCESS_KEY: &str = "TESTACCESSKEY0123456789ABCDEFG";
pub const SECRET_KEY: &str = "test-secret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

/// A running built-in server on free loopback ports, killed when the test process exits.
pub struct Serve {
    pub data_dir: PathBuf,
    pub api_url: String,
    pub files_url: String,
    pub web_url: String,
    pid: u32,
    _dir: Option<tempfile::TempDir>,
}

impl Serve {
    /// One server shared by every test in this process (tests must use their own
    /// project names so they do not see each other's data).
    pub fn shared() -> &'static Serve {
        static SHARED: OnceLock<Serve> = OnceLock::new();
        SHARED.get_or_init(Serve::start)
    }

    /// A fresh server with its own data dir.
    pub fn start() -> Serve {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Serve::start_in(dir.path());
        s._dir = Some(dir);
        s
    }

    /// A fresh server with its own data dir and extra environment variables.
    pub fn start_with_env(env: &[(&str, &str)]) -> Serve {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Serve::start_in_with_env(dir.path(), env);
        s._dir = Some(dir);
        s
    }

    /// A server on an existing data dir (for restart tests).
    pub fn start_in(data_dir: &Path) -> Serve {
        Serve::start_in_with_env(data_dir, &[])
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// SIGKILL this server (no clean-up of any kind runs) and wait until it is gone.
    pub fn kill(&self) {
        unsafe {
            libc::kill(self.pid as i32, libc::SIGKILL);
        }
        stop_pid(self.pid);
    }

    /// A server on an existing data dir with extra environment variables.
    pub fn start_in_with_env(data_dir: &Path, env: &[(&str, &str)]) -> Serve {
        Serve::start_in_on(data_dir, env, 0)
    }

    /// A server on an existing data dir whose file server listens on `files_port` (0: the
    /// last run's port if free, else any).
    pub fn start_in_on(data_dir: &Path, env: &[(&str, &str)], files_port: u16) -> Serve {
        let files_port = files_port.to_string();
        let serve_json = data_dir.join("serve.json");
        let _ = std::fs::remove_file(&serve_json);
        let log = std::fs::File::create(data_dir.join("serve-test.log")).expect("log file");
        let mut cmd = clearml(data_dir);
        cmd.args([
            "server",
            "serve",
            "--api-port",
            "0",
            "--files-port",
            &files_port,
            "--web-port",
            "0",
            "--data-dir",
        ])
        .arg(data_dir)
        .env("CLEARML_API_ACCESS_KEY", ACCESS_KEY)
        .env("CLEARML_API_SECRET_KEY", SECRET_KEY)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
        let pid = spawn_tied_to_process(cmd);
        let deadline = Instant::now() + Duration::from_secs(30);
        let info: serde_json::Value = loop {
            if let Ok(text) = std::fs::read_to_string(&serve_json)
                && let Ok(v) = serde_json::from_str(&text)
            {
                break v;
            }
            if Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(data_dir.join("serve-test.log")).unwrap_or_default();
                panic!("clearml server serve did not write serve.json in 30 s; log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Serve {
            data_dir: data_dir.to_path_buf(),
            api_url: info["api_url"].as_str().expect("api_url").to_string(),
            files_url: info["files_url"].as_str().expect("files_url").to_string(),
            web_url: info["web_url"].as_str().expect("web_url").to_string(),
            pid,
            _dir: None,
        }
    }

    /// A clearml.conf for this server in `home`, written by hand (not by `init`); SDK
    /// processes can report with it (see [`SDK_NO_SUBPROCESS`]).
    pub fn write_conf(&self, home: &Path) -> PathBuf {
        let path = home.join("clearml.conf");
        let text = format!(
            "api {{\n  api_server: {}\n  web_server: {}\n  files_server: {}\n  credentials {{\"access_key\": \"{}\", \"secret_key\": \"{}\"}}\n}}\n{SDK_NO_SUBPROCESS}",
            self.api_url, self.api_url, self.files_url, ACCESS_KEY, SECRET_KEY
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Stop this server (SIGTERM) and wait for the process to go.
    pub fn stop(&self) {
        stop_pid(self.pid);
    }
}

/// SIGTERM a process we started and wait (10 s at most) until it has exited; a process
/// that ignores SIGTERM fails the test. Our children are reaped here, so an exited one
/// does not linger as a zombie that still answers kill(pid, 0).
pub fn stop_pid(pid: u32) {
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    let exited = || {
        let mut status = 0;
        match unsafe { libc::waitpid(pid as i32, &mut status, libc::WNOHANG) } {
            0 => false,                   // our child, still running
            r if r == pid as i32 => true, // our child, reaped now
            _ => match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                // not our child: gone, or a zombie waiting for its own parent
                Ok(stat) => stat
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
                Err(_) => true,
            },
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !exited() {
        assert!(
            Instant::now() < deadline,
            "pid {pid} ignored SIGTERM for 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Spawn a child that is SIGKILLed when the test process dies. PR_SET_PDEATHSIG fires when
/// the spawning *thread* exits, so children are spawned from one thread that never exits.
pub fn spawn_tied_to_process(mut cmd: Command) -> u32 {
    type Job = (Command, std::sync::mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::spawn(move || {
            let mut children = Vec::new();
            for (mut cmd, reply) in rx {
                let result = cmd.spawn();
                if let Ok(child) = &result {
                    children.push(child.id());
                }
                let _ = reply.send(result);
            }
        });
        Mutex::new(tx)
    });
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    spawner.lock().unwrap().send((cmd, tx)).unwrap();
    let child = rx.recv().unwrap().expect("spawn clearml");
    let pid = child.id();
    // The Child handle is dropped without waiting: the process lives on until killed.
    std::mem::forget(child);
    pid
}

/// The Python interpreter of the venv with the real `clearml` SDK (made by `make venv`).
/// A missing venv is a failure, not a skip: these tests are the compatibility referee.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("CLEARML_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        p.exists(),
        "{} missing: run `make venv` (creates .venv with the clearml SDK)",
        p.display()
    );
    p
}

/// The real clearml-agent from PyPI serving `queue`, installing nothing (the two
/// variables the README's worker section shows: the venv's Python runs every task), with
/// `home` as HOME and its log in `home/agent.log`; worker id `agent-<queue>`.
pub fn start_agent(home: &Path, conf: &Path, queue: &str) -> u32 {
    let agent = python().parent().unwrap().join("clearml-agent");
    assert!(
        agent.exists(),
        "{} missing: `make venv` installs clearml-agent",
        agent.display()
    );
    let mut cmd = Command::new(agent);
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARML_") || k.starts_with("TRAINS_") {
            cmd.env_remove(&k);
        }
    }
    let log = std::fs::File::create(home.join("agent.log")).unwrap();
    cmd.args(["daemon", "--queue", queue, "--foreground"])
        .env("HOME", home)
        .env("CLEARML_CONFIG_FILE", conf)
        .env("CLEARML_AGENT_SKIP_PYTHON_ENV_INSTALL", "1")
        .env("CLEARML_AGENT_SKIP_PIP_VENV_INSTALL", python())
        .env("CLEARML_AGENT_QUEUE_POLL_FREQ_SEC", "1")
        .env("CLEARML_AGENT_STATUS_REPORT_FREQ_SEC", "1")
        .env("CLEARML_WORKER_ID", format!("agent-{queue}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    spawn_tied_to_process(cmd)
}

/// Run a Python script with the SDK against a config file; returns stdout, panics with
/// stderr on failure.
pub fn run_sdk(script: &str, conf: &Path, extra_env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(python());
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARML_") || k.starts_with("TRAINS_") {
            cmd.env_remove(&k);
        }
    }
    let home = conf.parent().unwrap();
    if script.contains("Task.") || script.contains("OutputModel") {
        let text = std::fs::read_to_string(conf).unwrap_or_default();
        assert!(
            text.contains(SDK_NO_SUBPROCESS.trim()),
            "{} lacks {SDK_NO_SUBPROCESS:?}: an SDK task would report from a subprocess",
            conf.display()
        );
    }
    cmd.arg("-c")
        .arg(script)
        .env("CLEARML_CONFIG_FILE", conf)
        .env("HOME", home)
        .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"))
        .env("CLEARML_LOG_LEVEL", "WARNING");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "python failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A command for the SDK's Python with no CLEARML_*/TRAINS_* variable leaking in from
/// the test process (the caller sets HOME and what the case needs).
pub fn python_clean() -> Command {
    let mut cmd = Command::new(python());
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARML_") || k.starts_with("TRAINS_") {
            cmd.env_remove(&k);
        }
    }
    cmd
}

/// The first metric/variant entry of a task's `last_metrics` (tests that report one series).
pub fn first_last_metric(task: &serde_json::Value) -> serde_json::Value {
    task["last_metrics"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone()
}

/// Poll `f` every 20 ms until it holds; fail naming `what` after `limit`. Tests wait on
/// conditions, not on clocks.
pub fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child's output stream read as it comes, so a test can wait for a line and still
/// assert on everything at the end.
pub struct Collected {
    text: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Collected {
    pub fn new(mut pipe: impl std::io::Read + Send + 'static) -> Collected {
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = text.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Collected {
            text,
            reader: Some(reader),
        }
    }

    pub fn so_far(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// Wait until `needle` has appeared `times` times in total.
    pub fn wait_for(&self, needle: &str, times: usize, limit: Duration) {
        let what = format!("{times}x {needle:?} in the output");
        wait_until(&what, limit, || {
            self.so_far().matches(needle).count() >= times
        });
    }

    /// Everything, once the stream has ended (the child exited).
    pub fn finish(mut self) -> String {
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        self.so_far()
    }
}

/// Whether `pid` has a handler for SIGINT (the SigCgt mask of /proc/PID/status).
pub fn catches_sigint(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (libc::SIGINT - 1)) != 0)
}

/// The project's `../shared` reference folder (recordings of a real server, its API schema),
/// if it is here: `CLEARML_TEST_SHARED_DIR` names another one (then it must exist), else
/// `<repo>/../shared`. A clone without it runs on the copies under tests/data/ alone.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLEARML_TEST_SHARED_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("reference").is_dir(),
            "CLEARML_TEST_SHARED_DIR={} has no reference/ folder",
            dir.display()
        );
        return Some(dir);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("reference").is_dir().then_some(dir)
}

/// The repository's test data folder (tests/data/).
pub fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// A home with a clearml.conf for the shared server.
pub fn shared_home() -> (tempfile::TempDir, &'static Serve) {
    let serve = Serve::shared();
    let dir = tempfile::tempdir().unwrap();
    serve.write_conf(dir.path());
    (dir, serve)
}

/// Runs `clearml` with that home.
pub fn run(home: &Path, args: &[&str]) -> std::process::Output {
    clearml(home).args(args).output().expect("run clearml")
}

/// An outcome as a failed assertion shows it: exit code, stdout, stderr.
pub fn shown(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
