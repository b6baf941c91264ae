//! `workers.*`: registered workers live in memory (the real server keeps them in Redis
//! with a timeout, after which an unreporting worker is gone); they re-register after a
//! restart. Status reports with machine statistics feed `get_stats`, `get_metric_keys` and
//! `get_activity_report` (see `activity`).

use super::super::Call;
use super::super::activity::{Activity, DEFAULT_WORKER_TIMEOUT, WorkerQuery};
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::Coll;
use super::{id_list, now, now_ms, opt_str, req_str};
use serde_json::{Value, json};
use std::sync::MutexGuard;

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "register" => register(call),
        "unregister" => req_str(&call.body, "worker").map(|w| {
            // Unknown workers count as unregistered already (the server's auto_unregister).
            activity(call).remove_worker(&w);
            json!({})
        }),
        "status_report" => status_report(call),
        "get_all" => {
            let q = worker_query(&call.body);
            let mut workers = activity(call).workers(&q);
            for w in workers.iter_mut() {
                fill_queues(call, w);
            }
            Ok(json!({"workers": workers}))
        }
        "get_count" => {
            let q = worker_query(&call.body);
            Ok(json!({"count": activity(call).workers(&q).len()}))
        }
        "get_metric_keys" => metric_keys(call),
        "get_stats" => get_stats(call),
        "get_activity_report" => activity_report(call),
        _ => return None,
    })
}

fn activity<'a>(call: &'a Call) -> MutexGuard<'a, Activity> {
    call.state.workers.lock().unwrap_or_else(|p| p.into_inner())
}

fn worker_query(body: &Value) -> WorkerQuery {
    WorkerQuery {
        last_seen: body.get("last_seen").and_then(Value::as_i64),
        tags: id_list(body, "tags"),
        system_tags: id_list(body, "system_tags"),
        pattern: opt_str(body, "worker_pattern").filter(|p| !p.is_empty()),
    }
}

/// Queue references as the real server answers them: name, display name, queued count and
/// the next task.
fn queue_ref(call: &Call, id: &str) -> Value {
    let Ok(Some(q)) = call.store.get(Coll::Queues, id) else {
        return json!({"id": id});
    };
    let entries = q["entries"].as_array().cloned().unwrap_or_default();
    let mut r = json!({"id": id, "name": q["name"], "display_name": q["display_name"],
        "num_tasks": entries.len()});
    if let Some(t) = entries.first().and_then(|e| e["task"].as_str()) {
        let name = call
            .store
            .get(Coll::Tasks, t)
            .ok()
            .flatten()
            .map(|d| d["name"].clone())
            .unwrap_or(Value::Null);
        r["next_task"] = json!({"id": t, "name": name});
    }
    r
}

