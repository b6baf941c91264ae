//! Running a validated pipeline the way the SDK's PipelineController does: the hidden
//! projects, the controller task and its `Pipeline` DAG configuration, steps cloned from
//! their base tasks, parameters applied, enqueued when their parents completed, and
//! watched with one batched status call per cycle. Agents execute the steps; we only
//! orchestrate. Nothing here prints: progress goes to the caller's observer.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use super::job_hash::job_hash;
use super::refs::{self, Ref};
use super::spec::{BaseTask, Problem, Spec, Step};
use clearml_api::Client;
use clearml_api::lookup::{self, exact_regex};
use clearml_api::outage::Outage;
use clearml_launch as launch;

/// How often step statuses are polled (the SDK polls every 12 s).
pub const POLL: Duration = Duration::from_millis(500);
/// How long the server may stay unreachable during a run before it is given up.
pub const OUTAGE_LIMIT: Duration = Duration::from_secs(600);
/// Statuses of base tasks the SDK's name lookup accepts.
const BASE_STATUSES: &[&str] = &[
    "created",
    "queued",
    "in_progress",
    "published",
    "stopped",
    "completed",
    "closed",
];
/// The SDK's hidden-project names and tags (new layout, server API >= 2.17).
pub use clearml_wire::pipeline::PIPELINES_DIR;
pub const PIPELINE_TAG: &str = "pipeline";

/// A spec checked against the server: base tasks and queues found.
#[derive(Debug, Clone)]
pub struct Plan {
    pub spec: Spec,
    /// Per step (spec order): the full base task document.
    pub bases: Vec<Value>,
    /// Per step (spec order): queue name and id.
    pub queues: Vec<(String, String)>,
    /// Queues a step goes to that no worker listens on.
    pub idle_queues: Vec<String>,
    /// Per step (spec order): the `tasks.create` body of a script step's base task that
    /// does not exist yet (made by [`Runner::launch`], never by a dry run).
    pub scripts: Vec<Option<Value>>,
    /// What reading the scripts found worth saying (an unpushed commit...).
    pub warnings: Vec<String>,
}

/// System tag of a base task made from a script: `clearml-script:<fingerprint>`; a run
/// whose script, requirements and args are unchanged finds and reuses it.
pub const SCRIPT_TAG: &str = "clearml-script:";

/// A script step's base task: the body to create it, or the existing one.
struct ScriptBase {
    body: Value,
    existing: Option<String>,
}

const BASE_FIELDS: &[&str] = &[
    "id",
    "name",
    "type",
    "status",
    "hyperparams",
    "configuration",
    "script",
    "container",
    "system_tags",
    "last_update",
];

/// Look up every base task and queue; all problems at once. `Err` is a failed call
/// (unreachable, auth), `Ok(Err)` the problems found.
pub async fn prepare(
    client: &Client,
    mut spec: Spec,
    queue_override: Option<&str>,
) -> anyhow::Result<Result<Plan, Vec<Problem>>> {
    if let Some(q) = queue_override {
        spec.default_queue = Some(q.to_string());
    }
    let mut problems = Vec::new();
    // Queues: names (or ids) to ids, with one listing.
    let existing = lookup::queues(client).await?;
    let names_list = || {
        let mut n: Vec<&str> = existing.iter().map(|(n, _)| n.as_str()).collect();
        n.sort();
        if n.is_empty() {
            "none".to_string()
        } else {
            n.join(", ")
        }
    };
    let mut queues = Vec::new();
    let mut reported_queue: Vec<String> = Vec::new();
    for step in &spec.steps {
        let Some(q) = spec.queue_of(step) else {
            problems.push(Problem {
                span: Some(step.span.clone()),
                message: format!(
                    "step '{}' has no queue: set execution_queue, [pipeline] default_queue, or pass --queue",
                    step.name
                ),
            });
            queues.push((String::new(), String::new()));
            continue;
        };
        match existing.iter().find(|(n, id)| n == q || id == q) {
            Some((n, id)) => queues.push((n.clone(), id.clone())),
            None => {
                if !reported_queue.iter().any(|r| r == q) {
                    reported_queue.push(q.to_string());
                    let span = step
                        .queue_span
                        .clone()
                        .or_else(|| spec.default_queue_span.clone())
                        .filter(|_| queue_override.is_none() || step.execution_queue.is_some());
                    problems.push(Problem {
                        span,
                        message: format!(
                            "no queue named '{q}' on the server (queues: {})",
                            names_list()
                        ),
                    });
                }
                queues.push((String::new(), String::new()));
            }
        }
    }
    let mut base_ids = find_bases(client, &spec, &mut problems).await?;
    let mut warnings = Vec::new();
    let scripts = script_bases(client, &spec, &mut problems, &mut warnings).await?;
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    for (i, sb) in scripts.iter().enumerate() {
        if let Some(ScriptBase {
            existing: Some(id), ..
        }) = sb
        {
            base_ids[i] = Some(id.clone());
        }
    }
    let ids: Vec<&String> = base_ids.iter().flatten().collect();
    let docs = client
        .get_all(
            "tasks.get_all",
            &json!({"id": ids, "only_fields": BASE_FIELDS}),
            "tasks",
            None,
        )
        .await?;
    let by_id: HashMap<&str, &Value> = docs
        .iter()
        .filter_map(|d| d["id"].as_str().map(|id| (id, d)))
        .collect();
    let mut bases: Vec<Value> = base_ids
        .iter()
        .map(|id| {
            id.as_deref()
                .and_then(|id| by_id.get(id))
                .map(|d| (*d).clone())
                .unwrap_or(Value::Null)
        })
        .collect();
    let mut to_create = Vec::with_capacity(scripts.len());
    for (i, sb) in scripts.into_iter().enumerate() {
        match sb {
            Some(ScriptBase {
                body,
                existing: None,
            }) => {
                // What a dry run shows until the run creates it.
                bases[i] = json!({"id": null, "name": body["name"], "type": body["type"]});
                to_create.push(Some(body));
            }
            _ => to_create.push(None),
        }
    }
    let idle_queues = idle_queues(client, &queues).await?;
    Ok(Ok(Plan {
        spec,
        bases,
        queues,
        idle_queues,
        scripts: to_create,
        warnings,
    }))
}

