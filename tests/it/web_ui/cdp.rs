//! A headless Chromium driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: JSON messages separated by NUL bytes on file descriptors 3
//! and 4), so the browser tests need no WebSocket client and no driver binary.

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The Chromium to drive: `CLEARML_TEST_CHROMIUM`, else `chromium` on PATH. Missing is a
/// failure, not a skip: `make test` installs it (Debian's `chromium` package).
pub fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CLEARML_TEST_CHROMIUM").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "no Chromium for the browser tests: `make test` installs Debian's chromium package \
         (apt-get install -y chromium), or set CLEARML_TEST_CHROMIUM to a chromium binary"
    );
}

pub struct Browser {
    child: Child,
    to_browser: std::fs::File,
    from_browser: Receiver<Value>,
    /// Events read while waiting for a reply, for `events`.
    pending: VecDeque<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

/// Move `fd` to a descriptor above 10 (so dup2 onto 3 or 4 never meets itself).
fn high(fd: i32) -> i32 {
    let moved = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
    assert!(moved >= 10, "fcntl F_DUPFD failed");
    unsafe { libc::close(fd) };
    moved
}

fn pipe() -> (i32, i32) {
    let mut fds = [0i32; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    (high(fds[0]), high(fds[1]))
}

impl Browser {
    /// Start headless Chromium (light or dark colour scheme) with a fresh profile and one
    /// page attached.
    pub fn start(width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (chrome_reads, we_write) = pipe();
        let (we_read, chrome_writes) = pipe();
        let mut cmd = Command::new(chromium());
        cmd.args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
            &format!("--window-size={width},{height}"),
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(chrome_reads, 3) < 0 || libc::dup2(chrome_writes, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start chromium");
        unsafe {
            libc::close(chrome_reads);
            libc::close(chrome_writes);
        }
        let to_browser = unsafe { std::fs::File::from_raw_fd(we_write) };
        let mut reader = unsafe { std::fs::File::from_raw_fd(we_read) };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            loop {
                let n = match reader.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|b| *b == 0) {
                    let msg: Vec<u8> = buf.drain(..=end).collect();
                    if let Ok(v) = serde_json::from_slice::<Value>(&msg[..msg.len() - 1])
                        && tx.send(v).is_err()
                    {
                        return;
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            to_browser,
            from_browser: rx,
            pending: VecDeque::new(),
            next_id: 0,
            session: String::new(),
            _profile: profile,
        };
        let target = b.browser_call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            b.call(domain, json!({}));
        }
        b
    }

    fn send(&mut self, method: &str, params: Value, session: bool) -> u64 {
        self.next_id += 1;
        let mut msg = json!({"id": self.next_id, "method": method, "params": params});
        if session {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .expect("write to chromium");
        self.next_id
    }

    fn wait_reply(&mut self, id: u64, method: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from_browser.recv_timeout(left) {
                Ok(v) if v["id"].as_u64() == Some(id) => {
                    assert!(v["error"].is_null(), "{method}: {}", v["error"]);
                    return v["result"].clone();
                }
                Ok(v) => self.pending.push_back(v),
                Err(RecvTimeoutError::Timeout) => panic!("chromium did not answer {method}"),
                Err(RecvTimeoutError::Disconnected) => panic!("chromium exited during {method}"),
            }
        }
    }

    fn browser_call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, false);
        self.wait_reply(id, method)
    }

    /// A DevTools command on the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, true);
        self.wait_reply(id, method)
    }

    /// Take every event received so far.
    pub fn events(&mut self) -> Vec<Value> {
        while let Ok(v) = self.from_browser.try_recv() {
            self.pending.push_back(v);
        }
        self.pending.drain(..).collect()
    }

    /// Wait for an event named `method`; the events before it are kept for `events`.
    pub fn wait_event(&mut self, method: &str, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        if let Some(i) = self.pending.iter().position(|e| e["method"] == method) {
            return self.pending.remove(i).unwrap();
        }
        let mut seen = Vec::new();
        let found = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from_browser.recv_timeout(left) {
                Ok(v) if v["method"] == method => break v,
                Ok(v) => seen.push(v),
                Err(_) => panic!("no {method} within {limit:?}"),
            }
        };
        self.pending.extend(seen);
        found
    }

    /// Open `url` and wait until the page has loaded.
    pub fn open(&mut self, url: &str) {
        self.events();
        let r = self.call("Page.navigate", json!({"url": url}));
        assert!(r["errorText"].is_null(), "navigate {url}: {r}");
        self.wait_event("Page.loadEventFired", Duration::from_secs(60));
    }

    /// Evaluate a JavaScript expression in the page; its JSON value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r["exceptionDetails"].is_null(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Errors the page reported since the last `events` call: exceptions, console.error,
    /// failed loads (as the browser's console shows them).
    pub fn console_errors(&mut self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e["method"].as_str()? {
                "Runtime.exceptionThrown" => Some(e["params"]["exceptionDetails"].to_string()),
                "Runtime.consoleAPICalled" if e["params"]["type"] == "error" => {
                    Some(e["params"]["args"].to_string())
                }
                "Log.entryAdded" if e["params"]["entry"]["level"] == "error" => {
                    Some(e["params"]["entry"].to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// Prefer a dark or light colour scheme (prefers-color-scheme).
    pub fn color_scheme(&mut self, dark: bool) {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": if dark { "dark" } else { "light" }}]}),
        );
    }

    /// A PNG of the page's viewport, written to `path`.
    pub fn screenshot(&mut self, path: &Path) {
        use base64::Engine;
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fills the web UI's login form on the page `b` shows with the test credentials, submits
/// it and waits for the page it lands on.
pub fn submit_login(b: &mut Browser) {
    use crate::common::{ACCESS_KEY, SECRET_KEY};
    b.eval(&format!(
        "document.getElementById('access_key').value = {ACCESS_KEY:?}; \
         document.getElementById('secret_key').value = {SECRET_KEY:?}; \
         document.querySelector('form.login').submit(); true"
    ));
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
}

/// Chromium logged in to the web UI at `web_url` through its login form, on /projects.
pub fn logged_in_browser(web_url: &str, width: u32, height: u32) -> Browser {
    let mut b = Browser::start(width, height);
    b.open(&format!("{web_url}/login?next=/projects"));
    submit_login(&mut b);
    assert_eq!(b.eval("location.pathname"), "/projects");
    b
}
