//! The copy: projects, queues, models and tasks (fields, artifacts, events, status), with
//! every id rewritten through the map and files moved between the file servers.
//!
//! Two phases, so references in any direction resolve: first every object gets its
//! target id (found through the state file or the sync tag, else created bare), then
//! each is filled in: task parents, a model's task, a controller's step ids in its
//! `Pipeline` configuration and `${step.id}` values all point at target ids by then.

mod files;
mod fill;
mod ids;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::events::{Cursor, target_event_digests};
use super::rewrite::{
    event_digest, event_for, file_path, file_url, origin_of, rewrite_ids_in, status_calls,
    tags_with_origin,
};
use super::state::{Copied, Done, State};
use super::{Counts, Endpoint, Options, Report, Skipped, Source};
use crate::SyncError;
use clearml_api::{Kind, kind_of};
use clearml_error::one_line;

/// Events per `events.add_batch` request.
const EVENTS_PER_BATCH: usize = 1000;
/// The real server's event count stops here; at or past it counts cannot tell a change.
const EVENT_COUNT_CAP: u64 = 10_000;
/// Longest time between two writes of the state file while copying.
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// Copy what `opts` selects from `src` to `dst`. `progress` is called now and then with
/// the counts so far. Objects the target refuses are in the report's `skipped`; a failure
/// that stops everything (the target unreachable, credentials refused) is an error, with
/// the state saved so far kept.
pub async fn run<S: Source>(
    src: &S,
    dst: &Endpoint,
    opts: &Options,
    progress: &dyn Fn(&Counts, Duration),
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let state = State::load(&opts.state_path, src.origin(), dst.client.api_host())?;
    let tmp = std::env::temp_dir().join(format!(
        "clearml-sync-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let engine = Engine {
        src,
        dst,
        opts,
        ids: RefCell::new(HashMap::new()),
        state: RefCell::new(state),
        report: RefCell::new(Report::default()),
        target_status: RefCell::new(HashMap::new()),
        fresh: RefCell::new(HashSet::new()),
        queue_names: RefCell::new(HashMap::new()),
        incomplete: RefCell::new(HashSet::new()),
        tmp,
        file_seq: Cell::new(0),
        last_save: Cell::new(Instant::now()),
        last_progress: Cell::new(Instant::now()),
        started,
        progress,
    };
    let result = engine.copy_all().await;
    let _ = std::fs::remove_dir_all(&engine.tmp);
    if !opts.dry_run {
        engine.state.borrow().save(&opts.state_path)?;
    }
    result?;
    let mut report = engine.report.into_inner();
    report.elapsed = started.elapsed();
    Ok(report)
}

struct Engine<'a, S: Source> {
    src: &'a S,
    dst: &'a Endpoint,
    opts: &'a Options,
    /// Source id -> target id of every project, task and model (for rewriting text).
    ids: RefCell<HashMap<String, String>>,
    state: RefCell<State>,
    report: RefCell<Report>,
    /// Target task id -> its status there (from the index, then as changed).
    target_status: RefCell<HashMap<String, String>>,
    /// Source ids of tasks created on the target by this run (nothing to compare there).
    fresh: RefCell<HashSet<String>>,
    queue_names: RefCell<HashMap<String, String>>,
    /// Source ids of objects a file of which the source could not give: not marked done.
    incomplete: RefCell<HashSet<String>>,
    tmp: PathBuf,
    file_seq: Cell<u64>,
    last_save: Cell<Instant>,
    last_progress: Cell<Instant>,
    started: Instant,
    progress: &'a dyn Fn(&Counts, Duration),
}

/// What the target already holds in the mapped projects: ids, origins, statuses.
#[derive(Default)]
struct Index {
    ids: HashSet<String>,
    /// Source id (from the sync tag) -> target id.
    by_origin: HashMap<String, String>,
}

/// A file the source's file server did not give (missing, refused, redirected away).
#[derive(Debug)]
struct SourceFileMissing(String);

