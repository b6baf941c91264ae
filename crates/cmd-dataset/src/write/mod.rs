//! `dataset create|add|remove|sync|upload|close|publish|delete`: making versions in the
//! SDK's format.
//!
//! Every change is saved to the server at once (the `state` artifact, as the SDK does), so
//! the commands can run in separate processes and an interrupted one loses nothing: files
//! waiting for upload are entries with a `local_path`; `upload` stores them chunk by chunk,
//! saving the state after each chunk, and on a new run first drops any chunk artifact the
//! state does not reference (the one a kill cut off), so no chunk is ever stored twice.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::json::{self, DatasetChange, DatasetCreated, DatasetDeleted};
use super::state::{self, FileEntry, State};
use super::{Ds, artifact, chunk_artifacts, is_final, version_of};
use crate::api::lookup;
use crate::cli::{
    DatasetAddArgs, DatasetCloseArgs, DatasetCreateArgs, DatasetDeleteArgs, DatasetId,
    DatasetRemoveArgs, DatasetSyncArgs, DatasetUploadArgs,
};
use crate::error::CliError;
use crate::files;
use crate::output::Format;

mod add;
mod create;
mod delete;
mod upload;

pub use add::{add, remove, sync};
pub use create::create;
pub use delete::delete;
#[cfg(test)]
use upload::object_of;
pub use upload::{close, publish, upload_cmd};

/// Compression level of chunk members (fast: chunks are often already-compressed media).
const ZIP_LEVEL: u32 = 1;

// ------------------------------------------------------------------ wildcards

/// Python's `fnmatch` (case-sensitive): `*` (also across `/`), `?`, `[seq]`, `[!seq]`.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let mut re = String::from("(?s)^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '[' => {
                let mut j = i;
                if j < chars.len() && chars[j] == '!' {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ']' {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    re.push_str("\\[");
                } else {
                    let inner: String = chars[i..j].iter().collect();
                    i = j + 1;
                    let (neg, inner) = match inner.strip_prefix('!') {
                        Some(rest) => (true, rest.to_string()),
                        None => (false, inner),
                    };
                    re.push('[');
                    if neg {
                        re.push('^');
                    }
                    for ch in inner.chars() {
                        if ch == '-' {
                            re.push('-');
                        } else {
                            re.push_str(&regex::escape(&ch.to_string()));
                        }
                    }
                    re.push(']');
                }
            }
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).is_ok_and(|r| r.is_match(name))
}

/// The SDK's `matches_any_wildcard` for one wildcard: recursive, `dir/*.ext` matches
/// `dir/a/b.ext`; otherwise segment by segment.
pub fn matches_wildcard(path: &str, wildcard: &str, recursive: bool) -> bool {
    if recursive {
        let file = wildcard.rsplit('/').next().unwrap_or(wildcard);
        let dir = format!("{}*", &wildcard[..wildcard.len() - file.len()]);
        fnmatch(path, &dir) && fnmatch(&format!("/{path}"), &format!("*/{file}"))
    } else {
        let p: Vec<&str> = path.split('/').collect();
        let w: Vec<&str> = wildcard.split('/').collect();
        p.len() == w.len() && p.iter().zip(&w).all(|(a, b)| fnmatch(a, b))
    }
}

// ------------------------------------------------------------------ the open version

/// A version being written: its task and state, and what its parents hold.
struct Open {
    task: Value,
    state: State,
    /// The merged entries of the direct parents (for the change counters).
    parent_entries: HashMap<String, (Option<String>, u64)>,
    /// `files added/removed/modified` as the SDK counts them (the state's metadata).
    counters: BTreeMap<String, u64>,
}

impl Open {
    fn id(&self) -> String {
        self.state.id.clone()
    }
}

const COUNTERS: [&str; 3] = ["files added", "files removed", "files modified"];

fn counters_of(task: &Value) -> BTreeMap<String, u64> {
    let mut m: BTreeMap<String, u64> = COUNTERS.iter().map(|k| (k.to_string(), 0)).collect();
    if let Some(dd) =
        artifact(task, state::STATE_ARTIFACT).and_then(|a| a["display_data"].as_array())
    {
        for kv in dd {
            if let (Some(k), Some(v)) = (kv[0].as_str(), kv[1].as_str())
                && let Some(slot) = m.get_mut(k)
            {
                *slot = v.parse().unwrap_or(0);
            }
        }
    }
    m
}

