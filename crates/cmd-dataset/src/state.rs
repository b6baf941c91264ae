//! A dataset version's `state` artifact (the JSON document the SDK keeps per version): its
//! file and link entries, the dependency graph of versions, and what follows from them
//! (the order parents apply in, the changes against the parents).
//!
//! Field names and meanings are the SDK's (`clearml/datasets/dataset.py`); fields this tool
//! does not know are kept as they were when a state is rewritten.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The artifact holding the state JSON.
pub const STATE_ARTIFACT: &str = "state";
/// The first data chunk's artifact; later ones are `data_001`, `data_002`, ...
pub const FIRST_CHUNK: &str = "data";
pub const CHUNK_PREFIX: &str = "data_";
/// The system tag of dataset tasks and of their projects.
pub const DATASET_TAG: &str = "dataset";
pub const HIDDEN_TAG: &str = "hidden";
/// The configuration object holding the version graph.
pub const STRUCT_CONFIG: &str = "Dataset Struct";
pub const CONTENT_CONFIG: &str = "Dataset Content";
pub const DEFAULT_VERSION: &str = "1.0.0";

/// A file stored in one of the version's (or a parent's) chunks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub relative_path: String,
    pub hash: Option<String>,
    pub parent_dataset_id: Option<String>,
    pub size: Option<u64>,
    pub artifact_name: Option<String>,
    /// Set while the file waits for upload (where it was added from); cleared once stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
}

/// A file that stays where it is (an external link); read, kept, not downloaded by `get`
/// unless it is on the file server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkEntry {
    pub link: Option<String>,
    pub relative_path: String,
    pub parent_dataset_id: Option<String>,
    pub size: Option<u64>,
    pub hash: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub file_count: u64,
    #[serde(default)]
    pub total_size: u64,
    #[serde(default)]
    pub dataset_file_entries: Vec<FileEntry>,
    #[serde(default)]
    pub dataset_link_entries: Vec<LinkEntry>,
    /// Version id -> its direct parents (only versions that still hold used files).
    #[serde(default)]
    pub dependency_graph: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub dirty: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency_chunk_lookup: Option<BTreeMap<String, u64>>,
    /// Whatever else a newer SDK writes.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Added, modified and removed paths against the parents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Changes {
    pub added: Vec<String>,
    pub modified: Vec<String>,
    pub removed: Vec<String>,
    pub added_size: u64,
    pub modified_size: i64,
    pub removed_size: u64,
}

impl State {
    pub fn parse(text: &[u8]) -> anyhow::Result<State> {
        let s: State = serde_json::from_slice(text)
            .map_err(|e| anyhow::anyhow!("the dataset state is not valid JSON: {e}"))?;
        for f in &s.dataset_file_entries {
            if !super::zip::safe_name(&f.relative_path) {
                anyhow::bail!(
                    "the dataset state names an unsafe path {:?}",
                    f.relative_path
                );
            }
        }
        Ok(s)
    }

    pub fn new(id: &str, parents: Vec<String>) -> State {
        let mut s = State {
            id: id.to_string(),
            ..Default::default()
        };
        s.dependency_graph.insert(id.to_string(), parents);
        s
    }

    pub fn parents(&self) -> Vec<String> {
        self.dependency_graph
            .get(&self.id)
            .cloned()
            .unwrap_or_default()
    }

    /// Files by relative path.
    pub fn files(&self) -> HashMap<&str, &FileEntry> {
        self.dataset_file_entries
            .iter()
            .map(|f| (f.relative_path.as_str(), f))
            .collect()
    }

    /// Versions in the order their files are applied: ancestors first, this one last
    /// (breadth first from this version, parents in reverse, then reversed: the SDK's order).
    pub fn versions_in_order(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut queue: std::collections::VecDeque<String> = [self.id.clone()].into();
        let walk = |queue: &mut std::collections::VecDeque<String>, seen: &mut Vec<String>| {
            while let Some(r) = queue.pop_front() {
                if !seen.contains(&r) {
                    seen.push(r.clone());
                }
                let parents = self.dependency_graph.get(&r).cloned().unwrap_or_default();
                for p in parents.into_iter().rev() {
                    // (`seen` too: a hostile graph with a cycle must not loop forever.)
                    if !queue.contains(&p)
                        && !seen.contains(&p)
                        && self.dependency_graph.contains_key(&p)
                    {
                        queue.push_back(p);
                    }
                }
            }
        };
        walk(&mut queue, &mut seen);
        let left: Vec<String> = self
            .dependency_graph
            .keys()
            .filter(|k| !seen.contains(k))
            .cloned()
            .collect();
        queue.extend(left);
        walk(&mut queue, &mut seen);
        let mut deps: Vec<String> = seen.into_iter().skip(1).collect();
        deps.reverse();
        deps.push(self.id.clone());
        deps
    }

