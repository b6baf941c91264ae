//! `clearml dataset …`: versioned datasets in the SDK's own format on the server, so the
//! SDK's `Dataset.get(...).get_local_copy()` reads what this makes and this reads what the
//! SDK makes.
//!
//! A version is a `data_processing` task with the system tag `dataset` in the hidden project
//! `<project>/.datasets/<name>`; its `state` artifact (JSON, see [`state`]) lists every file
//! (path, sha256, size, the version and chunk artifact it is stored in) and the graph of
//! parent versions; its own files are in ZIP chunk artifacts `data`, `data_001`, ...

pub mod get;
pub mod json;
pub mod read;
pub mod state;
pub mod write;
pub mod zip;

use clearml_cmd_core::{api, cli, config, error, files, output};

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::api::Client;
use crate::api::lookup::{exact_regex, looks_like_id};
use crate::cli::{DatasetCommand, DatasetRef};
use crate::config::Settings;
use crate::error::CliError;
use clearml_cmd_core::Ctx;
use state::State;

/// The task fields every dataset command reads.
pub const TASK_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "type",
    "project.name",
    "runtime",
    "execution.artifacts",
    "system_tags",
    "tags",
    "created",
    "last_update",
    "comment",
];

/// The largest state document read (a state of 10^6 files is ~300 MB; more is not a state).
const MAX_STATE_BYTES: usize = 1 << 30;

pub async fn run(ctx: &Ctx, cmd: DatasetCommand) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    let ds = Ds {
        ctx,
        client,
        files_host: settings.files_host.value.trim_end_matches('/').to_string(),
        cache: crate::files::cache_dir(
            settings
                .file_config
                .get_path("sdk.storage.cache.default_base_dir")
                .and_then(|n| n.value.as_text())
                .as_deref(),
        ),
    };
    match cmd {
        DatasetCommand::List(a) => read::list(&ds, a).await,
        DatasetCommand::Show { which, files } => read::show(&ds, &which, files).await,
        DatasetCommand::Get(a) => get::get(&ds, a).await,
        DatasetCommand::Verify { which, dir } => read::verify(&ds, &which, &dir).await,
        DatasetCommand::Diff { a, b, project } => read::diff(&ds, &a, &b, project.as_deref()).await,
        DatasetCommand::Delete(a) => write::delete(&ds, a).await,
        DatasetCommand::Create(a) => write::create(&ds, a).await,
        DatasetCommand::Add(a) => write::add(&ds, a).await,
        DatasetCommand::Remove(a) => write::remove(&ds, a).await,
        DatasetCommand::Sync(a) => write::sync(&ds, a).await,
        DatasetCommand::Upload(a) => write::upload_cmd(&ds, a).await,
        DatasetCommand::Close(a) => write::close(&ds, a).await,
        DatasetCommand::Publish { id } => write::publish(&ds, &id).await,
    }
}

/// What every dataset command works with.
pub struct Ds<'a> {
    pub ctx: &'a Ctx,
    pub client: Client,
    /// The configured files server, without a trailing slash.
    pub files_host: String,
    /// The SDK's cache root.
    pub cache: PathBuf,
}

