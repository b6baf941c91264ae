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

// ------------------------------------------------------------------ create

pub async fn create(ds: &Ds<'_>, a: DatasetCreateArgs) -> anyhow::Result<()> {
    lookup::check_name("dataset", &a.name)?;
    if a.name.contains('/') {
        return Err(
            CliError::usage(format!("dataset name '{}' contains '/'", a.name))
                .with_hint("put the folder part in --project")
                .into(),
        );
    }
    let mut parent_tasks = Vec::new();
    let mut parent_states = Vec::new();
    for p in &a.parents {
        let t = ds.dataset_by_id(p).await?;
        if !is_final(&t) {
            return Err(CliError::usage(format!(
                "parent {p} is not closed ({}): only a closed version can be a parent",
                t["status"].as_str().unwrap_or("")
            ))
            .with_hint(format!("close it first: clearml dataset close --id {p}"))
            .into());
        }
        parent_states.push(ds.state_of(&t).await?);
        parent_tasks.push(t);
    }
    let project = match (&a.project, parent_tasks.last()) {
        (Some(p), _) => p.trim_matches('/').to_string(),
        (None, Some(t)) => super::project_of(t),
        (None, None) => {
            return Err(CliError::usage(
                "dataset create needs --project (or --parents to take it from)",
            )
            .with_hint("e.g. --project 'My Project'")
            .into());
        }
    };
    lookup::check_name("project", &project)?;
    let (hidden, hidden_parent) = state::hidden_project(&project, &a.name);
    let version = match &a.version {
        Some(v) => v.trim().to_string(),
        None => {
            let same = ds
                .versions(Some(&project), Some(&lookup::exact_regex(&a.name)), None)
                .await?;
            let same: Vec<Value> = same
                .into_iter()
                .filter(|t| t["project"]["name"].as_str() == Some(hidden.as_str()))
                .collect();
            super::latest_version(&same)
                .and_then(version_of)
                .and_then(state::next_version)
                .unwrap_or_else(|| state::DEFAULT_VERSION.to_string())
        }
    };
    ensure_project(ds, &project, &[]).await?;
    ensure_project(ds, &hidden_parent, &[state::HIDDEN_TAG]).await?;
    let project_id = ensure_project(ds, &hidden, &[state::HIDDEN_TAG, state::DATASET_TAG]).await?;
    let script = format!(
        "# made by the clearml CLI (clearml dataset create)\nfrom clearml import Dataset\n\nds = Dataset.create(dataset_project={project:?}, dataset_name={:?}, dataset_version={version:?})\n",
        a.name
    );
    let mut body = json!({
        "name": a.name,
        "project": project_id,
        "type": "data_processing",
        "system_tags": [state::DATASET_TAG],
        "comment": a.description.clone().unwrap_or_default(),
        "script": {
            "diff": script,
            "working_dir": ".",
            "entry_point": "register_dataset.py",
        },
        "output_dest": ds.files_host,
    });
    if !a.tags.is_empty() {
        body["tags"] = json!(a.tags);
    }
    let created = ds.client.call("tasks.create", &body).await?;
    let id = created["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("tasks.create returned no id"))?
        .to_string();
    let result = finish_create(ds, &a, &id, &version, &project, parent_tasks, parent_states).await;
    if let Err(e) = result {
        // Nothing useful was made: take the draft back.
        let _ = ds
            .client
            .call("tasks.delete", &json!({"task": id, "force": true}))
            .await;
        return Err(e);
    }
    let path = super::last_created_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    if let Err(e) = std::fs::write(&path, format!("{id}\n")) {
        ds.ctx.out.warn(format!(
            "could not record the id in {}: {e}",
            path.display()
        ));
    }
    let shape = DatasetCreated {
        id: id.clone(),
        name: a.name.clone(),
        project,
        version: version.clone(),
        parents: a.parents.clone(),
    };
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json::to_value(&shape));
    } else {
        ds.ctx
            .out
            .info(format!("created dataset {} version {version}", a.name));
        println!("{id}");
    }
    Ok(())
}

