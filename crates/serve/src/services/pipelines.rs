//! `pipelines.*`: starting a run (clone the controller task with new arguments, name it
//! after its project, enqueue it) and deleting runs, as the real server does, built from
//! the tasks and queues handlers.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, SqlFilter};
use super::{id_list, opt_bool, opt_str, req_str, sub_call};
use serde_json::{Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "start_pipeline" => start(call),
        "delete_runs" => delete_runs(call),
        _ => return None,
    })
}

/// The controller's hyperparameters with `args` (`[{name, value}]`) overriding `Args`.
fn hyperparams_with_args(task: &Value, args: &[Value]) -> Value {
    let mut params = task
        .get("hyperparams")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    if !params.get("Args").is_some_and(Value::is_object) {
        params["Args"] = json!({});
    }
    for a in args {
        let name = match &a["name"] {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        let value = match &a["value"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        params["Args"][name.as_str()] = json!({"section": "Args", "name": name, "value": value});
    }
    params
}

/// `<project basename>`, or `<basename> #N` when N runs of that name exist already.
fn run_name(call: &Call, project: &str) -> Result<Option<String>, ApiError> {
    let Some(p) = call.store.get(Coll::Projects, project)? else {
        return Ok(None);
    };
    let prefix = p["name"]
        .as_str()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let runs = call
        .store
        .select_all(Coll::Tasks, &SqlFilter::default().eq("project", project))?;
    let taken = runs
        .iter()
        .filter(|t| {
            t["system_tags"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x == "pipeline"))
        })
        .filter(|t| {
            let n = t["name"].as_str().unwrap_or_default();
            n == prefix
                || n.strip_prefix(&format!("{prefix} #"))
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        })
        .count();
    // The clone itself is among them by now.
    let earlier = taken.saturating_sub(1);
    Ok(Some(if earlier > 0 {
        format!("{prefix} #{earlier}")
    } else {
        prefix
    }))
}

fn start(call: &mut Call) -> ApiResult {
    let task_id = req_str(&call.body, "task")?;
    let controller = super::shared::task::load(call.store, &task_id)?;
    let args: Vec<Value> = call.body["args"].as_array().cloned().unwrap_or_default();
    // The run keeps the controller's system tags (`pipeline`...), not its archiving.
    let system_tags: Vec<Value> = controller["system_tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| *t != "archived")
        .cloned()
        .collect();
    let mut clone = json!({"task": task_id, "new_task_system_tags": system_tags});
    if !args.is_empty() {
        clone["new_task_hyperparams"] = hyperparams_with_args(&controller, &args);
    }
    let cloned = sub_call(call, "tasks.clone", clone)?;
    let new_id = cloned["id"].as_str().unwrap_or_default().to_string();
    let mut doc = super::shared::task::load(call.store, &new_id)?;
    if let Some(project) = doc["project"].as_str().map(str::to_string)
        && let Some(name) = run_name(call, &project)?
    {
        doc["name"] = json!(name);
        call.store.put(Coll::Tasks, &doc)?;
    }
    let mut enqueue =
        json!({"task": new_id, "status_message": "Starting pipeline", "status_reason": ""});
    if let Some(q) = opt_str(&call.body, "queue") {
        enqueue["queue"] = json!(q);
    }
    let queued = sub_call(call, "tasks.enqueue", enqueue)?;
    let mut out =
        json!({"pipeline": new_id, "enqueued": queued["queued"].as_i64().unwrap_or(1) > 0});
    // services/pipelines.py start_pipeline: asked for and queued, whether a registered
    // worker lists the queue (queue_bll.py check_for_workers; workers keep queue ids).
    let queue = queued
        .pointer("/fields/execution.queue")
        .and_then(Value::as_str)
        .filter(|q| !q.is_empty());
    if opt_bool(&call.body, "verify_watched_queue")
        && out["enqueued"] == true
        && let Some(q) = queue
    {
        let watched = call
            .state
            .workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .workers(&crate::activity::WorkerQuery::default())
            .iter()
            .any(|w| {
                w["queues"]
                    .as_array()
                    .is_some_and(|qs| qs.iter().any(|x| x.as_str() == Some(q) || x["id"] == q))
            });
        out["queue_watched"] = json!(watched);
    }
    Ok(out)
}

fn delete_runs(call: &mut Call) -> ApiResult {
    let project = req_str(&call.body, "project")?;
    let ids = id_list(&call.body, "ids");
    let runs: Vec<String> = call
        .store
        .select_all(
            Coll::Tasks,
            &SqlFilter::default()
                .eq("project", &project)
                .eq("type", "controller"),
        )?
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    if runs.iter().all(|r| ids.contains(r)) {
        return Err(ApiError::new(
            400,
            160,
            format!("At least one pipeline run should be left: project={project}"),
        ));
    }
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for id in ids.iter().filter(|i| runs.contains(i)) {
        match sub_call(call, "tasks.delete", json!({"task": id, "force": true})) {
            Ok(mut r) => {
                r["id"] = json!(id);
                r["deleted"] = json!(true);
                succeeded.push(r);
            }
            Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": e.data}})),
        }
    }
    Ok(json!({"succeeded": succeeded, "failed": failed}))
}