    /// Recompute the counters and prune versions no file comes from (keeping this one's
    /// own parents), as the SDK does before each save.
    pub fn normalize(&mut self) {
        let used: BTreeSet<String> = self
            .dataset_file_entries
            .iter()
            .filter_map(|f| f.parent_dataset_id.clone())
            .chain(
                self.dataset_link_entries
                    .iter()
                    .filter_map(|l| l.parent_dataset_id.clone()),
            )
            .chain([self.id.clone()])
            .collect();
        let own = self.parents();
        self.dependency_graph = self
            .dependency_graph
            .iter()
            .filter(|(k, _)| used.contains(*k))
            .map(|(k, ps)| {
                (
                    k.clone(),
                    ps.iter().filter(|p| used.contains(*p)).cloned().collect(),
                )
            })
            .collect();
        self.dependency_graph.insert(self.id.clone(), own);
        self.file_count =
            (self.dataset_file_entries.len() + self.dataset_link_entries.len()) as u64;
        self.total_size = self
            .dataset_file_entries
            .iter()
            .filter_map(|f| f.size)
            .chain(self.dataset_link_entries.iter().filter_map(|l| l.size))
            .sum();
    }

    /// Entries still waiting for upload (a local path, no chunk yet).
    pub fn pending(&self) -> Vec<&FileEntry> {
        self.dataset_file_entries
            .iter()
            .filter(|f| f.local_path.is_some())
            .collect()
    }

    /// Chunk artifact names this version's own entries point at.
    pub fn own_chunks(&self) -> BTreeSet<String> {
        self.dataset_file_entries
            .iter()
            .filter(|f| f.parent_dataset_id.as_deref() == Some(self.id.as_str()))
            .filter_map(|f| f.artifact_name.clone())
            .collect()
    }

    /// Changes of this version against the merged file lists of `parents` (their states).
    pub fn changes_against(&self, parents: &[&State]) -> Changes {
        let mut merged: HashMap<&str, (Option<&str>, u64)> = HashMap::new();
        for p in parents {
            for f in &p.dataset_file_entries {
                merged.insert(&f.relative_path, (f.hash.as_deref(), f.size.unwrap_or(0)));
            }
            for l in &p.dataset_link_entries {
                merged.insert(&l.relative_path, (l.hash.as_deref(), l.size.unwrap_or(0)));
            }
        }
        diff_maps(&merged, &self.entries_map())
    }

    /// Path -> (hash, size) of every entry.
    pub fn entries_map(&self) -> HashMap<&str, (Option<&str>, u64)> {
        self.dataset_file_entries
            .iter()
            .map(|f| {
                (
                    f.relative_path.as_str(),
                    (f.hash.as_deref(), f.size.unwrap_or(0)),
                )
            })
            .chain(self.dataset_link_entries.iter().map(|l| {
                (
                    l.relative_path.as_str(),
                    (l.hash.as_deref(), l.size.unwrap_or(0)),
                )
            }))
            .collect()
    }
}

/// What changed from `old` to `new` (path -> hash, size).
pub fn diff_maps(
    old: &HashMap<&str, (Option<&str>, u64)>,
    new: &HashMap<&str, (Option<&str>, u64)>,
) -> Changes {
    let mut c = Changes::default();
    for (path, (hash, size)) in new {
        match old.get(path) {
            None => {
                c.added.push(path.to_string());
                c.added_size += size;
            }
            Some((old_hash, old_size)) => {
                if old_hash != hash || (hash.is_none() && old_size != size) {
                    c.modified.push(path.to_string());
                    c.modified_size += *size as i64 - *old_size as i64;
                }
            }
        }
    }
    for (path, (_, size)) in old {
        if !new.contains_key(path) {
            c.removed.push(path.to_string());
            c.removed_size += size;
        }
    }
    c.added.sort();
    c.modified.sort();
    c.removed.sort();
    c
}