/// Per step (spec order): for a `script` step, its base task's body and the unchanged
/// base task an earlier run made, if any. A script that cannot be read is a problem.
async fn script_bases(
    client: &Client,
    spec: &Spec,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Vec<Option<ScriptBase>>> {
    let dir = spec
        .dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let mut out = Vec::with_capacity(spec.steps.len());
    let mut project: Option<Option<String>> = None;
    for step in &spec.steps {
        let BaseTask::Script {
            path,
            requirements,
            args,
        } = &step.base
        else {
            out.push(None);
            continue;
        };
        let req = launch::Request {
            script: dir.join(path),
            requirements: requirements.as_ref().map(|r| dir.join(r)),
            args: args.clone(),
            task_init: true,
            task_type: "training".into(),
            ..launch::Request::default()
        };
        let src = match launch::source(&req) {
            Ok(src) => src,
            Err(e) => {
                problems.push(Problem {
                    span: Some(step.base_span.clone()),
                    message: format!("step '{}': {e}", step.name),
                });
                out.push(None);
                continue;
            }
        };
        for w in &src.warnings {
            warnings.push(format!("step '{}' ({path}): {w}", step.name));
        }
        let name = format!("{}: {path}", step.name);
        let mut body = launch::create_body(&src, &req, &name, "", &[]);
        let tag = format!("{SCRIPT_TAG}{}", launch::fingerprint(&body));
        body["system_tags"] = json!([tag]);
        if project.is_none() {
            project = Some(lookup::find_project(client, &spec.project).await?);
        }
        let existing = match project.as_ref().and_then(|p| p.as_deref()) {
            None => None,
            Some(pid) => client
                .call(
                    "tasks.get_all",
                    &json!({
                        "project": [pid],
                        "system_tags": [tag, "-archived"],
                        "only_fields": ["id"],
                        "order_by": ["-last_update"],
                        "search_hidden": true,
                    }),
                )
                .await?["tasks"]
                .as_array()
                .and_then(|t| t.first())
                .and_then(|t| t["id"].as_str())
                .map(str::to_string),
        };
        out.push(Some(ScriptBase { body, existing }));
    }
    Ok(out)
}

/// Create the base tasks of script steps that have none yet (steps with the same
/// fingerprint share one), in the pipeline's project.
async fn create_script_bases(client: &Client, plan: &mut Plan) -> anyhow::Result<()> {
    if plan.scripts.iter().all(Option::is_none) {
        return Ok(());
    }
    let pid = lookup::ensure_project(client, &plan.spec.project).await?;
    let mut made: HashMap<String, Value> = HashMap::new();
    for i in 0..plan.scripts.len() {
        let Some(mut body) = plan.scripts[i].take() else {
            continue;
        };
        let tag = body["system_tags"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(doc) = made.get(&tag) {
            plan.bases[i] = doc.clone();
            continue;
        }
        body["project"] = json!(pid);
        let id = launch::create(client, &body).await?;
        let doc = client
            .call(
                "tasks.get_all",
                &json!({"id": [id], "only_fields": BASE_FIELDS}),
            )
            .await?["tasks"][0]
            .clone();
        made.insert(tag, doc.clone());
        plan.bases[i] = doc;
    }
    Ok(())
}

/// Named bases of one project looked up one by one up to this many; more, and the
/// project's tasks are listed once instead (a 20,000-step file costs a few calls).
const NAMES_ONE_BY_ONE: usize = 8;

/// Each step's base task id, as the SDK's Task.get_task finds it (by id, or by project +
/// name); what is missing goes to `problems`, in step order. Ids are checked in one
/// listing, each project is looked up once, each (project, name) once.
async fn find_bases(
    client: &Client,
    spec: &Spec,
    problems: &mut Vec<Problem>,
) -> anyhow::Result<Vec<Option<String>>> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for step in &spec.steps {
        match &step.base {
            BaseTask::Id(id) => {
                ids.insert(id);
            }
            BaseTask::Named { project, name } => {
                names.entry(project).or_default().insert(name);
            }
            BaseTask::Script { .. } => {}
        }
    }
    let known: HashSet<String> = if ids.is_empty() {
        HashSet::new()
    } else {
        let ids: Vec<&str> = ids.into_iter().collect();
        client
            .get_all(
                "tasks.get_all",
                &json!({"id": ids, "only_fields": ["id"]}),
                "tasks",
                None,
            )
            .await?
            .iter()
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect()
    };
    let mut named: HashMap<(&str, &str), Result<String, String>> = HashMap::new();
    for (project, wanted) in names {
        let Some(pid) = lookup::find_project(client, project).await? else {
            for name in wanted {
                let why = format!("no project '{project}' (looking for base task '{name}')");
                named.insert((project, name), Err(why));
            }
            continue;
        };
        let found = if wanted.len() <= NAMES_ONE_BY_ONE {
            let mut found = Vec::new();
            for name in &wanted {
                found.extend(base_candidates(client, &pid, Some(name)).await?);
            }
            found
        } else {
            base_candidates(client, &pid, None).await?
        };
        let mut best = pick_bases(found);
        for name in wanted {
            let got = best
                .remove(name)
                .ok_or_else(|| format!("no base task named '{name}' in project '{project}'"));
            named.insert((project, name), got);
        }
    }
    let mut out = Vec::with_capacity(spec.steps.len());
    for step in &spec.steps {
        let found = match &step.base {
            BaseTask::Id(id) if known.contains(id) => Ok(id.clone()),
            BaseTask::Id(id) => Err(format!("no base task with id '{id}'")),
            BaseTask::Named { project, name } => named[&(project.as_str(), name.as_str())].clone(),
            BaseTask::Script { .. } => {
                out.push(None);
                continue;
            }
        };
        match found {
            Ok(id) => out.push(Some(id)),
            Err(why) => {
                problems.push(Problem {
                    span: Some(step.base_span.clone()),
                    message: format!("step '{}': {why}", step.name),
                });
                out.push(None);
            }
        }
    }
    Ok(out)
}

/// Tasks of project `pid` a base may be (named `name`, or any), most recently updated
/// first.
async fn base_candidates(
    client: &Client,
    pid: &str,
    name: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    let mut query = json!({
        "project": [pid],
        "only_fields": ["id", "name", "last_update", "system_tags"],
        "status": BASE_STATUSES,
        "order_by": ["-last_update"],
        "search_hidden": true,
    });
    if let Some(name) = name {
        query["name"] = json!(exact_regex(name));
    }
    client.get_all("tasks.get_all", &query, "tasks", None).await
}

/// Per name, the task the SDK's rule picks from `found` (most recently updated first):
/// the first one not archived, else the first one.
fn pick_bases(found: Vec<Value>) -> HashMap<String, String> {
    let mut best: HashMap<String, (bool, String)> = HashMap::new();
    for t in found {
        let (Some(name), Some(id)) = (t["name"].as_str(), t["id"].as_str()) else {
            continue;
        };
        let archived = t["system_tags"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "archived"));
        // Replaced only by a later task that is not archived when the kept one is.
        let replace = best
            .get(name)
            .is_none_or(|(kept_archived, _)| *kept_archived && !archived);
        if replace {
            best.insert(name.to_string(), (archived, id.to_string()));
        }
    }
    best.into_iter().map(|(k, (_, id))| (k, id)).collect()
}