async fn finish_create(
    ds: &Ds<'_>,
    a: &DatasetCreateArgs,
    id: &str,
    version: &str,
    _project: &str,
    parent_tasks: Vec<Value>,
    parent_states: Vec<State>,
) -> anyhow::Result<()> {
    ds.client
        .call("tasks.started", &json!({"task": id, "force": true}))
        .await?;
    ds.client
        .call(
            "tasks.edit_hyper_params",
            &json!({"task": id, "force": true, "hyperparams": [
                {"section": "properties", "name": "version", "value": version}
            ]}),
        )
        .await?;
    let mut task = ds.dataset_by_id(id).await?;
    set_runtime(
        ds,
        &mut task,
        json!({"orig_dataset_name": a.name, "orig_dataset_id": id, "version": version}),
    )
    .await?;
    // The parents' files, merged in order (a later parent wins), and their graphs.
    let mut st = State::new(id, a.parents.clone());
    let mut files: Vec<FileEntry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut links = Vec::new();
    for ps in &parent_states {
        for f in &ps.dataset_file_entries {
            match index.get(&f.relative_path) {
                Some(&i) => files[i] = f.clone(),
                None => {
                    index.insert(f.relative_path.clone(), files.len());
                    files.push(f.clone());
                }
            }
        }
        links.extend(ps.dataset_link_entries.iter().cloned());
        for (k, v) in &ps.dependency_graph {
            st.dependency_graph.insert(k.clone(), v.clone());
        }
    }
    st.dependency_graph
        .insert(id.to_string(), a.parents.clone());
    st.dataset_file_entries = files;
    st.dataset_link_entries = links;
    let parent_entries = {
        let mut m = HashMap::new();
        for ps in &parent_states {
            for (k, (h, n)) in ps.entries_map() {
                m.insert(k.to_string(), (h.map(str::to_string), n));
            }
        }
        m
    };
    let mut o = Open {
        task,
        state: st,
        parent_entries,
        counters: COUNTERS.iter().map(|k| (k.to_string(), 0)).collect(),
    };
    save(ds, &mut o).await?;
    drop(parent_tasks);
    report_struct(ds, &o).await?;
    Ok(())
}