/// The chunk index of a data artifact name (`data` -> 0, `data_007` -> 7).
pub fn chunk_index(name: &str) -> Option<u64> {
    if name == FIRST_CHUNK {
        return Some(0);
    }
    name.strip_prefix(CHUNK_PREFIX)?.parse().ok()
}

/// The name of chunk `index`.
pub fn chunk_name(index: u64) -> String {
    if index == 0 {
        FIRST_CHUNK.to_string()
    } else {
        format!("{CHUNK_PREFIX}{index:03}")
    }
}

/// `P/.datasets/N` and `P/.datasets`: where the SDK keeps a dataset's versions.
pub fn hidden_project(project: &str, name: &str) -> (String, String) {
    let parent = format!("{}/.datasets", project.trim_matches('/'));
    (format!("{parent}/{name}"), parent)
}

/// The user's project of a hidden dataset project (`P/.datasets/N` -> `P`).
pub fn visible_project(hidden: &str) -> &str {
    match hidden.find("/.datasets/") {
        Some(i) => &hidden[..i],
        None => hidden.strip_suffix("/.datasets").unwrap_or(hidden),
    }
}

/// Semantic-version ordering of two version strings (numeric parts compared as numbers;
/// a non-numeric one sorts before any numeric one).
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| -> Option<Vec<u64>> {
        s.trim()
            .split(['.', '-', '+'])
            .map(|p| p.parse::<u64>().ok())
            .collect()
    };
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (None, None) => a.cmp(b),
    }
}

/// The next version after `v` (last numeric part + 1), as the SDK does for a new version.
pub fn next_version(v: &str) -> Option<String> {
    let mut parts: Vec<u64> = v
        .trim()
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    *parts.last_mut()? += 1;
    Some(
        parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fe(p: &str, h: &str, parent: &str) -> FileEntry {
        FileEntry {
            relative_path: p.into(),
            hash: Some(h.into()),
            parent_dataset_id: Some(parent.into()),
            size: Some(3),
            artifact_name: Some("data".into()),
            local_path: None,
        }
    }

    #[test]
    fn order_changes_and_names() {
        let mut s = State::new("c", vec!["b".into()]);
        s.dependency_graph.insert("b".into(), vec!["a".into()]);
        s.dependency_graph.insert("a".into(), vec![]);
        s.dataset_file_entries = vec![fe("x", "1", "a"), fe("y", "2", "b"), fe("z", "3", "c")];
        assert_eq!(s.versions_in_order(), vec!["a", "b", "c"]);
        // A cycle (only a hostile state has one) ends.
        let mut cyc = State::new("x", vec!["y".into()]);
        cyc.dependency_graph.insert("y".into(), vec!["x".into()]);
        assert_eq!(cyc.versions_in_order(), vec!["y", "x"]);
        let mut p = State::new("b", vec!["a".into()]);
        p.dataset_file_entries = vec![fe("x", "1", "a"), fe("y", "0", "b"), fe("w", "9", "b")];
        let c = s.changes_against(&[&p]);
        assert_eq!(c.added, vec!["z"]);
        assert_eq!(c.modified, vec!["y"]);
        assert_eq!(c.removed, vec!["w"]);
        s.normalize();
        assert_eq!(s.file_count, 3);
        assert_eq!(s.total_size, 9);
        assert_eq!(chunk_index("data"), Some(0));
        assert_eq!(chunk_index("data_012"), Some(12));
        assert_eq!(chunk_index("state"), None);
        assert_eq!(chunk_name(3), "data_003");
        assert_eq!(
            hidden_project("Проект", "данные").0,
            "Проект/.datasets/данные"
        );
        assert_eq!(visible_project("a/b/.datasets/n"), "a/b");
        assert_eq!(next_version("1.0.9").as_deref(), Some("1.0.10"));
        assert_eq!(version_cmp("1.0.10", "1.0.9"), std::cmp::Ordering::Greater);
    }

    #[test]
    fn unsafe_paths_in_a_state_are_refused() {
        let bad = br#"{"id":"x","dataset_file_entries":[{"relative_path":"../../etc/x","hash":null,"parent_dataset_id":"x","size":1,"artifact_name":"data"}]}"#;
        assert!(State::parse(bad).is_err());
        let keeps = br#"{"id":"x","future_field":[1,2],"dependency_graph":{"x":[]}}"#;
        let s = State::parse(keeps).unwrap();
        assert_eq!(
            serde_json::to_value(&s).unwrap()["future_field"],
            serde_json::json!([1, 2])
        );
    }
}
