//! `cleanup --orphans`: files in the file server's folder that no task or model refers to
//! (left by a deletion that did not take its files, the web UI's, `task delete`'s or a
//! crashed upload's). The folder is walked on this machine: a `server serve` data dir
//! (`DIR/files`) or a `server up` data dir (`DIR/data/fileserver`).
//!
//! A file is kept when its URL is an artifact's or a model's, when a folder on its path is
//! named after a task or model that still exists (`<name>.<id>`, the SDK's layout, which
//! covers debug images and uploads not yet registered), or when it changed within the last
//! hour (an upload in flight). Everything else is an orphan; nothing on the server refers
//! to it, so deleting it needs no journal.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::api::Client;
use crate::config::Settings;
use crate::error::CliError;

/// Files changed more recently than this are never orphans (an upload in flight).
pub const MIN_AGE: Duration = Duration::from_secs(3600);

/// A file found in the folder: its path relative to the folder ('/'-separated), size, age.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub path: String,
    pub bytes: u64,
    pub modified: Option<SystemTime>,
}

/// The file server's folder for `--data-dir DIR` (or, without it, the local `serve` data
/// dir whose file server is the configured one). A serve data dir of another server than
/// the configured one is refused: its files would be judged by the wrong references.
pub fn folder(data_dir: Option<&Path>, settings: &Settings) -> anyhow::Result<PathBuf> {
    let files_host = settings.files_host.value.trim_end_matches('/').to_string();
    let serve_files = |dir: &Path| -> Option<Result<PathBuf, String>> {
        let info = std::fs::read_to_string(dir.join("serve.json")).ok()?;
        let info: Value = serde_json::from_str(&info).ok()?;
        let url = info["files_url"]
            .as_str()?
            .trim_end_matches('/')
            .to_string();
        Some(if same_host(&url, &files_host) {
            Ok(dir.join("files"))
        } else {
            Err(url)
        })
    };
    let Some(dir) = data_dir else {
        // Read here, not by clap: the variable alone must not imply --orphans.
        let dir = std::env::var_os("CLEARML_SERVE_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(crate::serve::default_data_dir);
        return match serve_files(&dir) {
            Some(Ok(f)) => Ok(f),
            _ => Err(CliError::usage(
                "--orphans needs the file server's data dir: the configured file server is not the local 'server serve'",
            )
            .with_hint(
                "pass --data-dir DIR (a 'server serve' data dir, or the 'server up' data dir, e.g. /opt/clearml)",
            )
            .into()),
        };
    };
    if let Some(found) = serve_files(dir) {
        return found.map_err(|url| {
            CliError::usage(format!(
                "{} belongs to the server with file server {url}, not the configured {files_host}",
                dir.display()
            ))
            .with_hint("use the clearml.conf of that server (--config), or its own data dir")
            .into()
        });
    }
    let stack = dir.join("data/fileserver");
    if stack.is_dir() {
        return Ok(stack);
    }
    Err(CliError::not_found(format!(
        "no file server folder in {}: expected DIR/files with DIR/serve.json ('server serve') or DIR/data/fileserver ('server up')",
        dir.display()
    ))
    .into())
}

/// Two URLs of the same server: equal, or equal once `localhost` is `127.0.0.1`.
fn same_host(a: &str, b: &str) -> bool {
    let norm = |u: &str| u.replace("://localhost", "://127.0.0.1");
    norm(a) == norm(b)
}

/// Every file under `root` (symbolic links are not followed), sorted by path.
pub fn walk(root: &Path) -> anyhow::Result<Vec<Found>> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if d == root => {
                return Err(anyhow::Error::new(e).context(format!("cannot read {}", d.display())));
            }
            Err(_) => continue,
        };
        for e in entries.flatten() {
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                dirs.push(e.path());
            } else if meta.is_file() {
                let Ok(rel) = e.path().strip_prefix(root).map(Path::to_path_buf) else {
                    continue;
                };
                let Some(rel) = rel.to_str() else { continue };
                out.push(Found {
                    path: rel.replace('\\', "/"),
                    bytes: meta.len(),
                    modified: meta.modified().ok(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// What the server refers to: file paths (of this file server) and task and model ids.
#[derive(Debug, Default)]
pub struct References {
    pub paths: HashSet<String>,
    pub ids: HashSet<String>,
}

/// Read every task (archived and hidden ones too) and model of the server.
pub async fn references(
    client: &Client,
    path_of: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<References> {
    let mut r = References::default();
    let tasks = client
        .get_all(
            "tasks.get_all",
            &json!({"only_fields": ["id", "execution.artifacts"], "search_hidden": true}),
            "tasks",
            None,
        )
        .await?;
    for t in &tasks {
        if let Some(id) = t["id"].as_str() {
            r.ids.insert(id.to_string());
        }
        for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
            if let Some(p) = a["uri"].as_str().and_then(&path_of) {
                r.paths.insert(p);
            }
        }
    }
    let models = client
        .get_all(
            "models.get_all",
            &json!({"only_fields": ["id", "uri"]}),
            "models",
            None,
        )
        .await?;
    for m in &models {
        if let Some(id) = m["id"].as_str() {
            r.ids.insert(id.to_string());
        }
        if let Some(p) = m["uri"].as_str().and_then(&path_of) {
            r.paths.insert(p);
        }
    }
    Ok(r)
}

/// Why `f` is not an orphan, or None when it is one.
pub fn keep_reason(f: &Found, refs: &References, now: SystemTime) -> Option<&'static str> {
    if refs.paths.contains(&f.path) {
        return Some("referred to by an artifact or a model");
    }
    let dirs = f.path.split('/').rev().skip(1);
    let owner_exists = dirs
        .map(|seg| seg.rsplit_once('.').map_or(seg, |(_, id)| id))
        .any(|id| refs.ids.contains(id));
    if owner_exists {
        return Some("in the folder of a task or model that exists");
    }
    let recent = f
        .modified
        .and_then(|m| now.duration_since(m).ok())
        .is_none_or(|age| age < MIN_AGE);
    if recent {
        return Some("changed within the last hour (an upload may be going on)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_are_files_nothing_owns_or_refers_to() {
        let refs = References {
            paths: ["Проект/loose/model.bin".to_string()].into(),
            ids: ["0123456789abcdef0123456789abcdef".to_string()].into(),
        };
        let old = Some(SystemTime::now() - Duration::from_secs(7200));
        let f = |p: &str, modified| Found {
            path: p.into(),
            bytes: 1,
            modified,
        };
        let now = SystemTime::now();
        // Referred to, in a living task's folder, recent: kept.
        assert!(keep_reason(&f("Проект/loose/model.bin", old), &refs, now).is_some());
        assert!(
            keep_reason(
                &f(
                    "P/train.0123456789abcdef0123456789abcdef/metrics/m/v/x.png",
                    old
                ),
                &refs,
                now
            )
            .is_some()
        );
        assert!(keep_reason(&f("P/gone.ffff/a.bin", Some(now)), &refs, now).is_some());
        // A deleted task's folder, a stray file: orphans. The id must be a folder, not
        // the file name.
        assert_eq!(
            keep_reason(
                &f("P/train.ffffffffffffffffffffffffffffffff/a.bin", old),
                &refs,
                now
            ),
            None
        );
        assert_eq!(
            keep_reason(&f("P/x.0123456789abcdef0123456789abcdef", old), &refs, now),
            None
        );
    }

    #[test]
    fn the_walk_skips_links_and_names_paths_from_the_root() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/б")).unwrap();
        std::fs::write(d.path().join("a/б/f.txt"), b"abc").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("a/link")).unwrap();
        let found = walk(d.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "a/б/f.txt");
        assert_eq!(found[0].bytes, 3);
    }
}