impl std::fmt::Display for SourceFileMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SourceFileMissing {}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

impl<S: Source> Engine<'_, S> {
    async fn copy_all(&self) -> anyhow::Result<()> {
        let Gathered {
            mut projects,
            tasks,
            models,
            queues,
        } = gather(self.src, &self.opts.projects, self.opts.since).await?;
        *self.queue_names.borrow_mut() = queues
            .iter()
            .map(|q| (s(&q["id"]).to_string(), s(&q["name"]).to_string()))
            .collect();
        self.report.borrow_mut().counts.tasks_total = tasks.len() as u64;

        self.map_projects(&mut projects).await?;
        let (task_index, model_index) = self.index_target().await?;
        self.map_objects("task", &tasks, &task_index).await?;
        self.map_objects("model", &models, &model_index).await?;
        // Queues before tasks go side by side: one queue name, one target queue.
        let queue_ids: HashSet<&str> = tasks
            .iter()
            .filter_map(|t| t["execution"]["queue"].as_str())
            .collect();
        for q in queue_ids {
            self.map_queue(q).await?;
        }
        self.maybe_save(true)?;

        for m in &models {
            if let Err(e) = self.fill_model(m).await {
                self.skip_or_stop("model", m, e)?;
            }
        }
        let concurrency = self.opts.concurrency.max(1);
        let mut jobs = futures_util::stream::iter(tasks.iter())
            .map(|t| async move { (t, self.fill_task(t).await) })
            .buffer_unordered(concurrency);
        while let Some((t, result)) = jobs.next().await {
            if let Err(e) = result {
                self.skip_or_stop("task", t, e)?;
            }
            self.maybe_save(false)?;
            self.maybe_progress();
        }
        drop(jobs);
        (self.progress)(&self.report.borrow().counts, self.started.elapsed());
        Ok(())
    }

    /// Record a refused object and go on, unless the failure stops every other object too.
    fn skip_or_stop(
        &self,
        kind: &'static str,
        obj: &Value,
        e: anyhow::Error,
    ) -> anyhow::Result<()> {
        if matches!(kind_of(&e), Some(Kind::Unreachable | Kind::AuthRefused)) {
            return Err(e);
        }
        self.report.borrow_mut().skipped.push(Skipped {
            kind,
            id: s(&obj["id"]).to_string(),
            name: s(&obj["name"]).to_string(),
            reason: one_line(&e),
        });
        Ok(())
    }

    fn maybe_save(&self, now: bool) -> anyhow::Result<()> {
        if self.opts.dry_run || (!now && self.last_save.get().elapsed() < SAVE_EVERY) {
            return Ok(());
        }
        self.state.borrow().save(&self.opts.state_path)?;
        self.last_save.set(Instant::now());
        Ok(())
    }

    fn maybe_progress(&self) {
        if self.last_progress.get().elapsed() >= Duration::from_secs(1) {
            (self.progress)(&self.report.borrow().counts, self.started.elapsed());
            self.last_progress.set(Instant::now());
        }
    }

    fn map_id(&self, source: &str) -> Option<String> {
        self.ids.borrow().get(source).cloned()
    }
}

/// What a run copies, as read from the source.
pub(super) struct Gathered {
    /// The selected projects and those of models the tasks use.
    pub projects: Vec<Value>,
    pub tasks: Vec<Value>,
    pub models: Vec<Value>,
    /// Every queue of the source (id, name), to name the queues tasks point at.
    pub queues: Vec<Value>,
}