/// The id a write command works on: `--id`, else the one `create` recorded (and say so).
fn target_id(ds: &Ds<'_>, id: &DatasetId) -> anyhow::Result<String> {
    if let Some(i) = &id.id {
        return Ok(i.clone());
    }
    let path = super::last_created_path();
    let text = std::fs::read_to_string(&path).map_err(|_| {
        CliError::usage("no --id given and no dataset created on this machine yet")
            .with_hint("run 'clearml dataset create' first, or pass --id ID")
    })?;
    let id = text.trim().to_string();
    if !lookup::looks_like_id(&id) {
        return Err(
            CliError::usage(format!("{} does not hold a dataset id", path.display())).into(),
        );
    }
    ds.ctx.out.info(format!(
        "using dataset {id} (the last one created here; --id chooses another)"
    ));
    Ok(id)
}

async fn parent_entries(
    ds: &Ds<'_>,
    parents: &[String],
) -> anyhow::Result<HashMap<String, (Option<String>, u64)>> {
    let mut merged = HashMap::new();
    for p in parents {
        let t = ds.dataset_by_id(p).await?;
        let s = ds.state_of(&t).await?;
        for (k, (h, n)) in s.entries_map() {
            merged.insert(k.to_string(), (h.map(str::to_string), n));
        }
    }
    Ok(merged)
}

/// Open a version for writing; it must still be open (not closed).
async fn open(ds: &Ds<'_>, id: &DatasetId) -> anyhow::Result<Open> {
    let id = target_id(ds, id)?;
    let task = ds.dataset_by_id(&id).await?;
    let status = task["status"].as_str().unwrap_or("");
    if !matches!(status, "created" | "in_progress" | "stopped") {
        return Err(CliError::usage(format!(
            "dataset {id} is {status}: a closed version cannot change"
        ))
        .with_hint(format!(
            "make a new version: clearml dataset create --name ... --parents {id}"
        ))
        .into());
    }
    let state = ds.state_of(&task).await?;
    let parent_entries = parent_entries(ds, &state.parents()).await?;
    Ok(Open {
        counters: counters_of(&task),
        task,
        state,
        parent_entries,
    })
}

/// `<project>/<task name>.<id>`: where the SDK puts a task's artifacts on the file server.
fn object_prefix(task: &Value) -> String {
    let project = task["project"]["name"].as_str().unwrap_or("");
    let name = task["name"]
        .as_str()
        .unwrap_or("dataset")
        .replace(['/', '\\'], "_");
    format!(
        "{}/{name}.{}",
        project.trim_matches('/'),
        task["id"].as_str().unwrap_or("")
    )
}