impl Ds<'_> {
    /// The bearer token for `url` when it is on the configured files server (the SDK sends
    /// it nowhere else).
    pub async fn bearer_for(&self, url: &str) -> anyhow::Result<Option<String>> {
        if !self.files_host.is_empty() && url.starts_with(&self.files_host) {
            Ok(Some(
                self.client
                    .bearer()
                    .await
                    .map_err(crate::api::into_anyhow)?,
            ))
        } else {
            Ok(None)
        }
    }

    /// A small file (the state JSON) into memory.
    pub async fn fetch_bytes(&self, url: &str, limit: usize) -> anyhow::Result<Vec<u8>> {
        check_http(url)?;
        let mut req = self.client.http().get(url);
        if let Some(b) = self.bearer_for(url).await? {
            req = req.bearer_auth(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| crate::api::into_anyhow(crate::api::classify_transport(url, &e)))?;
        match resp.status().as_u16() {
            200 => {}
            404 => return Err(CliError::not_found(format!("{url} is not on the server")).into()),
            s => return Err(CliError::failure(format!("cannot download {url}: HTTP {s}")).into()),
        }
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        use futures_util::StreamExt;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk
                .map_err(|e| crate::api::into_anyhow(crate::api::classify_transport(url, &e)))?;
            if body.len() + chunk.len() > limit {
                return Err(
                    CliError::failure(format!("{url} is larger than {limit} bytes")).into(),
                );
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// A dataset task by id (any status, hidden included), or `None`.
    pub async fn task_by_id(&self, id: &str) -> anyhow::Result<Option<Value>> {
        let found = self
            .client
            .call(
                "tasks.get_all_ex",
                &json!({"id": [id], "only_fields": TASK_FIELDS, "search_hidden": true}),
            )
            .await?;
        Ok(found["tasks"].as_array().and_then(|t| t.first()).cloned())
    }

    /// A dataset version by id, refusing a task that is not a dataset.
    pub async fn dataset_by_id(&self, id: &str) -> anyhow::Result<Value> {
        let t = self.task_by_id(id).await?.ok_or_else(|| {
            CliError::not_found(format!("no dataset with id {id}"))
                .with_hint("see 'clearml dataset list --all-versions'")
        })?;
        if !is_dataset(&t) {
            return Err(CliError::usage(format!("task {id} is not a dataset"))
                .with_hint("see 'clearml dataset list'")
                .into());
        }
        Ok(t)
    }

    /// Every version of datasets matching the filters (hidden included), newest first.
    pub async fn versions(
        &self,
        project: Option<&str>,
        name: Option<&str>,
        statuses: Option<&[&str]>,
    ) -> anyhow::Result<Vec<Value>> {
        let mut body = json!({
            "system_tags": [state::DATASET_TAG],
            "type": ["data_processing"],
            "only_fields": TASK_FIELDS,
            "order_by": ["-last_update"],
            "search_hidden": true,
        });
        if let Some(n) = name {
            body["name"] = json!(n);
        }
        if let Some(s) = statuses {
            body["status"] = json!(s);
        }
        if let Some(p) = project {
            let ids = self.dataset_projects(p).await?;
            if ids.is_empty() {
                return Ok(vec![]);
            }
            body["project"] = json!(ids);
        }
        let all = self
            .client
            .get_all("tasks.get_all_ex", &body, "tasks", None)
            .await?;
        Ok(all.into_iter().filter(is_dataset).collect())
    }

    /// Ids of the hidden dataset projects under user project `p` (`p/.datasets/...`, also in
    /// subprojects of `p`).
    async fn dataset_projects(&self, p: &str) -> anyhow::Result<Vec<String>> {
        let p = p.trim_matches('/');
        let listed = self
            .client
            .get_all(
                "projects.get_all",
                &json!({
                    "name": format!("^{}/", regex::escape(p)),
                    "only_fields": ["id", "name"],
                    "search_hidden": true,
                }),
                "projects",
                None,
            )
            .await?;
        Ok(listed
            .iter()
            .filter(|x| {
                x["name"]
                    .as_str()
                    .is_some_and(|n| n.contains("/.datasets/"))
            })
            .filter_map(|x| x["id"].as_str().map(str::to_string))
            .collect())
    }

    /// The version a read command names: an id, or a name's highest version (or `--version`).
    /// `finalized`: only closed/published versions (a draft has no complete state).
    pub async fn resolve(&self, which: &DatasetRef, finalized: bool) -> anyhow::Result<Value> {
        self.resolve_spec(
            &which.dataset,
            which.project.as_deref(),
            which.version.as_deref(),
            finalized,
        )
        .await
    }

    pub async fn resolve_spec(
        &self,
        spec: &str,
        project: Option<&str>,
        version: Option<&str>,
        finalized: bool,
    ) -> anyhow::Result<Value> {
        if looks_like_id(spec)
            && let Some(t) = self.task_by_id(spec).await?
        {
            if !is_dataset(&t) {
                return Err(CliError::usage(format!("task {spec} is not a dataset")).into());
            }
            return Ok(t);
        }
        let statuses: &[&str] = if finalized {
            &["completed", "published", "closed", "stopped"]
        } else {
            &[]
        };
        let found = self
            .versions(
                project,
                Some(&exact_regex(spec)),
                (!statuses.is_empty()).then_some(statuses),
            )
            .await?;
        let found: Vec<Value> = found
            .into_iter()
            .filter(|t| t["name"].as_str() == Some(spec))
            .filter(|t| version.is_none_or(|v| version_of(t) == Some(v)))
            .collect();
        let chosen = latest_version(&found).cloned();
        chosen.ok_or_else(|| {
            let what = match version {
                Some(v) => format!(
                    "no {}dataset '{spec}' version {v}",
                    if finalized { "closed " } else { "" }
                ),
                None => format!(
                    "no {}dataset with id or name '{spec}'",
                    if finalized { "closed " } else { "" }
                ),
            };
            CliError::not_found(what)
                .with_hint("see 'clearml dataset list --all-versions'")
                .into()
        })
    }

    /// A version's state (an empty one when it has none yet).
    pub async fn state_of(&self, task: &Value) -> anyhow::Result<State> {
        let id = task["id"].as_str().unwrap_or_default();
        match artifact(task, state::STATE_ARTIFACT).and_then(|a| a["uri"].as_str()) {
            Some(uri) => {
                let bytes = self.fetch_bytes(uri, MAX_STATE_BYTES).await?;
                let mut s = State::parse(&bytes)
                    .map_err(|e| CliError::failure(format!("dataset {id}: {e}")))?;
                if s.id.is_empty() {
                    s.id = id.to_string();
                }
                s.dependency_graph.entry(s.id.clone()).or_default();
                Ok(s)
            }
            None => Ok(State::new(id, vec![])),
        }
    }
}

/// Only http(s) is fetched: a state or chunk URI on cloud storage needs the SDK.
pub fn check_http(url: &str) -> anyhow::Result<()> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Ok(());
    }
    let scheme = url.split("://").next().unwrap_or(url);
    Err(CliError::failure(format!(
        "the dataset is stored on {scheme}:// ({url}), which this tool does not read yet"
    ))
    .with_hint("use the SDK (Dataset.get(...).get_local_copy()) for cloud storage")
    .into())
}