/// The project by name, created with `system_tags` when missing; a missing tag is added.
async fn ensure_project(ds: &Ds<'_>, name: &str, system_tags: &[&str]) -> anyhow::Result<String> {
    let found = ds
        .client
        .call(
            "projects.get_all",
            &json!({
                "name": lookup::exact_regex(name),
                "only_fields": ["id", "name", "system_tags"],
                "search_hidden": true,
            }),
        )
        .await?;
    let existing = found["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"].as_str() == Some(name))
        .cloned();
    match existing {
        Some(p) => {
            let id = p["id"].as_str().unwrap_or("").to_string();
            let mut tags: Vec<String> = p["system_tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            let missing: Vec<&&str> = system_tags
                .iter()
                .filter(|t| !tags.iter().any(|x| x == **t))
                .collect();
            if !missing.is_empty() {
                tags.extend(missing.into_iter().map(|t| t.to_string()));
                ds.client
                    .call(
                        "projects.update",
                        &json!({"project": id, "system_tags": tags}),
                    )
                    .await?;
            }
            Ok(id)
        }
        None => {
            let mut body = json!({"name": name, "description": ""});
            if !system_tags.is_empty() {
                body["system_tags"] = json!(system_tags);
            }
            let data = ds.client.call("projects.create", &body).await?;
            data["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow::anyhow!("projects.create returned no id"))
        }
    }
}

/// The `Dataset Struct` configuration the web app draws the version graph from.
async fn report_struct(ds: &Ds<'_>, o: &Open) -> anyhow::Result<()> {
    let mut graph = o.state.dependency_graph.clone();
    for ps in o.state.dependency_graph.values() {
        for p in ps {
            graph.entry(p.clone()).or_default();
        }
    }
    let ids: Vec<String> = graph.keys().cloned().collect();
    let found = ds
        .client
        .call(
            "tasks.get_all_ex",
            &json!({"id": ids, "only_fields": ["id", "name", "status", "runtime", "last_update"], "search_hidden": true}),
        )
        .await?;
    let by_id: HashMap<String, Value> = found["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t["id"].as_str()?.to_string(), t.clone())))
        .collect();
    let index: HashMap<&String, usize> = ids.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let mut out = serde_json::Map::new();
    for (i, id) in ids.iter().enumerate() {
        let t = if *id == o.id() {
            &o.task
        } else {
            by_id.get(id).unwrap_or(&Value::Null)
        };
        let last_update = t["last_update"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.timestamp());
        out.insert(
            i.to_string(),
            json!({
                "job_id": id,
                "status": t["status"],
                "last_update": last_update,
                "parents": graph[id].iter().filter_map(|p| index.get(p).map(|x| x.to_string())).collect::<Vec<_>>(),
                "job_size": t["runtime"]["ds_total_size"],
                "name": t["name"],
                "version": t["runtime"]["version"],
            }),
        );
    }
    ds.client
        .call(
            "tasks.edit_configuration",
            &json!({"task": o.id(), "force": true, "configuration": [{
                "name": state::STRUCT_CONFIG,
                "value": serde_json::to_string_pretty(&Value::Object(out))?,
                "type": "json",
                "description": "Structure of the dataset",
            }]}),
        )
        .await?;
    Ok(())
}

/// The `Dataset Content` configuration: a CSV preview of the files (the SDK's layout).
async fn report_content(ds: &Ds<'_>, o: &Open) -> anyhow::Result<()> {
    let mut rows: Vec<&FileEntry> = o.state.dataset_file_entries.iter().collect();
    rows.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    let mut text = format!(
        "File Name ({} files), File Size (total {} B), Hash (SHA2)\n",
        rows.len(),
        o.state.total_size
    );
    for f in rows.iter().take(15_000) {
        text.push_str(&format!(
            "{}, {}, {}\n",
            f.relative_path,
            f.size.unwrap_or(0),
            f.hash.clone().unwrap_or_default()
        ));
        if text.len() > 320 * 1024 {
            text.push_str("...\n");
            break;
        }
    }
    ds.client
        .call(
            "tasks.edit_configuration",
            &json!({"task": o.id(), "force": true, "configuration": [{
                "name": state::CONTENT_CONFIG,
                "value": text.trim_end(),
                "type": "CSV",
                "description": "Dataset content preview",
            }]}),
        )
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ add, remove, sync

/// One local file to add: where it is, where it goes in the dataset.
struct Local {
    path: PathBuf,
    rel: String,
}

fn rel_join(folder: Option<&str>, rel: &str) -> String {
    match folder
        .map(|f| f.trim_matches('/'))
        .filter(|f| !f.is_empty() && *f != ".")
    {
        Some(f) => format!("{f}/{rel}"),
        None => rel.to_string(),
    }
}

/// The files under `root` (following links to files, not to folders), as dataset paths.
fn walk(
    root: &Path,
    base: &Path,
    folder: Option<&str>,
    wildcards: &[String],
    recursive: bool,
    out: &mut Vec<Local>,
) -> anyhow::Result<()> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = std::fs::read_dir(&dir)
            .map_err(|e| CliError::not_found(format!("cannot read {}: {e}", dir.display())))?;
        for entry in rd {
            let entry = entry?;
            let p = entry.path();
            let ft = entry.file_type()?;
            if ft.is_dir() {
                if recursive {
                    stack.push(p);
                }
                continue;
            }
            if !std::fs::metadata(&p).is_ok_and(|m| m.is_file()) {
                continue;
            }
            let rel_local = p.strip_prefix(base).unwrap_or(&p);
            let Some(rel) = rel_local.to_str() else {
                return Err(
                    CliError::usage(format!("{} is not a UTF-8 file name", p.display())).into(),
                );
            };
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !wildcards.is_empty()
                && !wildcards.iter().any(|w| {
                    if w.contains('/') {
                        fnmatch(rel, w)
                    } else {
                        fnmatch(name, w)
                    }
                })
            {
                continue;
            }
            out.push(Local {
                path: p.clone(),
                rel: rel_join(folder, rel),
            });
        }
    }
    Ok(())
}

fn collect(
    paths: &[PathBuf],
    folder: Option<&str>,
    wildcards: &[String],
    recursive: bool,
) -> anyhow::Result<Vec<Local>> {
    let mut out = Vec::new();
    for p in paths {
        let abs = std::path::absolute(p)?;
        let meta = std::fs::metadata(&abs)
            .map_err(|_| CliError::not_found(format!("{} does not exist", p.display())))?;
        if meta.is_file() {
            let name = abs.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                CliError::usage(format!("{} is not a UTF-8 file name", p.display()))
            })?;
            out.push(Local {
                rel: rel_join(folder, name),
                path: abs,
            });
        } else {
            walk(&abs, &abs, folder, wildcards, recursive, &mut out)?;
        }
    }
    for l in &out {
        if !super::zip::safe_name(&l.rel) {
            return Err(CliError::usage(format!(
                "{:?} is not a valid path inside a dataset",
                l.rel
            ))
            .into());
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.dedup_by(|a, b| a.rel == b.rel);
    Ok(out)
}

/// sha256 and size of each file, 4 at a time.
async fn hash_all(ds: &Ds<'_>, locals: Vec<Local>) -> anyhow::Result<Vec<(Local, String, u64)>> {
    let bar = files::progress_bar(ds.ctx.out.progress, Some(locals.len() as u64), "hashing");
    let results: Vec<anyhow::Result<(Local, String, u64)>> = futures_util::stream::iter(locals)
        .map(|l| {
            let bar = bar.clone();
            async move {
                let size = tokio::fs::metadata(&l.path).await?.len();
                let h = files::sha256_file(&l.path).await.map_err(|e| {
                    CliError::failure(format!("cannot read {}: {e}", l.path.display()))
                })?;
                bar.inc(1);
                Ok((l, h, size))
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    bar.finish_and_clear();
    results.into_iter().collect()
}

/// Merge hashed local files into the state (the SDK's rules); returns (added, modified).
fn merge(o: &mut Open, hashed: Vec<(Local, String, u64)>) -> (u64, u64) {
    let id = o.id();
    let mut index: HashMap<String, usize> = o
        .state
        .dataset_file_entries
        .iter()
        .enumerate()
        .map(|(i, f)| (f.relative_path.clone(), i))
        .collect();
    let (mut added, mut modified) = (0, 0);
    for (l, hash, size) in hashed {
        let entry = FileEntry {
            relative_path: l.rel.clone(),
            hash: Some(hash.clone()),
            parent_dataset_id: Some(id.clone()),
            size: Some(size),
            artifact_name: None,
            local_path: Some(l.path.to_string_lossy().to_string()),
        };
        match index.get(&l.rel) {
            None => {
                // A link with the same content stays a link.
                if let Some(li) = o
                    .state
                    .dataset_link_entries
                    .iter()
                    .position(|x| x.relative_path == l.rel)
                {
                    if o.state.dataset_link_entries[li].hash.as_deref() == Some(hash.as_str()) {
                        continue;
                    }
                    o.state.dataset_link_entries.remove(li);
                    modified += 1;
                } else {
                    added += 1;
                }
                index.insert(l.rel.clone(), o.state.dataset_file_entries.len());
                o.state.dataset_file_entries.push(entry);
            }
            Some(&i) => {
                let cur = &o.state.dataset_file_entries[i];
                if cur.hash.as_deref() != Some(hash.as_str()) {
                    o.state.dataset_file_entries[i] = entry;
                    modified += 1;
                } else if cur.parent_dataset_id.as_deref() == Some(id.as_str())
                    && cur.local_path.is_some()
                {
                    // Not uploaded yet: the newest local copy is the one to upload.
                    o.state.dataset_file_entries[i] = entry;
                }
            }
        }
    }
    *o.counters.entry("files added".into()).or_default() += added;
    *o.counters.entry("files modified".into()).or_default() += modified;
    (added, modified)
}

pub async fn add(ds: &Ds<'_>, a: DatasetAddArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let locals = collect(
        &a.paths,
        a.dataset_folder.as_deref(),
        &a.wildcard,
        !a.non_recursive,
    )?;
    let n = locals.len();
    let hashed = hash_all(ds, locals).await?;
    let (added, modified) = merge(&mut o, hashed);
    save(ds, &mut o).await?;
    ds.ctx.out.info(format!(
        "{n} files looked at: {added} added, {modified} modified, {} waiting for upload",
        o.state.pending().len()
    ));
    report(ds, &o, added, modified, 0, 0, "in_progress");
    Ok(())
}

pub async fn remove(ds: &Ds<'_>, a: DatasetRemoveArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let recursive = !a.non_recursive;
    let pats: Vec<String> = a
        .paths
        .iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .collect();
    let hit = |path: &str| pats.iter().any(|w| matches_wildcard(path, w, recursive));
    let before = o.state.dataset_file_entries.len() + o.state.dataset_link_entries.len();
    o.state
        .dataset_file_entries
        .retain(|f| !hit(&f.relative_path));
    o.state.dataset_link_entries.retain(|l| {
        !hit(&l.relative_path)
            && !l
                .link
                .as_deref()
                .is_some_and(|x| pats.iter().any(|p| p == x))
    });
    let removed =
        (before - o.state.dataset_file_entries.len() - o.state.dataset_link_entries.len()) as u64;
    if removed == 0 {
        return Err(CliError::not_found(format!(
            "no file of dataset {} matches {}",
            o.id(),
            pats.join(", ")
        ))
        .with_hint("paths are relative to the dataset root; see 'clearml dataset show --files'")
        .into());
    }
    *o.counters.entry("files removed".into()).or_default() += removed;
    save(ds, &mut o).await?;
    ds.ctx.out.info(format!("{removed} files removed"));
    report(ds, &o, 0, 0, removed, 0, "in_progress");
    Ok(())
}

pub async fn sync(ds: &Ds<'_>, a: DatasetSyncArgs) -> anyhow::Result<()> {
    if !a.dir.is_dir() {
        return Err(CliError::not_found(format!("{} is not a folder", a.dir.display())).into());
    }
    let mut o = open(ds, &a.id).await?;
    let folder = a
        .dataset_folder
        .as_deref()
        .map(|f| f.trim_matches('/'))
        .filter(|f| !f.is_empty() && *f != ".");
    let prefix = folder.map(|f| format!("{f}/")).unwrap_or_default();
    let locals = collect(std::slice::from_ref(&a.dir), folder, &[], true)?;
    let present: HashSet<String> = locals.iter().map(|l| l.rel.clone()).collect();
    let before = o.state.dataset_file_entries.len() + o.state.dataset_link_entries.len();
    let keep = |p: &str| !p.starts_with(&prefix) || present.contains(p);
    o.state
        .dataset_file_entries
        .retain(|f| keep(&f.relative_path));
    o.state
        .dataset_link_entries
        .retain(|l| keep(&l.relative_path));
    let removed =
        (before - o.state.dataset_file_entries.len() - o.state.dataset_link_entries.len()) as u64;
    *o.counters.entry("files removed".into()).or_default() += removed;
    let hashed = hash_all(ds, locals).await?;
    let (added, modified) = merge(&mut o, hashed);
    save(ds, &mut o).await?;
    ds.ctx.out.info(format!(
        "synced with {}: {added} added, {modified} modified, {removed} removed, {} waiting for upload",
        a.dir.display(),
        o.state.pending().len()
    ));
    report(ds, &o, added, modified, removed, 0, "in_progress");
    Ok(())
}

// ------------------------------------------------------------------ upload

pub async fn upload_cmd(ds: &Ds<'_>, a: DatasetUploadArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let chunks = upload(ds, &mut o, a.chunk_size, a.parallel).await?;
    report(ds, &o, 0, 0, 0, chunks, "in_progress");
    Ok(())
}

/// Store the pending files in chunks; returns how many chunks were uploaded.
async fn upload(ds: &Ds<'_>, o: &mut Open, chunk_mib: u64, parallel: usize) -> anyhow::Result<u64> {
    let id = o.id();
    drop_orphan_chunks(ds, o).await?;
    let pending: Vec<FileEntry> = {
        let mut p: Vec<FileEntry> = o.state.pending().into_iter().cloned().collect();
        p.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
        p
    };
    if pending.is_empty() {
        ds.ctx.out.info("nothing to upload");
        return Ok(0);
    }
    // Each local file must still be what was hashed.
    for f in &pending {
        let lp = f.local_path.as_deref().unwrap_or("");
        let size = std::fs::metadata(lp).map(|m| m.len()).map_err(|_| {
            CliError::not_found(format!("{lp} (added as {:?}) is gone", f.relative_path))
                .with_hint("add it again, or remove it from the dataset")
        })?;
        if Some(size) != f.size {
            return Err(CliError::failure(format!(
                "{lp} changed since it was added (size {size}, was {})",
                f.size.unwrap_or(0)
            ))
            .with_hint("run 'clearml dataset add' (or sync) again to pick up the new content")
            .into());
        }
    }
    // Group into chunks of about chunk_mib of input.
    let limit = chunk_mib * 1024 * 1024;
    let mut groups: Vec<Vec<FileEntry>> = vec![];
    let mut cur: Vec<FileEntry> = vec![];
    let mut cur_size = 0u64;
    for f in pending {
        let s = f.size.unwrap_or(0);
        if !cur.is_empty() && cur_size + s > limit {
            groups.push(std::mem::take(&mut cur));
            cur_size = 0;
        }
        cur_size += s;
        cur.push(f);
    }
    if !cur.is_empty() {
        groups.push(cur);
    }
    let next = chunk_artifacts(&o.task)
        .iter()
        .filter_map(|a| state::chunk_index(a["key"].as_str()?))
        .max()
        .map(|m| m + 1)
        .unwrap_or(0);
    let names: Vec<String> = (0..groups.len() as u64)
        .map(|i| state::chunk_name(next + i))
        .collect();
    let total: u64 = groups.iter().flatten().filter_map(|f| f.size).sum();
    ds.ctx.out.info(format!(
        "uploading {} files ({}) in {} chunk(s) to {}",
        groups.iter().map(Vec::len).sum::<usize>(),
        crate::commands::sync::human_bytes(total),
        groups.len(),
        ds.files_host
    ));
    let bar = files::progress_bar(ds.ctx.out.progress, Some(total), "upload");
    let shared = Arc::new(Mutex::new(std::mem::replace(
        o,
        Open {
            task: Value::Null,
            state: State::default(),
            parent_entries: HashMap::new(),
            counters: BTreeMap::new(),
        },
    )));
    let dir = scratch(ds, &id);
    tokio::fs::create_dir_all(&dir).await?;
    let prefix = {
        let g = shared.lock().await;
        object_prefix(&g.task)
    };
    let bearer = ds.client.bearer().await.map_err(crate::api::into_anyhow)?;
    let results: Vec<anyhow::Result<()>> =
        futures_util::stream::iter(groups.into_iter().zip(names))
            .map(|(group, name)| {
                let dir = dir.clone();
                let shared = shared.clone();
                let bar = bar.clone();
                let prefix = prefix.clone();
                let bearer = bearer.clone();
                let id = id.clone();
                async move {
                    let zip_path = dir.join(format!("{name}.zip"));
                    let members: Vec<(String, PathBuf)> = group
                        .iter()
                        .map(|f| {
                            (
                                f.relative_path.clone(),
                                PathBuf::from(f.local_path.clone().unwrap_or_default()),
                            )
                        })
                        .collect();
                    let zp = zip_path.clone();
                    let preview = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
                        let mut w = super::zip::Writer::create(&zp, ZIP_LEVEL)?;
                        let mut preview = String::new();
                        for (rel, src) in &members {
                            w.add_file(rel, src).map_err(|e| {
                                CliError::failure(format!("cannot archive {}: {e}", src.display()))
                            })?;
                            if preview.len() < 32 * 1024 {
                                let size = std::fs::metadata(src).map(|m| m.len()).unwrap_or(0);
                                preview.push_str(&format!("{rel} - {size} bytes\n"));
                            }
                        }
                        w.finish()?;
                        Ok(preview)
                    })
                    .await??;
                    let file_name = format!("dataset.{id}.{name}.zip");
                    let object = format!("{prefix}/artifacts/{name}/{file_name}");
                    let up = files::upload(
                        ds.client.http(),
                        &ds.files_host,
                        &object,
                        &zip_path,
                        Some(&bearer),
                        false,
                        ds.client.request_timeout(),
                    )
                    .await?;
                    let art = json!({
                        "key": name,
                        "type": "custom",
                        "mode": "output",
                        "uri": up.url,
                        "content_size": up.size,
                        "hash": up.sha256,
                        "timestamp": now_secs(),
                        "type_data": {"preview": preview, "content_type": "application/zip"},
                    });
                    // Register the chunk, then the state that points at it: a kill between
                    // the two leaves an unreferenced chunk, which the next run drops.
                    let mut g = shared.lock().await;
                    ds.client
                        .call(
                            "tasks.add_or_update_artifacts",
                            &json!({"task": id, "artifacts": [art.clone()], "force": true}),
                        )
                        .await?;
                    upsert_artifact(&mut g.task, art);
                    let in_chunk: HashSet<&str> =
                        group.iter().map(|f| f.relative_path.as_str()).collect();
                    for f in g.state.dataset_file_entries.iter_mut() {
                        if in_chunk.contains(f.relative_path.as_str())
                            && f.parent_dataset_id.as_deref() == Some(id.as_str())
                            && f.local_path.is_some()
                        {
                            f.artifact_name = Some(name.clone());
                            f.local_path = None;
                        }
                    }
                    save(ds, &mut g).await?;
                    drop(g);
                    tokio::fs::remove_file(&zip_path).await.ok();
                    bar.inc(group.iter().filter_map(|f| f.size).sum());
                    Ok(())
                }
            })
            .buffer_unordered(parallel)
            .collect()
            .await;
    bar.finish_and_clear();
    let back = Arc::try_unwrap(shared)
        .map_err(|_| anyhow::anyhow!("upload tasks still running"))?
        .into_inner();
    *o = back;
    let mut done = 0u64;
    for r in results {
        r?;
        done += 1;
    }
    ds.ctx.out.info(format!("{done} chunk(s) uploaded"));
    Ok(done)
}

/// Chunk artifacts of this version that its state does not reference: what an upload cut
/// off between storing a chunk and saving the state left. Their files go too.
async fn drop_orphan_chunks(ds: &Ds<'_>, o: &mut Open) -> anyhow::Result<()> {
    let used = o.state.own_chunks();
    let orphans: Vec<(String, String)> = chunk_artifacts(&o.task)
        .iter()
        .filter_map(|a| {
            Some((
                a["key"].as_str()?.to_string(),
                a["uri"].as_str().unwrap_or("").to_string(),
            ))
        })
        .filter(|(k, _)| !used.contains(k))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    let bearer = ds.client.bearer().await.map_err(crate::api::into_anyhow)?;
    for (key, uri) in &orphans {
        if let Some(object) = object_of(&ds.files_host, uri) {
            files::delete(ds.client.http(), &ds.files_host, &object, Some(&bearer)).await?;
        }
        ds.client
            .call(
                "tasks.delete_artifacts",
                &json!({"task": o.id(), "artifacts": [{"key": key, "mode": "output"}], "force": true}),
            )
            .await?;
    }
    if let Some(list) = o.task["execution"]["artifacts"].as_array_mut() {
        list.retain(|a| !orphans.iter().any(|(k, _)| a["key"].as_str() == Some(k)));
    }
    ds.ctx.out.info(format!(
        "dropped {} chunk(s) an interrupted upload left unrecorded: {}",
        orphans.len(),
        orphans
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}

/// The object path of a URL on the files server (decoded), or `None` elsewhere.
fn object_of(files_host: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix(files_host)?.strip_prefix('/')?;
    Some(
        percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .to_string(),
    )
}

// ------------------------------------------------------------------ close, publish

pub async fn close(ds: &Ds<'_>, a: DatasetCloseArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let chunks = upload(ds, &mut o, a.chunk_size, 2).await?;
    // How many chunks each version has (the SDK reads this to split a copy into parts).
    let mut lookup = BTreeMap::new();
    for v in o.state.dependency_graph.keys() {
        let n = if *v == o.id() {
            chunk_artifacts(&o.task).len() as u64
        } else {
            chunk_artifacts(&ds.dataset_by_id(v).await?).len() as u64
        };
        lookup.insert(v.clone(), n);
    }
    o.state.dependency_chunk_lookup = Some(lookup);
    save(ds, &mut o).await?;
    report_struct(ds, &o).await?;
    report_content(ds, &o).await?;
    ds.client
        .call("tasks.completed", &json!({"task": o.id(), "force": true}))
        .await?;
    ds.ctx.out.info(format!(
        "closed dataset {} ({} files, {} B)",
        o.id(),
        o.state.file_count,
        o.state.total_size
    ));
    report(ds, &o, 0, 0, 0, chunks, "completed");
    if ds.ctx.out.format != Format::Json {
        println!("{}", o.id());
    }
    Ok(())
}

pub async fn publish(ds: &Ds<'_>, id: &DatasetId) -> anyhow::Result<()> {
    let id = target_id(ds, id)?;
    let t = ds.dataset_by_id(&id).await?;
    match t["status"].as_str().unwrap_or("") {
        "published" => {
            ds.ctx.out.info("already published");
        }
        "completed" | "closed" | "stopped" => {
            ds.client
                .call("tasks.publish", &json!({"task": id, "force": true}))
                .await?;
            ds.ctx.out.info(format!("published dataset {id}"));
        }
        s => {
            return Err(CliError::usage(format!(
                "dataset {id} is {s}: close it before publishing"
            ))
            .with_hint(format!("clearml dataset close --id {id}"))
            .into());
        }
    }
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json!({"id": id, "status": "published"}));
    } else {
        println!("{id}");
    }
    Ok(())
}

// ------------------------------------------------------------------ delete

pub async fn delete(ds: &Ds<'_>, a: DatasetDeleteArgs) -> anyhow::Result<()> {
    let t = ds.resolve(&a.which, false).await?;
    let targets: Vec<Value> = if a.all_versions {
        let hidden = t["project"]["name"].as_str().unwrap_or("").to_string();
        let name = t["name"].as_str().unwrap_or("").to_string();
        ds.versions(None, Some(&lookup::exact_regex(&name)), None)
            .await?
            .into_iter()
            .filter(|x| {
                x["project"]["name"].as_str() == Some(hidden.as_str())
                    && x["name"].as_str() == Some(name.as_str())
            })
            .collect()
    } else {
        vec![t]
    };
    let doomed: HashSet<String> = targets
        .iter()
        .filter_map(|x| x["id"].as_str().map(str::to_string))
        .collect();
    if !a.force {
        // Any other version whose graph names one of these uses its files.
        // A version that uses another was created after it: older ones need no look.
        let oldest = targets
            .iter()
            .filter_map(|x| x["created"].as_str())
            .min()
            .unwrap_or("")
            .to_string();
        let all = ds.versions(None, None, None).await?;
        let others: Vec<Value> = all
            .into_iter()
            .filter(|x| !x["id"].as_str().is_some_and(|i| doomed.contains(i)))
            .filter(|x| x["created"].as_str().is_none_or(|c| c >= oldest.as_str()))
            .collect();
        let states: Vec<anyhow::Result<(String, State)>> = futures_util::stream::iter(others)
            .map(|x| async move {
                let s = ds.state_of(&x).await?;
                Ok((x["id"].as_str().unwrap_or("").to_string(), s))
            })
            .buffer_unordered(8)
            .collect()
            .await;
        let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in states {
            let (user, s) = match r {
                Ok(x) => x,
                Err(e) => {
                    ds.ctx
                        .out
                        .warn(format!("could not read a dataset state: {e}"));
                    continue;
                }
            };
            for d in &doomed {
                if s.dependency_graph.contains_key(d)
                    || s.dependency_graph.values().any(|ps| ps.contains(d))
                {
                    users.entry(d.clone()).or_default().push(user.clone());
                }
            }
        }
        if let Some((d, u)) = users.iter().next() {
            return Err(CliError::usage(format!(
                "dataset {d} is a parent of {} other version(s) ({}): deleting it would break them",
                u.len(),
                u.join(", ")
            ))
            .with_hint("delete those first, or pass --force")
            .into());
        }
    }
    let bearer = if a.with_files {
        Some(ds.client.bearer().await.map_err(crate::api::into_anyhow)?)
    } else {
        None
    };
    let mut out = Vec::new();
    for x in &targets {
        let id = x["id"].as_str().unwrap_or("").to_string();
        let mut files_deleted = 0u64;
        if let Some(b) = &bearer {
            let urls: Vec<String> = x["execution"]["artifacts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["uri"].as_str().map(str::to_string))
                .collect();
            for u in urls {
                match object_of(&ds.files_host, &u) {
                    Some(object) => {
                        files::delete(ds.client.http(), &ds.files_host, &object, Some(b)).await?;
                        files_deleted += 1;
                    }
                    None => ds
                        .ctx
                        .out
                        .warn(format!("{u} is not on the files server: left in place")),
                }
            }
        }
        ds.client
            .call("tasks.delete", &json!({"task": id, "force": true}))
            .await?;
        ds.ctx.out.info(format!(
            "deleted dataset {} version {} ({id}){}",
            x["name"].as_str().unwrap_or(""),
            version_of(x).unwrap_or("-"),
            if a.with_files {
                format!(", {files_deleted} file(s) removed from the files server")
            } else {
                String::new()
            }
        ));
        out.push(json::to_value(&DatasetDeleted {
            id,
            name: x["name"].as_str().unwrap_or("").to_string(),
            version: version_of(x).map(str::to_string),
            files_deleted,
        }));
    }
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json_items(&out);
    }
    Ok(())
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