/// A scratch folder for this version's state and chunk files before upload.
fn scratch(ds: &Ds<'_>, id: &str) -> PathBuf {
    ds.cache.join("clearml-cli").join("dataset-upload").join(id)
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Save the state (upload the JSON, point the `state` artifact at it) and the runtime
/// properties the web app and `list` show.
async fn save(ds: &Ds<'_>, o: &mut Open) -> anyhow::Result<()> {
    let id = o.id();
    o.state.dirty = !o.state.pending().is_empty();
    o.state.normalize();
    let entries: HashMap<&str, (Option<&str>, u64)> = o
        .parent_entries
        .iter()
        .map(|(k, (h, n))| (k.as_str(), (h.as_deref(), *n)))
        .collect();
    let ch = state::diff_maps(&entries, &o.state.entries_map());
    let text = serde_json::to_vec_pretty(&o.state)?;
    let dir = scratch(ds, &id);
    tokio::fs::create_dir_all(&dir).await?;
    let local = dir.join("state.json");
    tokio::fs::write(&local, &text).await?;
    let object = format!("{}/artifacts/state/state.json", object_prefix(&o.task));
    let bearer = ds.client.bearer().await.map_err(crate::api::into_anyhow)?;
    let up = files::upload(
        ds.client.http(),
        &ds.files_host,
        &object,
        &local,
        Some(&bearer),
        false,
        ds.client.request_timeout(),
    )
    .await?;
    let graph = serde_json::to_string_pretty(&o.state.dependency_graph)?;
    let preview = format!(
        "Dataset state\nFiles added/modified: {} - total size {} B\nCurrent dependency graph: {graph}\n",
        ch.added.len() + ch.modified.len(),
        ch.added_size as i64 + ch.modified_size
    );
    let display: Vec<Value> = COUNTERS
        .iter()
        .map(|k| json!([k, o.counters.get(*k).copied().unwrap_or(0).to_string()]))
        .collect();
    let art = json!({
        "key": state::STATE_ARTIFACT,
        "type": "dict",
        "mode": "output",
        "uri": up.url,
        "content_size": up.size,
        "hash": up.sha256,
        "timestamp": now_secs(),
        "type_data": {"preview": preview, "content_type": "application/json"},
        "display_data": display,
    });
    ds.client
        .call(
            "tasks.add_or_update_artifacts",
            &json!({"task": id, "artifacts": [art.clone()], "force": true}),
        )
        .await?;
    upsert_artifact(&mut o.task, art);
    let files = o.state.dataset_file_entries.len() as u64;
    let links = o.state.dataset_link_entries.len() as u64;
    let compressed: u64 = chunk_artifacts(&o.task)
        .iter()
        .filter_map(|a| a["content_size"].as_u64())
        .sum();
    set_runtime(
        ds,
        &mut o.task,
        json!({
            "ds_file_count": files,
            "ds_link_count": links,
            "ds_total_size": o.state.total_size,
            "ds_total_size_compressed": compressed,
            "ds_change_add": ch.added.len(),
            "ds_change_remove": ch.removed.len(),
            "ds_change_modify": ch.modified.len(),
            "ds_change_size": ch.added_size as i64 + ch.modified_size - ch.removed_size as i64,
        }),
    )
    .await
}

fn upsert_artifact(task: &mut Value, art: Value) {
    if !task["execution"]["artifacts"].is_array() {
        task["execution"]["artifacts"] = json!([]);
    }
    let list = task["execution"]["artifacts"]
        .as_array_mut()
        .expect("made an array above");
    match list.iter_mut().find(|a| a["key"] == art["key"]) {
        Some(a) => *a = art,
        None => list.push(art),
    }
}

/// Merge `props` into the task's runtime properties (as the SDK does: read, update, edit).
async fn set_runtime(ds: &Ds<'_>, task: &mut Value, props: Value) -> anyhow::Result<()> {
    if !task["runtime"].is_object() {
        task["runtime"] = json!({});
    }
    if let (Some(r), Some(p)) = (task["runtime"].as_object_mut(), props.as_object()) {
        for (k, v) in p {
            r.insert(k.clone(), v.clone());
        }
    }
    ds.client
        .call(
            "tasks.edit",
            &json!({"task": task["id"], "runtime": task["runtime"], "force": true}),
        )
        .await?;
    Ok(())
}

fn report(
    ds: &Ds<'_>,
    o: &Open,
    added: u64,
    modified: u64,
    removed: u64,
    chunks: u64,
    status: &str,
) {
    let shape = DatasetChange {
        id: o.id(),
        added,
        modified,
        removed,
        pending: o.state.pending().len() as u64,
        chunks_uploaded: chunks,
        status: status.to_string(),
    };
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json::to_value(&shape));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_like_the_sdk() {
        assert!(fnmatch("a/b.txt", "*.txt"));
        assert!(fnmatch("b.txt", "b.tx?"));
        assert!(fnmatch("b1", "b[0-9]"));
        assert!(!fnmatch("bx", "b[!x]"));
        assert!(fnmatch("größe.txt", "größe.*"));
        assert!(!fnmatch("a.txt", "b*"));
        assert!(fnmatch("a(1).txt", "a(1).txt"));
        assert!(matches_wildcard("dir/a/b.ext", "dir/*.ext", true));
        assert!(!matches_wildcard("dir/a/b.ext", "dir/*.ext", false));
        assert!(matches_wildcard("dir/b.ext", "dir/*.ext", false));
        assert!(matches_wildcard("b.txt", "b.txt", true));
        assert!(!matches_wildcard("sub/b.txt", "b.txt", false));
        assert!(matches_wildcard("sub/b.txt", "b.txt", true));
        assert_eq!(
            object_of(
                "http://h:8081",
                "http://h:8081/P/.datasets/n/n.1/artifacts/data/x%20y.zip"
            ),
            Some("P/.datasets/n/n.1/artifacts/data/x y.zip".into())
        );
        assert_eq!(object_of("http://h:8081", "http://other/x"), None);
    }
}