/// Read what `wanted` (project names, with sub-projects; empty: all) and `since` select.
pub(super) async fn gather<S: Source>(
    src: &S,
    wanted: &[String],
    since: Option<Duration>,
) -> anyhow::Result<Gathered> {
    let all_projects = src.projects().await?;
    let mut projects = select_projects(&all_projects, wanted)?;
    let mut project_ids: Vec<String> = projects.iter().map(|p| s(&p["id"]).to_string()).collect();
    let mut tasks = src.tasks(&project_ids).await?;
    if let Some(since) = since {
        let cutoff = chrono::Utc::now() - chrono::Duration::from_std(since)?;
        tasks.retain(|t| {
            chrono::DateTime::parse_from_rfc3339(s(&t["last_update"])).is_ok_and(|d| d >= cutoff)
        });
    }
    // Models the tasks use, wherever they live, come along (with their projects).
    let model_refs: Vec<String> = tasks
        .iter()
        .flat_map(|t| {
            ["input", "output"].into_iter().flat_map(move |dir| {
                t["models"][dir]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m["model"].as_str().map(str::to_string))
            })
        })
        .collect();
    let models = src.models(&project_ids, &model_refs).await?;
    for m in &models {
        let pid = s(&m["project"]);
        if !pid.is_empty()
            && !project_ids.iter().any(|p| p == pid)
            && let Some(p) = all_projects.iter().find(|p| s(&p["id"]) == pid)
        {
            projects.push(p.clone());
            project_ids.push(pid.to_string());
        }
    }
    let queues = src.queues().await?;
    Ok(Gathered {
        projects,
        tasks,
        models,
        queues,
    })
}

/// The projects named (each with its sub-projects), or every project; a name that
/// matches nothing is an error (exit 5).
fn select_projects(all: &[Value], wanted: &[String]) -> anyhow::Result<Vec<Value>> {
    if wanted.is_empty() {
        return Ok(all.to_vec());
    }
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for w in wanted {
        let w = w.trim().trim_end_matches('/');
        let prefix = format!("{w}/");
        let mut hit = false;
        for p in all {
            let name = s(&p["name"]);
            if name == w || name.starts_with(&prefix) {
                out.insert(s(&p["id"]).to_string(), p.clone());
                hit = true;
            }
        }
        if !hit {
            return Err(
                SyncError::missing(format!("no project '{w}' on the source"))
                    .with_hint("give the full path (parent/child); names are case-sensitive")
                    .into(),
            );
        }
    }
    Ok(out.into_values().collect())
}

/// What a model's copy depends on: a change in any of these copies it again.
fn model_version(m: &Value) -> String {
    use md5::Digest;
    let fields: Vec<&Value> = [
        "name",
        "uri",
        "framework",
        "design",
        "labels",
        "ready",
        "tags",
        "system_tags",
        "comment",
        "task",
        "project",
        "parent",
        "metadata",
    ]
    .iter()
    .map(|k| &m[*k])
    .collect();
    let text = serde_json::to_string(&fields).unwrap_or_default();
    hex::encode(md5::Md5::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_are_selected_with_their_sub_projects_only() {
        let all = vec![
            json!({"id": "1", "name": "Exp"}),
            json!({"id": "2", "name": "Exp/.pipelines/p"}),
            json!({"id": "3", "name": "Experiments"}),
        ];
        let got = select_projects(&all, &["Exp".into()]).unwrap();
        let ids: Vec<&str> = got.iter().map(|p| s(&p["id"])).collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(select_projects(&all, &[]).unwrap().len(), 3);
        let err = select_projects(&all, &["Nope".into()]).unwrap_err();
        assert!(
            err.chain()
                .any(|e| matches!(e.downcast_ref::<SyncError>(), Some(SyncError::Missing(_)))),
            "{err}"
        );
    }

    #[test]
    fn a_model_version_changes_with_what_is_copied() {
        let a = json!({"name": "m", "uri": "u", "ready": false});
        let mut b = a.clone();
        assert_eq!(model_version(&a), model_version(&b));
        b["ready"] = json!(true);
        assert_ne!(model_version(&a), model_version(&b));
        b["ready"] = json!(false);
        b["last_update"] = json!("later");
        assert_eq!(model_version(&a), model_version(&b));
    }
}