fn fill_queues(call: &Call, w: &mut Value) {
    let ids: Vec<String> = w["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q.as_str().or_else(|| q["id"].as_str()).map(str::to_string))
        .collect();
    w["queues"] = json!(ids.iter().map(|q| queue_ref(call, q)).collect::<Vec<_>>());
    if let Some(q) = w["queue"].as_str().map(str::to_string) {
        w["queue"] = queue_ref(call, &q);
    }
}

fn new_worker(call: &Call, w: &str, t: &str) -> Value {
    json!({
        "id": w, "user": {"id": call.identity.user, "name": call.identity.user_name},
        "company": {"id": call.identity.company}, "ip": "127.0.0.1",
        "register_time": t, "last_activity_time": t, "queues": [], "tags": [],
        "system_tags": [], "key": format!("worker_{}_{}_{w}", call.identity.company, call.identity.user),
        "_last_activity_ms": now_ms(),
    })
}

fn register(call: &mut Call) -> ApiResult {
    let w = req_str(&call.body, "worker")?;
    let timeout = match call.body.get("timeout").and_then(Value::as_i64) {
        None | Some(0) => DEFAULT_WORKER_TIMEOUT,
        Some(t) if t < 0 => {
            return Err(ApiError::new(
                400,
                1002,
                format!("Worker registration failed (invalid timeout): timeout={t}, worker={w}"),
            ));
        }
        Some(t) => t,
    };
    let queues = id_list(&call.body, "queues");
    for q in &queues {
        if call.store.get(Coll::Queues, q)?.is_none() {
            return Err(ApiError::invalid_queue(q));
        }
    }
    let t = now();
    let mut doc = new_worker(call, &w, &t);
    doc["queues"] = json!(queues);
    for k in ["tags", "system_tags"] {
        doc[k] = json!(id_list(&call.body, k));
    }
    activity(call).put_worker(&w, doc, timeout);
    Ok(json!({}))
}

fn status_report(call: &mut Call) -> ApiResult {
    let w = req_str(&call.body, "worker")?;
    let t = now();
    // As the real server: a worker reporting a task becomes the task's last_worker, and the
    // report counts as an update of the task.
    let task = match opt_str(&call.body, "task").filter(|t| !t.is_empty()) {
        Some(id) => {
            let user = call.identity.user.clone();
            Some(call.store.tx(|store| {
                let mut doc = store
                    .get(Coll::Tasks, &id)?
                    .ok_or_else(|| ApiError::invalid_task(&id))?;
                for k in ["last_worker_report", "last_update", "last_change"] {
                    doc[k] = json!(t);
                }
                doc["last_worker"] = json!(w);
                doc["last_changed_by"] = json!(user);
                store.put(Coll::Tasks, &doc)?;
                let project = match doc["project"].as_str() {
                    Some(p) => store
                        .get(Coll::Projects, p)?
                        .map(|d| json!({"id": p, "name": d["name"]})),
                    None => None,
                };
                Ok::<_, ApiError>((json!({"id": id, "name": doc["name"]}), project))
            })?)
        }
        None => None,
    };
    let mut act = activity(call);
    let (mut entry, timeout) = match act.worker(&w) {
        Some(e) => {
            let timeout = e["register_timeout"]
                .as_i64()
                .unwrap_or(DEFAULT_WORKER_TIMEOUT);
            (e, timeout)
        }
        // Unknown workers are registered on their first report (the server's auto_register).
        None => (new_worker(call, &w, &t), DEFAULT_WORKER_TIMEOUT),
    };
    if let Some(stats) = call.body.get("machine_stats") {
        let ts = call
            .body
            .get("timestamp")
            .and_then(Value::as_i64)
            .unwrap_or_else(now_ms);
        act.log_machine_stats(&w, ts, task.is_some(), stats);
        act.save(call.store)?;
    }
    for k in ["tags", "system_tags"] {
        if call.body.get(k).is_some_and(Value::is_array) {
            entry[k] = json!(id_list(&call.body, k));
        }
    }
    entry["last_activity_time"] = json!(t);
    entry["_last_activity_ms"] = json!(now_ms());
    entry["last_report_time"] = json!(t);
    entry["queue"] = opt_str(&call.body, "queue").map_or(Value::Null, |q| json!(q));
    let queues = id_list(&call.body, "queues");
    if !queues.is_empty() {
        entry["queues"] = json!(queues);
    }
    match task {
        Some((task, project)) => {
            entry["task"] = task;
            entry["project"] = project.unwrap_or(Value::Null);
        }
        None => {
            entry["task"] = Value::Null;
            entry["project"] = Value::Null;
        }
    }
    act.put_worker(&w, entry, timeout);
    Ok(json!({}))
}

fn metric_keys(call: &mut Call) -> ApiResult {
    let workers = id_list(&call.body, "worker_ids");
    let keys = activity(call).metric_keys(&workers);
    if keys.is_empty() {
        return Err(ApiError::new(
            400,
            1005,
            format!(
                "Worker stats not found (No statistic metrics found for the company {} and workers {workers:?})",
                call.identity.company
            ),
        ));
    }
    let categories: Vec<Value> = keys
        .into_iter()
        .map(|(name, keys)| json!({"name": name, "metric_keys": keys}))
        .collect();
    Ok(json!({"categories": categories}))
}

/// `from_date`, `to_date` (seconds) and `interval`, checked as the real server does.
fn time_range(body: &Value) -> Result<(f64, f64, i64), ApiError> {
    let num = |k: &str| -> Result<f64, ApiError> {
        body.get(k)
            .and_then(Value::as_f64)
            .ok_or_else(|| ApiError::missing_field(k))
    };
    let (from, to) = (num("from_date")?, num("to_date")?);
    let interval = body
        .get("interval")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::missing_field("interval"))?;
    if interval < 1 {
        return Err(ApiError::validation("interval: must be at least 1"));
    }
    if from >= to {
        return Err(ApiError::new(
            400,
            16,
            "Invalid value for fields (from_date must be less than to_date)",
        ));
    }
    Ok((from, to, interval))
}

fn activity_report(call: &mut Call) -> ApiResult {
    let (from, to, interval) = time_range(&call.body)?;
    let act = activity(call);
    Ok(json!({
        "total": act.activity_report(from, to, interval, false),
        "active": act.activity_report(from, to, interval, true),
    }))
}

fn get_stats(call: &mut Call) -> ApiResult {
    let (from, to, interval) = time_range(&call.body)?;
    let items: Vec<(String, String)> = call
        .body
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let key = i["key"].as_str()?.to_string();
            let agg = i["aggregation"].as_str().unwrap_or("avg").to_string();
            Some((key, agg))
        })
        .collect();
    if items.is_empty() {
        return Err(ApiError::missing_field("items"));
    }
    if let Some((_, bad)) = items
        .iter()
        .find(|(_, a)| !["avg", "min", "max"].contains(&a.as_str()))
    {
        return Err(ApiError::validation(format!(
            "items.aggregation: {bad} is not one of avg, min, max"
        )));
    }
    let workers = id_list(&call.body, "worker_ids");
    let split = call
        .body
        .get("split_by_resource")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(activity(call).stats(from, to, interval, &items, &workers, split))
}