/// Queue names (of `queues`) that no registered worker listens on.
pub async fn idle_queues(
    client: &Client,
    queues: &[(String, String)],
) -> anyhow::Result<Vec<String>> {
    let listening: Vec<String> = lookup::workers(client)
        .await?
        .iter()
        .flat_map(lookup::worker_queue_ids)
        .collect();
    let mut idle = Vec::new();
    for (name, id) in queues {
        if !id.is_empty() && !listening.contains(id) && !idle.contains(name) {
            idle.push(name.clone());
        }
    }
    Ok(idle)
}

// ---------------------------------------------------------------- state

/// A step's state, as the DAG's `status` field spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    Pending,
    Queued,
    Running,
    Completed,
    Cached,
    Failed,
    Aborted,
    Skipped,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Pending => "pending",
            NodeStatus::Queued => "queued",
            NodeStatus::Running => "running",
            NodeStatus::Completed => "completed",
            NodeStatus::Cached => "cached",
            NodeStatus::Failed => "failed",
            NodeStatus::Aborted => "aborted",
            NodeStatus::Skipped => "skipped",
        }
    }
    fn active(self) -> bool {
        matches!(self, NodeStatus::Queued | NodeStatus::Running)
    }
    fn succeeded(self) -> bool {
        matches!(self, NodeStatus::Completed | NodeStatus::Cached)
    }
    fn finished(self) -> bool {
        !matches!(
            self,
            NodeStatus::Pending | NodeStatus::Queued | NodeStatus::Running
        )
    }
}

#[derive(Debug, Clone)]
struct Node {
    status: NodeStatus,
    task_id: Option<String>,
    /// The DAG's `executed`: the task id once finished, `false` when it blocks children.
    executed: Value,
    attempts: u32,
    worker: Option<String>,
    launched: Option<Instant>,
    running_since: Option<Instant>,
    ended: Option<Instant>,
    job_started: Option<f64>,
    job_ended: Option<f64>,
    /// A time limit stopped it.
    timed_out: bool,
}

/// What the caller shows of a step.
#[derive(Debug, Clone)]
pub struct StepView {
    pub name: String,
    pub status: &'static str,
    pub task_id: Option<String>,
    pub queue: String,
    pub worker: Option<String>,
    pub duration: Option<Duration>,
    pub attempts: u32,
}

/// Something worth telling the user, with the steps' state after it.
#[derive(Debug)]
pub enum Note {
    /// A step changed status (its new state is in the views).
    Step(String),
    Warning(String),
    /// The server went away; the run waits for it.
    Unreachable(String),
    Reachable,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Failed,
    Stopped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Failed => "failed",
            Outcome::Stopped => "stopped",
        }
    }
}

pub struct Runner<'a> {
    client: &'a Client,
    plan: Plan,
    nodes: Vec<Node>,
    pub controller_id: String,
    pub run_name: String,
    pub version: String,
    pub project_id: String,
    web_url: String,
    outage: Outage,
    started: Instant,
}

