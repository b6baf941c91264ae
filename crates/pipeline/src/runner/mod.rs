//! Running a validated pipeline the way the SDK's PipelineController does: the hidden
//! projects, the controller task and its `Pipeline` DAG configuration, steps cloned from
//! their base tasks, parameters applied, enqueued when their parents completed, and
//! watched with one batched status call per cycle. Agents execute the steps; we only
//! orchestrate. Nothing here prints: progress goes to the caller's observer.

mod drive;
mod prepare;
mod report;

use prepare::create_script_bases;
pub use prepare::{SCRIPT_TAG, idle_queues, prepare};

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
        let project_id = pipeline_projects(client, spec).await?;
        let version = match &spec.version {
            Some(v) => v.clone(),
            None => previous_version(client, &project_id, &spec.name)
                .await?
                .and_then(|v| super::spec::next_version(&v))
                .unwrap_or_else(|| "1.0.0".to_string()),
        };
        let controller_id = create_controller(client, &spec.name, &project_id).await?;
        let run_name = numbered_run_name(client, &spec.name, &project_id, &controller_id).await?;
        client
            .call(
                "tasks.edit",
                &json!({
                    "task": controller_id, "force": true, "name": run_name,
                    "system_tags": [PIPELINE_TAG, "development"],
                    "hyperparams": controller_hyperparams(spec, &version),
                }),
            )
            .await?;
        let nodes = plan.spec.steps.iter().map(|_| pending_node()).collect();
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

/// The `tasks.get_all` filter of this pipeline's runs (`name`, `name #2`, ...).
fn runs_filter(project_id: &str, name: &str, only_fields: &[&str]) -> Value {
    json!({
        "project": [project_id],
        "name": format!("^{}(| #\\d+)$", regex::escape(name)),
        "system_tags": [PIPELINE_TAG],
        "only_fields": only_fields,
        "search_hidden": true,
    })
}

/// The `version` runtime of the newest earlier run of this pipeline.
async fn previous_version(
    client: &Client,
    project_id: &str,
    name: &str,
) -> anyhow::Result<Option<String>> {
    let mut filter = runs_filter(project_id, name, &["id", "runtime"]);
    filter["order_by"] = json!(["-created"]);
    let runs = client
        .get_all("tasks.get_all", &filter, "tasks", Some(20))
        .await?;
    Ok(runs
        .iter()
        .find_map(|r| r["runtime"]["version"].as_str().map(str::to_string)))
}

/// The pipeline's project (and its hidden `.pipelines` parent), tagged as the SDK tags them;
/// returns the pipeline project's id.
async fn pipeline_projects(client: &Client, spec: &Spec) -> anyhow::Result<String> {
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
    Ok(project_id)
}

/// Create the controller task and mark it started; returns its id.
async fn create_controller(
    client: &Client,
    name: &str,
    project_id: &str,
) -> anyhow::Result<String> {
    let comment = format!(
        "Auto-generated at {} by clearml pipeline run",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    );
    let created = client
        .call(
            "tasks.create",
            &json!({
                "name": name, "type": "controller", "project": project_id,
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
    Ok(controller_id)
}

/// Run numbering as the SDK's: count this name's runs, this one included.
async fn numbered_run_name(
    client: &Client,
    name: &str,
    project_id: &str,
    controller_id: &str,
) -> anyhow::Result<String> {
    let runs = client
        .get_all(
            "tasks.get_all",
            &runs_filter(project_id, name, &["id"]),
            "tasks",
            None,
        )
        .await?;
    // The controller is not tagged yet: count it in.
    let n = runs.len() + usize::from(!runs.iter().any(|r| r["id"] == controller_id));
    Ok(if n > 1 {
        format!("{name} #{n}")
    } else {
        name.to_string()
    })
}

/// The controller's `pipeline`, `properties` and (when given) `Args` sections.
fn controller_hyperparams(spec: &Spec, version: &str) -> Value {
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
    hyperparams
}

fn pending_node() -> Node {
    Node {
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
    }
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
