//! The copy: projects, queues, models and tasks (fields, artifacts, events, status), with
//! every id rewritten through the map and files moved between the file servers.
//!
//! Two phases, so references in any direction resolve: first every object gets its
//! target id (found through the state file or the sync tag, else created bare), then
//! each is filled in: task parents, a model's task, a controller's step ids in its
//! `Pipeline` configuration and `${step.id}` values all point at target ids by then.

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
use clearml_api::exit_of;
use clearml_error::{CliError, Exit, one_line};

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
        if matches!(exit_of(&e), Exit::Unreachable | Exit::AuthRefused) {
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

    // ------------------------------------------------------------ projects and queues

    /// Every selected project found or made on the target by its full name, parents first.
    async fn map_projects(&self, selected: &mut [Value]) -> anyhow::Result<()> {
        selected.sort_by(|a, b| s(&a["name"]).cmp(s(&b["name"])));
        let existing: HashMap<String, String> = self
            .dst
            .client
            .get_all(
                "projects.get_all",
                &json!({"search_hidden": true, "only_fields": ["id", "name"]}),
                "projects",
                None,
            )
            .await?
            .iter()
            .map(|p| (s(&p["name"]).to_string(), s(&p["id"]).to_string()))
            .collect();
        for p in selected.iter() {
            let (sid, name) = (s(&p["id"]), s(&p["name"]));
            let target = match existing.get(name) {
                Some(id) => Some(id.clone()),
                None if self.opts.dry_run => {
                    self.report.borrow_mut().counts.projects_created += 1;
                    None
                }
                None => {
                    let mut body = json!({"name": name, "description": s(&p["description"])});
                    for k in ["tags", "system_tags"] {
                        if p[k].is_array() {
                            body[k] = p[k].clone();
                        }
                    }
                    match self.dst.client.call("projects.create", &body).await {
                        Ok(data) => {
                            self.report.borrow_mut().counts.projects_created += 1;
                            Some(s(&data["id"]).to_string())
                        }
                        Err(e) => {
                            self.skip_or_stop("project", p, e)?;
                            None
                        }
                    }
                }
            };
            if let Some(t) = target {
                self.state
                    .borrow_mut()
                    .projects
                    .insert(sid.to_string(), t.clone());
                self.ids.borrow_mut().insert(sid.to_string(), t);
            }
        }
        Ok(())
    }

    /// The target queue for a source queue id (found by name, else created).
    async fn map_queue(&self, source: &str) -> anyhow::Result<Option<String>> {
        if let Some(t) = self.state.borrow().queues.get(source) {
            return Ok(Some(t.clone()));
        }
        let Some(name) = self.queue_names.borrow().get(source).cloned() else {
            return Ok(None);
        };
        let found = self
            .dst
            .client
            .call(
                "queues.get_all",
                &json!({"name": clearml_api::lookup::exact_regex(&name), "only_fields": ["id", "name"]}),
            )
            .await?;
        let existing = found["queues"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|q| s(&q["name"]) == name)
            .map(|q| s(&q["id"]).to_string());
        let id = match existing {
            Some(id) => id,
            None if self.opts.dry_run => {
                self.report.borrow_mut().counts.queues_created += 1;
                return Ok(None);
            }
            None => {
                let data = self
                    .dst
                    .client
                    .call("queues.create", &json!({"name": name}))
                    .await?;
                self.report.borrow_mut().counts.queues_created += 1;
                s(&data["id"]).to_string()
            }
        };
        self.state
            .borrow_mut()
            .queues
            .insert(source.to_string(), id.clone());
        Ok(Some(id))
    }

    // ------------------------------------------------------------ phase 1: ids

    /// Tasks and models already in the mapped target projects, with their sync tags.
    async fn index_target(&self) -> anyhow::Result<(Index, Index)> {
        let targets: Vec<String> = self.state.borrow().projects.values().cloned().collect();
        let (mut tasks, mut models) = (Index::default(), Index::default());
        for chunk in targets.chunks(100) {
            for t in self
                .dst
                .client
                .get_all(
                    "tasks.get_all",
                    &json!({"project": chunk, "search_hidden": true,
                            "only_fields": ["id", "system_tags", "status"]}),
                    "tasks",
                    None,
                )
                .await?
            {
                let id = s(&t["id"]).to_string();
                if let Some(origin) = origin_of(&t["system_tags"]) {
                    tasks.by_origin.insert(origin.to_string(), id.clone());
                }
                self.target_status
                    .borrow_mut()
                    .insert(id.clone(), s(&t["status"]).to_string());
                tasks.ids.insert(id);
            }
            for m in self
                .dst
                .client
                .get_all(
                    "models.get_all",
                    &json!({"project": chunk, "only_fields": ["id", "system_tags"]}),
                    "models",
                    None,
                )
                .await?
            {
                let id = s(&m["id"]).to_string();
                if let Some(origin) = origin_of(&m["system_tags"]) {
                    models.by_origin.insert(origin.to_string(), id.clone());
                }
                models.ids.insert(id);
            }
        }
        Ok((tasks, models))
    }

    /// Give every object a target id: the state file's (when the target still has it),
    /// else the copy carrying its sync tag, else the original it was copied from, else a
    /// new bare object.
    async fn map_objects(
        &self,
        kind: &'static str,
        objs: &[Value],
        index: &Index,
    ) -> anyhow::Result<()> {
        for obj in objs {
            let sid = s(&obj["id"]).to_string();
            let known = {
                let state = self.state.borrow();
                let entries = if kind == "task" {
                    &state.tasks
                } else {
                    &state.models
                };
                entries.get(&sid).map(|c| c.id.clone())
            };
            let found = known
                .filter(|id| index.ids.contains(id))
                .or_else(|| index.by_origin.get(&sid).cloned())
                .or_else(|| {
                    origin_of(&obj["system_tags"])
                        .filter(|o| index.ids.contains(*o))
                        .map(str::to_string)
                });
            let target = match found {
                Some(id) => id,
                None if self.opts.dry_run => continue,
                None => match self.create_bare(kind, obj).await {
                    Ok(id) => {
                        self.fresh.borrow_mut().insert(sid.clone());
                        id
                    }
                    Err(e) => {
                        self.skip_or_stop(kind, obj, e)?;
                        continue;
                    }
                },
            };
            {
                let mut state = self.state.borrow_mut();
                let entries = if kind == "task" {
                    &mut state.tasks
                } else {
                    &mut state.models
                };
                let entry = entries.entry(sid.clone()).or_default();
                if entry.id != target {
                    *entry = Copied {
                        id: target.clone(),
                        done: None,
                    };
                }
            }
            self.ids.borrow_mut().insert(sid, target);
            self.maybe_save(false)?;
        }
        Ok(())
    }

    async fn create_bare(&self, kind: &str, obj: &Value) -> anyhow::Result<String> {
        let sid = s(&obj["id"]);
        let project = self.map_id(s(&obj["project"]));
        let mut body = json!({
            "name": obj["name"],
            "system_tags": tags_with_origin(&obj["system_tags"], sid),
        });
        if let Some(p) = project {
            body["project"] = json!(p);
        }
        let endpoint = if kind == "task" {
            body["type"] = obj["type"].clone();
            "tasks.create"
        } else {
            body["uri"] = json!(self.planned_url(s(&obj["uri"])));
            body["ready"] = json!(false);
            "models.create"
        };
        let data = self.dst.client.call(endpoint, &body).await?;
        if kind == "task" {
            let id = s(&data["id"]).to_string();
            self.target_status
                .borrow_mut()
                .insert(id.clone(), "created".into());
            Ok(id)
        } else {
            Ok(s(&data["id"]).to_string())
        }
    }

    // ------------------------------------------------------------ files

    /// Where a source file will live on the target (unchanged when it is not the
    /// source file server's, or files are not copied).
    fn planned_url(&self, url: &str) -> String {
        match file_path(url, self.src.files_host()) {
            Some(path) if self.opts.with_files && !self.dst.files_host.is_empty() => {
                file_url(&self.dst.files_host, &path)
            }
            _ => url.to_string(),
        }
    }

    /// Copy one file from the source's file server to the target's; its target URL.
    async fn copy_file(&self, url: &str) -> anyhow::Result<String> {
        let Some(path) = file_path(url, self.src.files_host()) else {
            return Ok(url.to_string());
        };
        if !self.opts.with_files {
            return Ok(url.to_string());
        }
        if let Some(done) = self.state.borrow().files.get(url) {
            return Ok(done.clone());
        }
        if self.dst.files_host.is_empty() {
            return Err(CliError::usage("the target has no file server configured")
                .with_hint("set api.files_server in the target's clearml.conf (or CLEARML_FILES_HOST), or use --metadata-only")
                .into());
        }
        if self.opts.dry_run {
            let size = self.src.file_size(url).await.unwrap_or(0);
            let mut r = self.report.borrow_mut();
            r.counts.files += 1;
            r.counts.bytes += size;
            return Ok(self.planned_url(url));
        }
        let seq = self.file_seq.get() + 1;
        self.file_seq.set(seq);
        let local = self.tmp.join(format!("file-{seq}"));
        let size = match self.src.fetch_file(url, &local).await {
            Ok(size) => size,
            Err(e) if matches!(exit_of(&e), Exit::AuthRefused) => return Err(e),
            Err(e) => {
                let _ = std::fs::remove_file(&local);
                return Err(SourceFileMissing(one_line(&e)).into());
            }
        };
        let bearer = self
            .dst
            .client
            .bearer()
            .await
            .map_err(clearml_api::into_anyhow)?;
        let up = clearml_api::files::upload(
            self.dst.client.http(),
            &self.dst.files_host,
            &path,
            &local,
            Some(&bearer),
            false,
            self.dst.client.request_timeout(),
        )
        .await;
        let _ = std::fs::remove_file(&local);
        let up = up?;
        self.state
            .borrow_mut()
            .files
            .insert(url.to_string(), up.url.clone());
        let mut r = self.report.borrow_mut();
        r.counts.files += 1;
        r.counts.bytes += size;
        Ok(up.url)
    }

    /// [`Engine::copy_file`] for a file of source object `owner` (kind, id, name): one the
    /// source cannot give is listed as the source's (the copy keeps the source's URL and
    /// the owner is not marked done, so a later run tries again); the rest goes on.
    async fn copy_file_of(
        &self,
        url: &str,
        owner: (&'static str, &str, &str),
    ) -> anyhow::Result<String> {
        match self.copy_file(url).await {
            Err(e) if e.is::<SourceFileMissing>() => {
                let (kind, id, name) = owner;
                self.incomplete.borrow_mut().insert(id.to_string());
                self.report.borrow_mut().skipped.push(Skipped {
                    kind: "file",
                    id: url.to_string(),
                    name: format!("of {kind} '{name}' ({id})"),
                    reason: format!("the source cannot give it: {e}"),
                });
                Ok(url.to_string())
            }
            other => other,
        }
    }

    // ------------------------------------------------------------ phase 2: models

    async fn fill_model(&self, m: &Value) -> anyhow::Result<()> {
        let sid = s(&m["id"]);
        let version = model_version(m);
        let (target, done) = match self.state.borrow().models.get(sid) {
            Some(c) => (Some(c.id.clone()), c.done.clone()),
            None => (None, None),
        };
        if target.is_none() && !self.opts.dry_run {
            return Ok(()); // the target refused to make it: already listed in `skipped`
        }
        let unchanged = done.as_ref().is_some_and(|d| d.version == version);
        if unchanged {
            self.report.borrow_mut().counts.models_unchanged += 1;
            return Ok(());
        }
        {
            let is_new = target.is_none() || self.fresh.borrow().contains(sid);
            let mut r = self.report.borrow_mut();
            if is_new {
                r.counts.models_copied += 1;
            } else {
                r.counts.models_updated += 1;
            }
        }
        let uri = self
            .copy_file_of(s(&m["uri"]), ("model", sid, s(&m["name"])))
            .await?;
        let Some(target) = target else {
            return Ok(()); // dry run: nothing made
        };
        if self.opts.dry_run {
            return Ok(());
        }
        let mut body = json!({"model": target, "uri": uri,
            "system_tags": tags_with_origin(&m["system_tags"], sid)});
        for k in [
            "name",
            "comment",
            "tags",
            "framework",
            "design",
            "labels",
            "metadata",
        ] {
            if !m[k].is_null() {
                body[k] = m[k].clone();
            }
        }
        for k in ["task", "parent", "project"] {
            if let Some(t) = self.map_id(s(&m[k])) {
                body[k] = json!(t);
            }
        }
        if m["ready"].as_bool() == Some(true) {
            body["ready"] = json!(true);
        }
        self.dst.client.call("models.edit", &body).await?;
        let complete = !self.incomplete.borrow().contains(sid);
        self.state.borrow_mut().models.insert(
            sid.to_string(),
            Copied {
                id: target,
                done: complete.then(|| Done {
                    version,
                    ..Done::default()
                }),
            },
        );
        Ok(())
    }

    // ------------------------------------------------------------ phase 2: tasks

    async fn fill_task(&self, t: &Value) -> anyhow::Result<()> {
        let sid = s(&t["id"]);
        let (target, done) = match self.state.borrow().tasks.get(sid) {
            Some(c) => (Some(c.id.clone()), c.done.clone()),
            None => (None, None),
        };
        if target.is_none() && !self.opts.dry_run {
            return Ok(()); // the target refused to make it: already listed in `skipped`
        }
        let status = s(&t["status"]).to_string();
        // A model the task uses that the target refused is left out of the copy: a marked
        // version makes the next run that has the model (once fixed) edit the task again.
        let version = if self.models_unmapped(t) {
            format!("{} without a model", s(&t["last_update"]))
        } else {
            s(&t["last_update"]).to_string()
        };
        if let Some(d) = &done
            && d.version == version
            && d.status == status
        {
            self.report.borrow_mut().counts.tasks_unchanged += 1;
            return Ok(());
        }
        let total = self.src.event_total(sid).await?;
        let copied_before = done.as_ref().map_or(0, |d| d.events);
        // New: made by this run (or, in a dry run, to be made); else found on the target.
        let is_new = target.is_none() || self.fresh.borrow().contains(sid);
        if self.opts.dry_run {
            {
                let mut r = self.report.borrow_mut();
                if is_new {
                    r.counts.tasks_copied += 1;
                } else {
                    r.counts.tasks_updated += 1;
                }
                r.counts.events += total.saturating_sub(copied_before);
            }
            for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
                self.copy_file(s(&a["uri"])).await?;
            }
            return Ok(());
        }
        let target = target.ok_or_else(|| anyhow::anyhow!("no target task was made"))?;

        // Files first: the task is edited with the URLs they have on the target.
        let mut artifacts = Vec::new();
        for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
            let mut a = a.clone();
            if let Some(uri) = a["uri"].as_str() {
                a["uri"] = json!(self.copy_file_of(uri, ("task", sid, s(&t["name"]))).await?);
            }
            artifacts.push(a);
        }
        // One forced tasks.edit carries the fields and the artifacts: the real server refuses
        // tasks.add_or_update_artifacts on a finished task even with force
        // (quirks/api-tasks-add-or-update-artifacts-status.json), and one call cannot leave
        // the task half-updated. The creation time is not copied: the real server (2.3)
        // sets `created` itself and neither tasks.edit nor tasks.update takes it.
        let mut body = self.task_edit_body(t, &target).await?;
        if body["execution"].is_object() {
            body["execution"]["artifacts"] = json!(artifacts);
        }
        self.dst.client.call("tasks.edit", &body).await?;
        let fresh = self.fresh.borrow().contains(sid);
        let unchanged_events = total == copied_before && total < EVENT_COUNT_CAP && done.is_some();
        if !unchanged_events {
            self.copy_events(sid, s(&t["name"]), &target, fresh).await?;
        }
        self.set_status(t, &target).await?;
        {
            let mut r = self.report.borrow_mut();
            if is_new {
                r.counts.tasks_copied += 1;
            } else {
                r.counts.tasks_updated += 1;
            }
        }
        let complete = !self.incomplete.borrow().contains(sid);
        self.state.borrow_mut().tasks.insert(
            sid.to_string(),
            Copied {
                id: target,
                done: complete.then_some(Done {
                    version,
                    status,
                    events: total,
                }),
            },
        );
        Ok(())
    }

    /// Whether a model the task uses has no target id (the target refused it).
    fn models_unmapped(&self, t: &Value) -> bool {
        ["input", "output"].into_iter().any(|dir| {
            t["models"][dir]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| self.map_id(s(&m["model"])).is_none())
        })
    }

    /// `tasks.edit` (forced: the target task may have run) with every field a user sees,
    /// ids and file URLs rewritten.
    async fn task_edit_body(&self, t: &Value, target: &str) -> anyhow::Result<Value> {
        let sid = s(&t["id"]);
        let mut body = json!({"task": target, "force": true,
            "system_tags": tags_with_origin(&t["system_tags"], sid)});
        for k in ["name", "type", "comment", "tags", "script", "container"] {
            if !t[k].is_null() {
                body[k] = t[k].clone();
            }
        }
        {
            let ids = self.ids.borrow();
            for k in ["hyperparams", "configuration", "runtime"] {
                if !t[k].is_null() {
                    let mut v = t[k].clone();
                    rewrite_ids_in(&mut v, &ids);
                    body[k] = v;
                }
            }
        }
        if let Some(p) = self.map_id(s(&t["project"])) {
            body["project"] = json!(p);
        }
        let parent = s(&t["parent"]);
        if !parent.is_empty() {
            match self.map_id(parent) {
                Some(p) => body["parent"] = json!(p),
                None => self
                    .report
                    .borrow_mut()
                    .note("a task's parent is outside the copied projects: left out".into()),
            }
        }
        let mut execution = t["execution"].clone();
        if let Some(e) = execution.as_object_mut() {
            e.remove("artifacts");
            if let Some(q) = e.get("queue").and_then(Value::as_str).map(str::to_string) {
                match self.map_queue(&q).await? {
                    Some(tq) => {
                        e.insert("queue".into(), json!(tq));
                    }
                    None => {
                        e.remove("queue");
                    }
                }
            }
            if let Some(m) = e.get("model").and_then(Value::as_str) {
                match self.map_id(m) {
                    Some(tm) => e.insert("model".into(), json!(tm)),
                    None => e.remove("model"),
                };
            }
            body["execution"] = execution;
        }
        let mut models = Map::new();
        for dir in ["input", "output"] {
            let list: Vec<Value> = t["models"][dir]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| {
                    let id = self.map_id(s(&m["model"]))?;
                    Some(json!({"name": m["name"], "model": id}))
                })
                .collect();
            models.insert(dir.into(), Value::Array(list));
        }
        body["models"] = Value::Object(models);
        if let Some(dest) = t["output"]["destination"]
            .as_str()
            .filter(|d| !d.is_empty())
        {
            body["output_dest"] = json!(self.planned_url(dest));
        }
        Ok(body)
    }

    /// The events the target task lacks, in the source's order; debug images' files too.
    /// Read a page at a time and sent on in batches: what is held is one page, plus a
    /// digest per event the target already has when an earlier copy is completed.
    async fn copy_events(
        &self,
        sid: &str,
        name: &str,
        target: &str,
        fresh: bool,
    ) -> anyhow::Result<()> {
        let mut have = if fresh {
            HashMap::new()
        } else {
            target_event_digests(&self.dst.client, target).await?
        };
        let mut cursor = Cursor::new();
        loop {
            let page = self.src.next_events(sid, &mut cursor).await?;
            if page.is_empty() {
                return Ok(());
            }
            let mut missing = Vec::new();
            for mut e in page {
                if e["model_event"].as_bool() == Some(true) {
                    continue;
                }
                if let Some(url) = e.get("url").and_then(Value::as_str).map(str::to_string) {
                    e["url"] = json!(self.copy_file_of(&url, ("task", sid, name)).await?);
                }
                let mut ev = event_for(&e, target);
                {
                    // Console text and plots name tasks (a controller's step table): by
                    // their target ids. URLs keep theirs: the files keep their paths.
                    let ids = self.ids.borrow();
                    for k in ["msg", "plot_str"] {
                        if let Some(v) = ev.get_mut(k) {
                            rewrite_ids_in(v, &ids);
                        }
                    }
                }
                // A key twice on the source and once on the target is copied once.
                match have.get_mut(&event_digest(&ev)) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => missing.push(ev),
                }
            }
            for batch in missing.chunks(EVENTS_PER_BATCH) {
                self.send_events(batch).await?;
            }
        }
    }

    async fn send_events(&self, items: &[Value]) -> anyhow::Result<()> {
        let data = self
            .dst
            .client
            .call_batch("events.add_batch", items)
            .await?;
        let errors = data["errors"].as_u64().unwrap_or(0);
        if errors > 0 {
            return Err(CliError::failure(format!(
                "the target refused {errors} of {} events: {}",
                items.len(),
                data["errors_info"]
            ))
            .into());
        }
        self.report.borrow_mut().counts.events += items.len() as u64;
        Ok(())
    }

    /// Bring the target task to the source task's status (the calls set their own
    /// `started`/`completed` times: those are not the source's).
    async fn set_status(&self, t: &Value, target: &str) -> anyhow::Result<()> {
        let to = s(&t["status"]);
        let from = self
            .target_status
            .borrow()
            .get(target)
            .cloned()
            .unwrap_or_else(|| "created".into());
        let (calls, note) = status_calls(&from, to);
        if let Some(n) = note {
            self.report.borrow_mut().note(n);
        }
        for call in calls {
            let mut body = json!({"task": target, "force": true,
                "status_reason": t["status_reason"].as_str().unwrap_or("copied by clearml sync"),
                "status_message": t["status_message"].as_str().unwrap_or("")});
            if call == "tasks.publish" {
                body["publish_model"] = json!(false);
            }
            self.dst.client.call(call, &body).await?;
        }
        self.target_status
            .borrow_mut()
            .insert(target.to_string(), to.to_string());
        Ok(())
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
                CliError::not_found(format!("no project '{w}' on the source"))
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
        assert_eq!(exit_of(&err), Exit::NotFound);
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
