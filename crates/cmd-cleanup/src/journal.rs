//! The cleanup journal: file URLs recorded before their tasks are deleted and removed once
//! the file server has deleted them. A cleanup killed between the two leaves the journal
//! behind, and the next run deletes those files first: no file is ever left unlisted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Journal {
    /// File URL -> its size in bytes when known.
    pub files: BTreeMap<String, Option<u64>>,
    #[serde(skip)]
    path: PathBuf,
}

impl Journal {
    pub fn load(path: &Path) -> anyhow::Result<Journal> {
        let mut j: Journal = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "the cleanup journal {} is damaged (move it away to start afresh; its files may then stay on the file server)",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Journal::default(),
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot read the cleanup journal {}", path.display())));
            }
        };
        j.path = path.to_path_buf();
        Ok(j)
    }

    pub fn add(&mut self, url: &str, size: Option<u64>) {
        let entry = self.files.entry(url.to_string()).or_insert(None);
        if size.is_some() {
            *entry = size;
        }
    }

    /// Write it (atomically, 0600), or remove it once empty.
    pub fn save(&self) -> anyhow::Result<()> {
        if self.files.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(anyhow::Error::new(e)
                    .context(format!(
                        "cannot remove the cleanup journal {}",
                        self.path.display()
                    ))),
                _ => Ok(()),
            };
        }
        let text = serde_json::to_vec_pretty(self)?;
        crate::config::edit::replace_private(&self.path, &text)
            .with_context(|| format!("cannot write the cleanup journal {}", self.path.display()))
    }
}

/// The default journal: beside the clearml.conf, one per API server.
pub fn default_path(config_file: &Path, api_host: &str) -> PathBuf {
    use md5::Digest;
    let hash = hex::encode(md5::Md5::digest(api_host.trim_end_matches('/').as_bytes()));
    let dir = config_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join(format!("clearml-cleanup-{}.json", &hash[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_restart_and_disappears_when_done() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.json");
        let mut j = Journal::load(&path).unwrap();
        j.add("http://f/a", Some(3));
        j.add("http://f/a", None);
        j.add("http://f/b", None);
        j.save().unwrap();
        let mut again = Journal::load(&path).unwrap();
        assert_eq!(again.files.get("http://f/a"), Some(&Some(3)));
        again.files.clear();
        again.save().unwrap();
        assert!(!path.exists());
    }
}
