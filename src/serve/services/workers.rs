//! `workers.*`: registered workers live in memory (the real server keeps them in Redis
//! with a timeout); they re-register after a restart.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::Coll;
use super::{id_list, now, opt_str, req_str};
use serde_json::{Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "register" => register(call),
        "unregister" => {
            let w = match req_str(&call.body, "worker") {
                Ok(w) => w,
                Err(e) => return Some(Err(e)),
            };
            call.state
                .workers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&w);
            Ok(json!({}))
        }
        "status_report" => status_report(call),
        "get_all" => {
            let workers: Vec<Value> = call
                .state
                .workers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .cloned()
                .collect();
            Ok(json!({"workers": workers}))
        }
        "get_metric_keys" => Ok(json!({"categories": []})),
        "get_stats" => Ok(json!({"workers": []})),
        "get_activity_report" => Ok(json!({"total": [], "active": []})),
        _ => return None,
    })
}

fn queue_refs(call: &Call, ids: &[String]) -> Vec<Value> {
    ids.iter()
        .map(|q| {
            let name = call
                .store
                .get(Coll::Queues, q)
                .ok()
                .flatten()
                .map(|d| d["name"].clone())
                .unwrap_or(Value::Null);
            json!({"id": q, "name": name})
        })
        .collect()
}

fn register(call: &mut Call) -> ApiResult {
    let w = req_str(&call.body, "worker")?;
    let t = now();
    let queues = queue_refs(call, &id_list(&call.body, "queues"));
    let doc = json!({
        "id": w, "user": {"id": call.identity.user, "name": call.identity.user_name},
        "company": {"id": call.identity.company}, "ip": "127.0.0.1",
        "register_time": t, "last_activity_time": t, "last_report_time": t,
        "queues": queues, "tags": call.body.get("tags").cloned().unwrap_or(json!([])),
        "key": format!("worker_{w}"),
    });
    call.state
        .workers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(w, doc);
    Ok(json!({}))
}

fn status_report(call: &mut Call) -> ApiResult {
    let w = req_str(&call.body, "worker")?;
    let t = now();
    let task =
        opt_str(&call.body, "task").and_then(|id| {
            call.store.get(Coll::Tasks, &id).ok().flatten().map(
                |d| json!({"id": id, "name": d["name"], "last_iteration": d["last_iteration"]}),
            )
        });
    // As the real server: a worker reporting a task becomes the task's last_worker.
    if let Some(id) = opt_str(&call.body, "task") {
        call.store.tx(|store| {
            if let Some(mut doc) = store.get(Coll::Tasks, &id)? {
                doc["last_worker"] = json!(w);
                doc["last_worker_report"] = json!(t);
                store.put(Coll::Tasks, &doc)?;
            }
            Ok::<_, ApiError>(())
        })?;
    }
    let queue = opt_str(&call.body, "queue");
    let queues = queue_refs(call, &id_list(&call.body, "queues"));
    let mut workers = call.state.workers.lock().unwrap_or_else(|p| p.into_inner());
    let entry = workers.entry(w.clone()).or_insert_with(|| {
        json!({
            "id": w, "user": {"id": call.identity.user, "name": call.identity.user_name},
            "company": {"id": call.identity.company}, "ip": "127.0.0.1", "register_time": t,
            "queues": [], "tags": [], "key": format!("worker_{w}"),
        })
    });
    entry["last_activity_time"] = json!(t);
    entry["last_report_time"] = json!(t);
    entry["task"] = task.unwrap_or(Value::Null);
    if let Some(q) = queue {
        entry["queue"] = json!({"id": q});
    }
    if !queues.is_empty() {
        entry["queues"] = json!(queues);
    }
    Ok(json!({}))
}