impl<'a> Runner<'a> {
    /// Create the controller and its projects as the SDK does; returns the runner.
    pub async fn launch(
        client: &'a Client,
        mut plan: Plan,
        web_url: String,
    ) -> anyhow::Result<Self> {
        create_script_bases(client, &mut plan).await?;
        let spec = &plan.spec;
        let dir = format!("{}/{PIPELINES_DIR}", spec.project);
        let pipeline_project = format!("{dir}/{}", spec.name);
        let project_id = lookup::ensure_project(client, &pipeline_project).await?;
        let dir_id = lookup::project_id(client, &dir).await?;
        client
            .call(
                "projects.update",
                &json!({"project": dir_id, "system_tags": ["hidden"]}),
            )
            .await?;
        client
            .call(
                "projects.update",
                &json!({"project": project_id, "system_tags": [PIPELINE_TAG, "hidden"]}),
            )
            .await?;
        let version = match &spec.version {
            Some(v) => v.clone(),
            None => previous_version(client, &project_id, &spec.name)
                .await?
                .and_then(|v| super::spec::next_version(&v))
                .unwrap_or_else(|| "1.0.0".to_string()),
        };
        let comment = format!(
            "Auto-generated at {} by clearml pipeline run",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        let created = client
            .call(
                "tasks.create",
                &json!({
                    "name": spec.name, "type": "controller", "project": project_id,
                    "system_tags": ["development"], "comment": comment,
                }),
            )
            .await?;
        let controller_id = created["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("tasks.create returned no id"))?
            .to_string();
        client
            .call("tasks.started", &json!({"task": controller_id}))
            .await?;
        // Run numbering as the SDK's: count this name's runs, this one included.
        let runs = client
            .get_all(
                "tasks.get_all",
                &json!({
                    "project": [project_id],
                    "name": format!("^{}(| #\\d+)$", regex::escape(&spec.name)),
                    "system_tags": [PIPELINE_TAG],
                    "only_fields": ["id"],
                    "search_hidden": true,
                }),
                "tasks",
                None,
            )
            .await?;
        // The controller is not tagged yet: count it in.
        let n = runs.len() + usize::from(!runs.iter().any(|r| r["id"] == controller_id));
        let run_name = if n > 1 {
            format!("{} #{n}", spec.name)
        } else {
            spec.name.clone()
        };
        let mut pipeline = Map::new();
        for (name, value, kind) in [
            (
                "default_queue",
                spec.default_queue.clone().unwrap_or_default(),
                "str",
            ),
            ("add_pipeline_tags", "False".to_string(), "bool"),
            ("target_project", "True".to_string(), "bool"),
        ] {
            pipeline.insert(
                name.into(),
                json!({"section": "pipeline", "name": name, "value": value, "type": kind, "description": ""}),
            );
        }
        let mut hyperparams = json!({
            "pipeline": pipeline,
            "properties": {"version": {"section": "properties", "name": "version", "value": version}},
        });
        if !spec.parameters.is_empty() {
            let mut args = Map::new();
            for (k, v) in &spec.parameters {
                args.insert(
                    k.clone(),
                    json!({"section": "Args", "name": k, "value": v, "type": "str", "description": ""}),
                );
            }
            hyperparams["Args"] = Value::Object(args);
        }
        client
            .call(
                "tasks.edit",
                &json!({
                    "task": controller_id, "force": true, "name": run_name,
                    "system_tags": [PIPELINE_TAG, "development"],
                    "hyperparams": hyperparams,
                }),
            )
            .await?;
        let nodes = plan
            .spec
            .steps
            .iter()
            .map(|_| Node {
                status: NodeStatus::Pending,
                task_id: None,
                executed: Value::Null,
                attempts: 0,
                worker: None,
                launched: None,
                running_since: None,
                ended: None,
                job_started: None,
                job_ended: None,
                timed_out: false,
            })
            .collect();
        let runner = Runner {
            client,
            plan,
            nodes,
            controller_id,
            run_name,
            version,
            project_id,
            web_url,
            outage: Outage::new(POLL, OUTAGE_LIMIT, None),
            started: Instant::now(),
        };
        runner.write_state().await?;
        Ok(runner)
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The web UI's base URL the run links to.
    pub fn web_url(&self) -> &str {
        &self.web_url
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The steps as the caller shows them, in launch order.
    pub fn views(&self) -> Vec<StepView> {
        self.plan
            .spec
            .order
            .iter()
            .map(|&i| {
                let n = &self.nodes[i];
                let duration = n
                    .running_since
                    .map(|s| n.ended.unwrap_or_else(Instant::now) - s);
                StepView {
                    name: self.plan.spec.steps[i].name.clone(),
                    status: n.status.as_str(),
                    task_id: n.task_id.clone(),
                    queue: self.plan.queues[i].0.clone(),
                    worker: n.worker.clone(),
                    duration,
                    attempts: n.attempts,
                }
            })
            .collect()
    }

    /// Drive the pipeline to its end. `stop` resolves when the user interrupts.
    pub async fn run(
        &mut self,
        mut observe: impl FnMut(&Note, &[StepView]),
        stop: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<Outcome> {
        tokio::pin!(stop);
        loop {
            let mut changed = false;
            // Launch what can go, skip what can never go.
            for k in 0..self.plan.spec.order.len() {
                let i = self.plan.spec.order[k];
                if self.nodes[i].status != NodeStatus::Pending {
                    continue;
                }
                match self.readiness(i) {
                    Readiness::Wait => {}
                    Readiness::Blocked => {
                        self.nodes[i].status = NodeStatus::Skipped;
                        self.nodes[i].executed = Value::Bool(false);
                        changed = true;
                        let name = self.plan.spec.steps[i].name.clone();
                        observe(&Note::Step(name), &self.views());
                    }
                    Readiness::Go => {
                        let step = self.plan.spec.steps[i].name.clone();
                        // Not interruptible: a half-launched step would be left behind.
                        self.launch_step(i).await?;
                        changed = true;
                        observe(&Note::Step(step), &self.views());
                    }
                }
            }
            if changed {
                self.write_state_riding(&mut observe).await?;
            }
            let active: Vec<usize> = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].status.active())
                .collect();
            let launchable = (0..self.nodes.len()).any(|i| {
                self.nodes[i].status == NodeStatus::Pending
                    && !matches!(self.readiness(i), Readiness::Wait)
            });
            if active.is_empty() && !launchable {
                break;
            }
            if active.is_empty() {
                continue;
            }
            let interrupted = tokio::select! {
                _ = tokio::time::sleep(POLL) => false,
                _ = &mut stop => true,
            };
            if interrupted {
                return self.abort(&mut observe).await;
            }
            let polled = tokio::select! {
                r = self.poll(&active) => Some(r),
                _ = &mut stop => None,
            };
            let Some(polled) = polled else {
                return self.abort(&mut observe).await;
            };
            let tasks = match polled {
                Ok(t) => {
                    if self.outage.answered() {
                        observe(&Note::Reachable, &self.views());
                    }
                    t
                }
                Err(e) => {
                    let msg = clearml_error::one_line(&e);
                    let retry = self.outage.failed(e)?;
                    if retry.first {
                        observe(&Note::Unreachable(msg), &self.views());
                    }
                    let interrupted = tokio::select! {
                        _ = tokio::time::sleep(retry.pause) => false,
                        _ = &mut stop => true,
                    };
                    if interrupted {
                        return self.abort(&mut observe).await;
                    }
                    continue;
                }
            };
            let mut changed = Vec::new();
            for i in active {
                if let Some(t) = tasks
                    .iter()
                    .find(|t| t["id"].as_str() == self.nodes[i].task_id.as_deref())
                    && self.update(i, t).await?
                {
                    changed.push(i);
                }
            }
            if !changed.is_empty() {
                for &i in &changed {
                    let name = self.plan.spec.steps[i].name.clone();
                    observe(&Note::Step(name), &self.views());
                }
                self.write_state_riding(&mut observe).await?;
            }
        }
        // Failed: a step that did not succeed, unless it failed with continue_on_fail.
        let tolerated = |n: &Node, s: &Step| {
            s.continue_on_fail && matches!(n.status, NodeStatus::Failed | NodeStatus::Aborted)
        };
        let outcome = if self
            .nodes
            .iter()
            .zip(&self.plan.spec.steps)
            .any(|(n, s)| !n.status.succeeded() && !tolerated(n, s))
        {
            Outcome::Failed
        } else {
            Outcome::Completed
        };
        self.finish(outcome).await?;
        Ok(outcome)
    }

    /// Whether step `i` may start: all parents succeeded (or failed with continue_on_fail).
    fn readiness(&self, i: usize) -> Readiness {
        let spec = &self.plan.spec;
        let mut wait = false;
        for p in &spec.steps[i].parents {
            let Some(j) = spec.index(p) else { continue };
            let n = &self.nodes[j];
            if n.status.succeeded() {
                continue;
            }
            if !n.status.finished() {
                wait = true;
                continue;
            }
            let tolerated = spec.steps[j].continue_on_fail
                && matches!(n.status, NodeStatus::Failed | NodeStatus::Aborted);
            if !tolerated {
                return Readiness::Blocked;
            }
        }
        if wait { Readiness::Wait } else { Readiness::Go }
    }

    /// One batched status call for every active step.
    async fn poll(&self, active: &[usize]) -> anyhow::Result<Vec<Value>> {
        let ids: Vec<&str> = active
            .iter()
            .filter_map(|&i| self.nodes[i].task_id.as_deref())
            .collect();
        let data = self
            .client
            .call(
                "tasks.get_all",
                &json!({
                    "id": ids,
                    "only_fields": ["id", "status", "status_message", "last_worker", "started", "completed"],
                    "search_hidden": true,
                }),
            )
            .await?;
        Ok(data["tasks"].as_array().cloned().unwrap_or_default())
    }

    /// Apply a polled task to its node; true when the node's status changed.
    async fn update(&mut self, i: usize, t: &Value) -> anyhow::Result<bool> {
        let status = t["status"].as_str().unwrap_or("");
        let message = t["status_message"].as_str().unwrap_or("");
        let now = Instant::now();
        let before = self.nodes[i].status;
        {
            let n = &mut self.nodes[i];
            if let Some(w) = t["last_worker"].as_str().filter(|w| !w.is_empty()) {
                n.worker = Some(w.to_string());
            }
        }
        let new = match status {
            "queued" | "created" => NodeStatus::Queued,
            "in_progress" => NodeStatus::Running,
            // The server's watchdog stops silent tasks with this message: still running.
            "stopped" if message == "Forced stop (non-responsive)" => NodeStatus::Running,
            "completed" | "published" | "closed" => NodeStatus::Completed,
            "failed" => NodeStatus::Failed,
            "stopped" => NodeStatus::Aborted,
            _ => before,
        };
        if new == NodeStatus::Running && self.nodes[i].running_since.is_none() {
            self.nodes[i].running_since = Some(now);
            self.nodes[i].job_started = Some(unix_now());
        }
        // The time limit counts from when a worker started the step.
        if new == NodeStatus::Running
            && let (Some(limit), Some(since)) = (
                self.plan.spec.steps[i].time_limit,
                self.nodes[i].running_since,
            )
            && now - since > limit
        {
            let id = self.nodes[i].task_id.clone().unwrap_or_default();
            self.client
                        .call(
                            "tasks.stop",
                            &json!({"task": id, "force": true, "status_reason": "time limit exceeded",
                                    "status_message": format!("stopped by the pipeline: ran over its time_limit of {}", humantime::format_duration(limit))}),
                        )
                        .await?;
            self.nodes[i].timed_out = true;
            return Ok(self.finish_node(i, NodeStatus::Aborted));
        }
        // `attempts` counts launches: the first run plus retry_on_failure more.
        if new == NodeStatus::Failed
            && self.nodes[i].attempts <= self.plan.spec.steps[i].retry_on_failure
        {
            // Retry: a fresh clone, as the SDK relaunches the node.
            self.launch_step(i).await?;
            return Ok(true);
        }
        if new == before {
            return Ok(false);
        }
        if new.finished() {
            return Ok(self.finish_node(i, new));
        }
        self.nodes[i].status = new;
        Ok(true)
    }

    fn finish_node(&mut self, i: usize, status: NodeStatus) -> bool {
        let continue_on_fail = self.plan.spec.steps[i].continue_on_fail;
        let n = &mut self.nodes[i];
        n.status = status;
        n.ended = Some(Instant::now());
        n.job_ended = Some(unix_now());
        if n.running_since.is_none() {
            n.running_since = n.launched;
        }
        n.executed = if status.succeeded() || continue_on_fail {
            json!(n.task_id)
        } else {
            Value::Bool(false)
        };
        true
    }

    /// Clone the base task (or reuse a cached run), apply the parameters, enqueue.
    async fn launch_step(&mut self, i: usize) -> anyhow::Result<()> {
        let step = self.plan.spec.steps[i].clone();
        let base = self.plan.bases[i].clone();
        let base_id = base["id"].as_str().unwrap_or_default().to_string();
        let overrides = self.resolve_parameters(&step).await?;
        let hyperparams = overlay(&base["hyperparams"], &overrides);
        // `None`: the SDK would not cache this step (an unpinned repository) either.
        let hash = job_hash(&base, &overrides);
        self.nodes[i].attempts += 1;
        self.nodes[i].launched = Some(Instant::now());
        self.nodes[i].running_since = None;
        self.nodes[i].ended = None;
        self.nodes[i].worker = None;
        if step.cache_executed_step
            && let Some(hash) = &hash
            && let Some(id) = self.cached(hash).await?
        {
            self.nodes[i].task_id = Some(id);
            self.nodes[i].running_since = self.nodes[i].launched;
            self.finish_node(i, NodeStatus::Cached);
            return Ok(());
        }
        let cloned = self
            .client
            .call(
                "tasks.clone",
                &json!({
                    "task": base_id, "new_task_name": step.name,
                    "new_task_parent": self.controller_id, "new_task_project": self.project_id,
                }),
            )
            .await?;
        let id = cloned["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("tasks.clone returned no id"))?
            .to_string();
        self.nodes[i].task_id = Some(id.clone());
        let mut edit = json!({"task": id, "force": true});
        if let Some(hash) = &hash {
            edit["runtime"] = json!({"pipeline_job_hash": hash});
        }
        if !overrides.is_empty() {
            edit["hyperparams"] = hyperparams;
        }
        self.client.call("tasks.edit", &edit).await?;
        let queue_id = self.plan.queues[i].1.clone();
        self.client
            .call(
                "tasks.enqueue",
                &json!({"task": id, "queue": queue_id, "status_reason": "pipeline step"}),
            )
            .await?;
        self.nodes[i].status = NodeStatus::Queued;
        self.nodes[i].executed = Value::Null;
        Ok(())
    }

    /// A completed, unarchived task with the same job hash (the SDK's cache rule).
    async fn cached(&self, hash: &str) -> anyhow::Result<Option<String>> {
        let found = self
            .client
            .call(
                "tasks.get_all",
                &json!({
                    "status": ["completed", "published"],
                    "system_tags": ["-archived"],
                    "_all_": {"fields": ["runtime.pipeline_job_hash"], "pattern": exact_regex(hash)},
                    "only_fields": ["id"],
                    "order_by": ["-last_update"],
                    "search_hidden": true,
                }),
            )
            .await?;
        Ok(found["tasks"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(|t| t["id"].as_str())
            .map(str::to_string))
    }

    /// The step's parameters with every reference resolved against the finished parents.
    async fn resolve_parameters(&self, step: &Step) -> anyhow::Result<Vec<(String, String)>> {
        let spec = &self.plan.spec;
        // The tasks the references need, fetched in one call.
        let mut need: Vec<String> = Vec::new();
        for (_, v) in &step.parameters {
            for f in refs::scan(v).unwrap_or_default() {
                if let Some(s) = f.r.step()
                    && let Some(id) = spec.index(s).and_then(|j| self.nodes[j].task_id.clone())
                    && !need.contains(&id)
                {
                    need.push(id);
                }
            }
        }
        let tasks = if need.is_empty() {
            Vec::new()
        } else {
            self.client
                .get_all(
                    "tasks.get_all",
                    &json!({"id": need, "only_fields": ["id", "hyperparams", "execution.artifacts", "models"], "search_hidden": true}),
                    "tasks",
                    None,
                )
                .await?
        };
        let mut out = Vec::new();
        for (k, v) in &step.parameters {
            let mut model_ids: Vec<String> = Vec::new();
            let mut resolved = refs::substitute(v, |r| -> anyhow::Result<Option<String>> {
                let task = r
                    .step()
                    .and_then(|s| spec.index(s))
                    .and_then(|j| self.nodes[j].task_id.as_deref())
                    .and_then(|id| tasks.iter().find(|t| t["id"].as_str() == Some(id)));
                let what = || format!("step '{}', parameter '{k}': {v}", step.name);
                Ok(Some(match r {
                    Ref::Pipeline(n) => spec.parameter(n).unwrap_or_default().to_string(),
                    Ref::StepId(s) => spec
                        .index(s)
                        .and_then(|j| self.nodes[j].task_id.clone())
                        .unwrap_or_default(),
                    Ref::StepParam(_, path) => {
                        let (section, name) = path.split_once('/').unwrap_or(("General", path));
                        task.and_then(|t| t["hyperparams"][section][name]["value"].as_str())
                            .map(str::to_string)
                            .ok_or_else(|| {
                                anyhow::anyhow!("{}: the parent has no parameter {path}", what())
                            })?
                    }
                    Ref::StepArtifact(_, name) => {
                        task.and_then(|t| artifact_url(t, name)).ok_or_else(|| {
                            anyhow::anyhow!("{}: the parent has no artifact '{name}'", what())
                        })?
                    }
                    Ref::StepModel(_, dir, idx) => {
                        let list = task
                            .and_then(|t| t["models"][dir.key()].as_array().cloned())
                            .unwrap_or_default();
                        let m = refs::pick(&list, *idx)
                            .and_then(|m| m["model"].as_str())
                            .ok_or_else(|| {
                                anyhow::anyhow!(
                                    "{}: the parent has no {} model {idx}",
                                    what(),
                                    dir.key()
                                )
                            })?;
                        model_ids.push(m.to_string());
                        format!("\u{0}model:{m}\u{0}")
                    }
                }))
            })?;
            // Model URLs take one more lookup.
            for m in model_ids {
                let data = self
                    .client
                    .call(
                        "models.get_all",
                        &json!({"id": [m], "only_fields": ["id", "uri"]}),
                    )
                    .await?;
                let uri = data["models"][0]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                resolved = resolved.replace(&format!("\u{0}model:{m}\u{0}"), &uri);
            }
            out.push((k.clone(), resolved));
        }
        Ok(out)
    }

    /// The `Pipeline` configuration, progress and plots, rewritten on every change.
    async fn write_state(&self) -> anyhow::Result<()> {
        let dag = self.dag();
        let value = serde_json::to_string_pretty(&dag)?;
        let state_hash = md5_hex(&value);
        let done = self.nodes.iter().filter(|n| n.status.finished()).count();
        let progress = if self.nodes.is_empty() {
            100
        } else {
            done * 100 / self.nodes.len()
        };
        let runtime = json!({
            "_pipeline_hash": format!("{}:{}", md5_hex(&serde_json::to_string(&self.definition())?), self.version),
            "version": self.version,
            "progress": progress.to_string(),
        });
        self.client
            .call(
                "tasks.edit",
                &json!({
                    "task": self.controller_id, "force": true, "runtime": runtime,
                    "configuration": {"Pipeline": {
                        "name": "Pipeline", "type": "dictionary", "value": value,
                        "description": format!("pipeline state: {state_hash}"),
                    }},
                }),
            )
            .await?;
        self.client
            .call_batch("events.add_batch", &self.plot_events())
            .await?;
        Ok(())
    }

    /// write_state, riding out an unreachable server.
    async fn write_state_riding(
        &mut self,
        observe: &mut impl FnMut(&Note, &[StepView]),
    ) -> anyhow::Result<()> {
        loop {
            match self.write_state().await {
                Ok(()) => {
                    if self.outage.answered() {
                        observe(&Note::Reachable, &self.views());
                    }
                    return Ok(());
                }
                Err(e) => {
                    let msg = clearml_error::one_line(&e);
                    let retry = self.outage.failed(e)?;
                    if retry.first {
                        observe(&Note::Unreachable(msg), &self.views());
                    }
                    tokio::time::sleep(retry.pause).await;
                }
            }
        }
    }

    /// The DAG as the SDK serializes its nodes (`Pipeline` configuration value).
    pub fn dag(&self) -> Value {
        let mut dag = Map::new();
        for (i, s) in self.plan.spec.steps.iter().enumerate() {
            let n = &self.nodes[i];
            let mut node = self.node_definition(i);
            node["executed"] = n.executed.clone();
            node["status"] = json!(n.status.as_str());
            node["job_started"] = json!(n.job_started);
            node["job_ended"] = json!(n.job_ended);
            node["job_id"] = json!(n.task_id);
            dag.insert(s.name.clone(), node);
        }
        Value::Object(dag)
    }

    /// The DAG without run state: what `_pipeline_hash` covers.
    fn definition(&self) -> Value {
        let mut d = Map::new();
        for (i, s) in self.plan.spec.steps.iter().enumerate() {
            d.insert(s.name.clone(), self.node_definition(i));
        }
        json!({"dag": d, "parameters": self.plan.spec.parameters})
    }

    fn node_definition(&self, i: usize) -> Value {
        let s = &self.plan.spec.steps[i];
        let params: Map<String, Value> = s
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        json!({
            "base_task_id": self.plan.bases[i]["id"],
            "queue": s.execution_queue,
            "parents": s.parents,
            "timeout": s.time_limit.map(|d| d.as_secs_f64()),
            "parameters": params,
            "configurations": {},
            "task_overrides": {},
            "executed": null,
            "status": "pending",
            "clone_task": true,
            "job_type": self.plan.bases[i]["type"].as_str().unwrap_or("training"),
            "job_started": null,
            "job_ended": null,
            "job_code_section": null,
            "skip_job": false,
            "cache_executed_step": s.cache_executed_step,
            "return_artifacts": [],
            "monitor_metrics": [],
            "monitor_artifacts": [],
            "monitor_models": [],
            "explicit_docker_image": null,
            "recursively_parse_parameters": false,
            "output_uri": null,
            "draft": false,
            "continue_behaviour": null,
            "continue_on_fail": s.continue_on_fail,
            "continue_on_abort": false,
            "skip_children_on_abort": true,
            "skip_children_on_fail": !s.continue_on_fail,
            "stage": null,
        })
    }

    /// The `Pipeline / Execution Flow` sankey and `Pipeline Details / Execution Details`
    /// table the web UI draws, shaped as the SDK sends them.
    fn plot_events(&self) -> Vec<Value> {
        let spec = &self.plan.spec;
        let color = |s: NodeStatus| match s {
            NodeStatus::Completed => "blue",
            NodeStatus::Cached => "darkslateblue",
            NodeStatus::Running => "green",
            NodeStatus::Queued => "lightsteelblue",
            NodeStatus::Failed => "red",
            NodeStatus::Aborted => "royalblue",
            NodeStatus::Skipped => "gray",
            NodeStatus::Pending => "lightsteelblue",
        };
        let params_text = |i: usize, sep: &str| {
            spec.steps[i]
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let (mut src, mut dst) = (Vec::new(), Vec::new());
        for (i, s) in spec.steps.iter().enumerate() {
            for p in &s.parents {
                if let Some(j) = spec.index(p) {
                    src.push(j);
                    dst.push(i);
                }
            }
        }
        let labels: Vec<String> = (0..spec.steps.len())
            .map(|i| format!("{}<br />{}", spec.steps[i].name, params_text(i, "<br />")))
            .collect();
        let flow = json!({
            "data": [{
                "link": {"source": src, "target": dst, "value": vec![1; src.len()], "hovertemplate": "<extra></extra>"},
                "node": {"label": labels, "color": self.nodes.iter().map(|n| color(n.status)).collect::<Vec<_>>(), "hovertemplate": "%{label}<extra></extra>"},
                "textfont": {"color": "rgba(0,0,0,0)", "size": 1},
                "type": "sankey", "orientation": "h",
            }],
            "layout": {"xaxis": {"visible": false}, "yaxis": {"visible": false}, "title": "Execution Flow"},
        });
        let link = |project: &str, id: &str, text: &str| {
            format!(
                "<a href=\"{}/projects/{project}/tasks/{id}/output/log\"> {text} </a>",
                self.web_url
            )
        };
        let mut cols: Vec<Vec<String>> = vec![Vec::new(); 5];
        for (i, s) in spec.steps.iter().enumerate() {
            let base = self.plan.bases[i]["id"].as_str().unwrap_or_default();
            cols[0].push(format!("{}\n[{}]", s.name, link("*", base, "base task")));
            cols[1].push(
                self.nodes[i]
                    .task_id
                    .as_deref()
                    .map(|id| link(&self.project_id, id, id))
                    .unwrap_or_default(),
            );
            cols[2].push(s.name.clone());
            cols[3].push(self.nodes[i].status.as_str().to_string());
            cols[4].push(params_text(i, ", "));
        }
        let font = |size: u32, color: &str| json!({"family": "Heebo, verdana, arial, sans-serif", "size": size, "color": color});
        let table = json!({
            "data": [{
                "type": "table",
                "header": {"values": ["Pipeline Step", "Task ID", "Task Name", "Status", "Parameters"],
                           "align": "left", "line": {"width": 0.5, "color": "#d4d6e0"},
                           "fill": {"color": "#fff"}, "font": font(12, "#333")},
                "cells": {"height": 30, "values": cols, "align": "left",
                          "line": {"color": "white", "width": 1}, "font": font(14, "#384161")},
            }],
            "layout": {"title.text": "Pipeline Details", "title": "Execution Details"},
        });
        let ts = chrono::Utc::now().timestamp_millis();
        [
            ("Pipeline", "Execution Flow", flow),
            ("Pipeline Details", "Execution Details", table),
        ]
        .into_iter()
        .map(|(metric, variant, plot)| {
            json!({
                "timestamp": ts, "type": "plot", "task": self.controller_id, "iter": 0,
                "metric": metric, "variant": variant, "plot_str": plot.to_string(),
            })
        })
        .collect()
    }

    /// Ctrl-C: stop the steps on the server, mark the run stopped.
    async fn abort(
        &mut self,
        observe: &mut impl FnMut(&Note, &[StepView]),
    ) -> anyhow::Result<Outcome> {
        for i in 0..self.nodes.len() {
            if self.nodes[i].status.active() {
                if let Some(id) = self.nodes[i].task_id.clone() {
                    let _ = self
                        .client
                        .call(
                            "tasks.stop",
                            &json!({"task": id, "force": true, "status_reason": "pipeline aborted"}),
                        )
                        .await;
                }
                self.finish_node(i, NodeStatus::Aborted);
                let name = self.plan.spec.steps[i].name.clone();
                observe(&Note::Step(name), &self.views());
            } else if self.nodes[i].status == NodeStatus::Pending {
                self.nodes[i].status = NodeStatus::Skipped;
                self.nodes[i].executed = Value::Bool(false);
            }
        }
        self.finish(Outcome::Stopped).await?;
        Ok(Outcome::Stopped)
    }

    async fn finish(&mut self, outcome: Outcome) -> anyhow::Result<()> {
        // The final write says progress 100, as the SDK's last one does.
        let _ = self.write_state().await;
        let (endpoint, reason) = match outcome {
            Outcome::Completed => ("tasks.completed", "completed"),
            Outcome::Failed => ("tasks.failed", "Pipeline step failed"),
            Outcome::Stopped => ("tasks.stopped", "Pipeline aborted"),
        };
        self.client
            .call(
                endpoint,
                &json!({"task": self.controller_id, "force": true, "status_reason": reason}),
            )
            .await?;
        Ok(())
    }

    /// Steps that did not succeed, with why (for the final message).
    pub fn failures(&self) -> Vec<String> {
        self.plan
            .spec
            .order
            .iter()
            .filter(|&&i| {
                matches!(
                    self.nodes[i].status,
                    NodeStatus::Failed | NodeStatus::Aborted
                )
            })
            .map(|&i| {
                let n = &self.nodes[i];
                let s = &self.plan.spec.steps[i];
                let why = if n.timed_out {
                    format!(
                        "stopped after its time_limit of {}",
                        humantime::format_duration(s.time_limit.unwrap_or_default())
                    )
                } else if n.attempts > 1 {
                    format!("{} after {} attempts", n.status.as_str(), n.attempts)
                } else {
                    n.status.as_str().to_string()
                };
                format!("{} {why}", s.name)
            })
            .collect()
    }
}

enum Readiness {
    Wait,
    Go,
    Blocked,
}

fn unix_now() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64 / 1000.0
}

pub fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// The base task's full hyperparameter sections with `Section/name` overrides laid over.
fn overlay(base: &Value, overrides: &[(String, String)]) -> Value {
    let mut out = base.as_object().cloned().unwrap_or_default();
    for (k, v) in overrides {
        let (section, name) = k.split_once('/').unwrap_or(("General", k));
        let sec = out.entry(section.to_string()).or_insert_with(|| json!({}));
        let Some(sec) = sec.as_object_mut() else {
            continue;
        };
        match sec.get_mut(name) {
            Some(item) if item.is_object() => item["value"] = json!(v),
            _ => {
                sec.insert(
                    name.to_string(),
                    json!({"section": section, "name": name, "value": v, "type": "str", "description": ""}),
                );
            }
        }
    }
    Value::Object(out)
}

fn artifact_url(task: &Value, name: &str) -> Option<String> {
    let arts = task.pointer("/execution/artifacts")?;
    let list: Vec<&Value> = match arts {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => return None,
    };
    list.into_iter()
        .find(|a| a["key"].as_str() == Some(name))
        .and_then(|a| a["uri"].as_str())
        .map(str::to_string)
}

/// The `version` runtime of the newest earlier run of this pipeline.
async fn previous_version(
    client: &Client,
    project_id: &str,
    name: &str,
) -> anyhow::Result<Option<String>> {
    let runs = client
        .get_all(
            "tasks.get_all",
            &json!({
                "project": [project_id],
                "name": format!("^{}(| #\\d+)$", regex::escape(name)),
                "system_tags": [PIPELINE_TAG],
                "only_fields": ["id", "runtime"],
                "order_by": ["-created"],
                "search_hidden": true,
            }),
            "tasks",
            Some(20),
        )
        .await?;
    Ok(runs
        .iter()
        .find_map(|r| r["runtime"]["version"].as_str().map(str::to_string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_keep_the_base_items_and_add_new_ones() {
        let base = json!({"General": {"lr": {"section": "General", "name": "lr", "value": "1.0", "type": "float"}}});
        let out = overlay(
            &base,
            &[
                ("General/lr".into(), "0.1".into()),
                ("Args/data".into(), "x".into()),
            ],
        );
        assert_eq!(out["General"]["lr"]["value"], "0.1");
        assert_eq!(out["General"]["lr"]["type"], "float");
        assert_eq!(out["Args"]["data"]["value"], "x");
        assert_eq!(base["General"]["lr"]["value"], "1.0");
    }

    #[test]
    fn artifacts_by_key() {
        let t = json!({"execution": {"artifacts": [{"key": "data", "uri": "http://f/d.csv"}]}});
        assert_eq!(artifact_url(&t, "data").as_deref(), Some("http://f/d.csv"));
        assert_eq!(artifact_url(&t, "nope"), None);
    }
}
