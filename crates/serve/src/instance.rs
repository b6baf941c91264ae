//! What ties one running server to its data dir: an exclusive lock (two servers on one
//! SQLite file and files folder would overwrite each other's serve.json and ports), and the
//! ports of the last run, reused when asked for port 0 so that the file URLs stored in
//! models and artifacts (which name the files port) stay valid across restarts.

use crate::Notices;
use crate::error::ServeError;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;
use tokio::net::TcpListener;

/// Held for the life of the process; the kernel drops the lock when the process ends,
/// however it ends, so a crash leaves no stale lock behind.
pub struct DataDirLock {
    _file: File,
}

/// Take the data dir's lock, or refuse with who holds it and what to do.
pub fn lock_data_dir(data_dir: &Path) -> anyhow::Result<DataDirLock> {
    let path = data_dir.join("serve.lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| ServeError::failure(format!("cannot open {} ({e})", path.display())))?;
    // SAFETY: flock on a descriptor we own; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(
                ServeError::failure(format!("cannot lock {} ({err})", path.display())).into(),
            );
        }
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let pid = holder.trim();
        let pid = if pid.is_empty() {
            "another process"
        } else {
            pid
        };
        let api = std::fs::read_to_string(data_dir.join("serve.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["api_url"].as_str().map(|u| format!(" (api {u})")))
            .unwrap_or_default();
        return Err(ServeError::failure(format!(
            "{} is already served by pid {pid}{api}: stop it or use another --data-dir",
            data_dir.display()
        ))
        .into());
    }
    // Ours now: record who holds it, for the message above.
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}", std::process::id())?;
    Ok(DataDirLock { _file: file })
}

/// The ports and files URL of the last successful start (`ports.json`).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LastRun {
    pub api_port: Option<u16>,
    pub files_port: Option<u16>,
    pub web_port: Option<u16>,
    pub files_url: Option<String>,
}

impl LastRun {
    fn path(data_dir: &Path) -> std::path::PathBuf {
        data_dir.join("ports.json")
    }

    /// The last run's record; nothing remembered when the file is missing or unreadable
    /// (it only steers port choice, so a damaged one is not worth refusing to start).
    pub fn load(data_dir: &Path) -> LastRun {
        std::fs::read_to_string(Self::path(data_dir))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, data_dir: &Path) -> anyhow::Result<()> {
        super::write_private_atomic(
            &Self::path(data_dir),
            serde_json::to_string_pretty(self)?.as_bytes(),
        )
    }
}

/// Bind `requested`; for port 0, first try the port this data dir used last time, and only
/// when it is taken fall back to a free one (with a warning: URLs naming it go stale).
pub async fn bind_preferring(
    host: &str,
    requested: u16,
    remembered: Option<u16>,
    what: &str,
    out: &Notices,
) -> anyhow::Result<TcpListener> {
    if requested == 0
        && let Some(port) = remembered.filter(|p| *p != 0)
    {
        match TcpListener::bind((host, port)).await {
            Ok(listener) => return Ok(listener),
            Err(e) => out.warn(format!(
                "port {port} of the {what}'s last run is not free ({e}); picking another one"
            )),
        }
    }
    bind(host, requested, what).await
}

async fn bind(host: &str, port: u16, what: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port)).await.map_err(|e| {
        ServeError::failure(format!(
            "cannot listen on {host}:{port} for the {what} ({e})"
        ))
        .with_hint(format!(
            "pick another port with --{}-port, or 0 for a free one",
            what.split(' ').next().unwrap_or(what)
        ))
        .into()
    })
}
