//! Before a run: the base tasks found (or made from scripts) and the queues checked.

use super::*;

/// System tag of a base task made from a script: `clearml-script:<fingerprint>`; a run
/// whose script, requirements and args are unchanged finds and reuses it.
pub const SCRIPT_TAG: &str = "clearml-script:";

/// A script step's base task: the body to create it, or the existing one.
pub(super) struct ScriptBase {
    body: Value,
    existing: Option<String>,
}

pub(super) const BASE_FIELDS: &[&str] = &[
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
    let queues = step_queues(&spec, &existing, queue_override, &mut problems);
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
    let mut bases = fetch_bases(client, &base_ids).await?;
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

/// Per step: its queue's (name, id), or empty strings with a problem when it has none
/// or names one the server does not have (each unknown queue reported once).
fn step_queues(
    spec: &Spec,
    existing: &[(String, String)],
    queue_override: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String)> {
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
    queues
}

/// The base tasks' documents in step order (`null` where a step has none yet).
async fn fetch_bases(client: &Client, base_ids: &[Option<String>]) -> anyhow::Result<Vec<Value>> {
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
    Ok(base_ids
        .iter()
        .map(|id| {
            id.as_deref()
                .and_then(|id| by_id.get(id))
                .map(|d| (*d).clone())
                .unwrap_or(Value::Null)
        })
        .collect())
}

/// Per step (spec order): for a `script` step, its base task's body and the unchanged
/// base task an earlier run made, if any. A script that cannot be read is a problem.
pub(super) async fn script_bases(
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
pub(super) async fn create_script_bases(client: &Client, plan: &mut Plan) -> anyhow::Result<()> {
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
pub(super) const NAMES_ONE_BY_ONE: usize = 8;

/// Each step's base task id, as the SDK's Task.get_task finds it (by id, or by project +
/// name); what is missing goes to `problems`, in step order. Ids are checked in one
/// listing, each project is looked up once, each (project, name) once.
pub(super) async fn find_bases(
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
pub(super) async fn base_candidates(
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
pub(super) fn pick_bases(found: Vec<Value>) -> HashMap<String, String> {
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