pub fn is_dataset(t: &Value) -> bool {
    t["system_tags"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(state::DATASET_TAG)))
}

/// A task's artifact by key.
pub fn artifact<'a>(task: &'a Value, key: &str) -> Option<&'a Value> {
    task["execution"]["artifacts"]
        .as_array()?
        .iter()
        .find(|a| a["key"].as_str() == Some(key))
}

/// The data chunk artifacts of a version, in chunk order.
pub fn chunk_artifacts(task: &Value) -> Vec<&Value> {
    let mut v: Vec<(u64, &Value)> = task["execution"]["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| Some((state::chunk_index(a["key"].as_str()?)?, a)))
        .collect();
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, a)| a).collect()
}

pub fn version_of(t: &Value) -> Option<&str> {
    t["runtime"]["version"].as_str()
}

/// The user's project of a version (without `/.datasets/<name>`).
pub fn project_of(t: &Value) -> String {
    state::visible_project(t["project"]["name"].as_str().unwrap_or("")).to_string()
}

/// The highest semantic version among `found` (ties and unversioned: the latest updated,
/// which comes first in the server's order).
pub fn latest_version(found: &[Value]) -> Option<&Value> {
    let mut best: Option<&Value> = None;
    for t in found {
        best = match best {
            None => Some(t),
            Some(b) => {
                let (bv, tv) = (version_of(b).unwrap_or(""), version_of(t).unwrap_or(""));
                if state::version_cmp(tv, bv) == std::cmp::Ordering::Greater {
                    Some(t)
                } else {
                    Some(b)
                }
            }
        }
    }
    best
}

/// Whether the version was finalized (closed): its files can be read.
pub fn is_final(t: &Value) -> bool {
    !matches!(
        t["status"].as_str(),
        Some("created" | "in_progress" | "failed" | "queued") | None
    )
}

/// Where `create` records the id it printed, for the write commands run without `--id`.
pub fn last_created_path() -> PathBuf {
    crate::config::home_dir()
        .join(".clearml")
        .join("cli")
        .join("last_dataset")
}
