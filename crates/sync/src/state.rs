//! The state file: which target object each source object became, and what of it was
//! copied, so a second run copies only what is new or changed and an interrupted run
//! goes on where it stopped.
//!
//! It is written whole, atomically (temp file + rename, mode 0600: it may sit beside a
//! clearml.conf), after every few objects; what a crash loses since the last write is
//! found again on the target by the source id each copy carries (see [`super::SYNC_TAG`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::SyncError;

/// Version of the file layout; a file of another version is refused, not misread.
const VERSION: u32 = 1;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// The source's API URL (or the archive's origin), for the person reading the file.
    pub source: String,
    pub target: String,
    /// Source id -> target id.
    #[serde(default)]
    pub projects: BTreeMap<String, String>,
    #[serde(default)]
    pub queues: BTreeMap<String, String>,
    #[serde(default)]
    pub tasks: BTreeMap<String, Copied>,
    #[serde(default)]
    pub models: BTreeMap<String, Copied>,
    /// Source file URL -> target file URL (files already copied).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// One copied object: its target id and, once a copy finished, what it was copied as.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Copied {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Done>,
}

/// The source object as last copied completely.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Done {
    /// Tasks: the source's `last_update`; models: a hash of the copied fields.
    pub version: String,
    #[serde(default)]
    pub status: String,
    /// Events of the task on the source when copied.
    #[serde(default)]
    pub events: u64,
}

impl State {
    pub fn new(source: &str, target: &str) -> State {
        State {
            version: VERSION,
            source: source.to_string(),
            target: target.to_string(),
            ..State::default()
        }
    }

    /// The state at `path`, or a fresh one when there is no file yet.
    pub fn load(path: &Path, source: &str, target: &str) -> anyhow::Result<State> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(State::new(source, target));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let state: State = serde_json::from_str(&text).map_err(|e| {
            SyncError::unusable(format!("{}: not a sync state file ({e})", path.display()))
                .with_hint("name another file with --state, or move this one away to start over")
        })?;
        let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
        if state.version == VERSION && !(same(&state.source, source) && same(&state.target, target))
        {
            // Another pair's id map would send this target's objects to the wrong ids.
            return Err(SyncError::unusable(format!(
                "{}: this sync state is for {} -> {}, not {source} -> {target}",
                path.display(),
                state.source,
                state.target
            ))
            .with_hint("leave out --state (each source and target pair has its own file), or name a new file")
            .into());
        }
        if state.version != VERSION {
            return Err(SyncError::unusable(format!(
                "{}: state file version {} (this clearml reads version {VERSION})",
                path.display(),
                state.version
            ))
            .with_hint("use the clearml that wrote it, or --state with a new file")
            .into());
        }
        Ok(state)
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_vec_pretty(self)?;
        clearml_config::edit::replace_private(path, &text)
            .with_context(|| format!("cannot write the sync state {}", path.display()))
    }
}

/// The default state file: beside the target's clearml.conf, one per source and target
/// pair (several sources can feed one target, and two targets' confs can share a folder):
/// `clearml-sync-<8 hex of the two URLs>.json`.
pub fn default_path(target_config: &Path, source: &str, target: &str) -> PathBuf {
    use md5::Digest;
    let pair = format!(
        "{}\n{}",
        source.trim_end_matches('/'),
        target.trim_end_matches('/')
    );
    let hash = hex::encode(md5::Md5::digest(pair.as_bytes()));
    let dir = target_config
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join(format!("clearml-sync-{}.json", &hash[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn saves_atomically_0600_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut s = State::load(&path, "http://a", "http://b").unwrap();
        s.tasks.insert(
            "src".into(),
            Copied {
                id: "dst".into(),
                done: Some(Done {
                    version: "2024".into(),
                    status: "completed".into(),
                    events: 7,
                }),
            },
        );
        s.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = State::load(&path, "http://a/", "http://b").unwrap();
        assert_eq!(back.tasks["src"], s.tasks["src"]);
        assert_eq!(back.source, "http://a");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "a temp file was left: {names:?}");
    }

    #[test]
    fn a_foreign_file_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "not json").unwrap();
        let err = State::load(&path, "a", "b").unwrap_err();
        assert!(
            err.chain().any(|e| matches!(
                e.downcast_ref::<crate::SyncError>(),
                Some(crate::SyncError::Unusable(_))
            )),
            "{err}"
        );
        std::fs::write(&path, r#"{"version": 99, "source": "", "target": ""}"#).unwrap();
        let err = State::load(&path, "a", "b").unwrap_err();
        assert!(clearml_error::one_line(&err).contains("version 99"));
    }

    #[test]
    fn default_path_sits_beside_the_config_and_differs_per_source_and_target() {
        let conf = Path::new("/x/clearml.conf");
        let a = default_path(conf, "http://a:8008", "http://t:8008");
        let b = default_path(conf, "http://b:8008/", "http://t:8008");
        let other_target = default_path(conf, "http://a:8008", "http://u:8008");
        assert_eq!(a.parent(), Some(Path::new("/x")));
        assert_ne!(a, b);
        assert_ne!(a, other_target);
        assert_eq!(a, default_path(conf, "http://a:8008/", "http://t:8008/"));
    }

    /// Issue 19 item 4: a state file written for another source or target is refused,
    /// never used as this pair's id map.
    #[test]
    fn a_state_file_of_another_pair_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        State::new("http://a", "http://b").save(&path).unwrap();
        for (src, dst) in [("http://a", "http://c"), ("http://z", "http://b")] {
            let err = State::load(&path, src, dst).unwrap_err();
            assert!(
                err.chain().any(|e| matches!(
                    e.downcast_ref::<crate::SyncError>(),
                    Some(crate::SyncError::Unusable(_))
                )),
                "{err}"
            );
            let line = clearml_error::one_line(&err);
            assert!(
                line.contains("http://a -> http://b") && line.contains(&format!("{src} -> {dst}")),
                "{line}"
            );
        }
        assert!(State::load(&path, "http://a/", "http://b").is_ok());
    }
}
