//! Queue documents as tasks and queues both change them: a queue holds its `entries`
//! ([{task, added}]) in order.

use super::super::super::Call;
use super::super::super::envelope::ApiError;
use super::super::super::query::add_list_filter;
use super::super::super::store::{Coll, Order, SqlFilter, Store};
use super::super::{new_id, now};
use serde_json::{Value, json};

pub fn queue_doc(name: &str, company: &str, user: &str, system_tags: Value) -> Value {
    let t = now();
    json!({
        "id": new_id(), "name": name, "display_name": name, "company": company, "user": user,
        "created": t, "last_update": t, "tags": [], "system_tags": system_tags,
        "entries": [], "metadata": {},
    })
}

pub fn load_queue(store: &Store, id: &str) -> Result<Value, ApiError> {
    store
        .get(Coll::Queues, id)?
        .ok_or_else(|| ApiError::invalid_queue(id))
}

/// Queues with system tag `default` (there should be one).
pub fn default_filter() -> SqlFilter {
    let mut f = SqlFilter::default();
    add_list_filter(&mut f, "system_tags", &json!(["default"]));
    f
}

pub fn default_queue(store: &Store) -> Result<Value, ApiError> {
    let qs = store.select(
        Coll::Queues,
        &default_filter(),
        &Order::insertion(),
        Some(2),
        0,
    )?;
    match qs.len() {
        0 => Err(ApiError::new(400, 707, "No default queue")),
        1 => Ok(qs.into_iter().next().unwrap_or_default()),
        _ => Err(ApiError::new(400, 708, "Multiple default queues")),
    }
}

pub fn find_by_name(store: &Store, name: &str) -> Result<Option<Value>, ApiError> {
    Ok(store.find_one(Coll::Queues, &SqlFilter::default().eq("name", name))?)
}

pub fn push_entry(store: &Store, queue_id: &str, task: &str) -> Result<usize, ApiError> {
    let mut q = load_queue(store, queue_id)?;
    let entries = q["entries"]
        .as_array_mut()
        .ok_or_else(|| ApiError::internal("queue without entries"))?;
    if entries.iter().any(|e| e["task"] == task) {
        return Err(ApiError::new(
            400,
            706,
            format!("Task already queued: task={task}, queue={queue_id}"),
        ));
    }
    entries.push(json!({"task": task, "added": now()}));
    let n = entries.len();
    q["last_update"] = json!(now());
    store.put(Coll::Queues, &q)?;
    Ok(n)
}

pub fn remove_entry(store: &Store, queue_id: &str, task: &str) -> Result<usize, ApiError> {
    let mut q = load_queue(store, queue_id)?;
    let Some(entries) = q["entries"].as_array_mut() else {
        return Ok(0);
    };
    let before = entries.len();
    entries.retain(|e| e["task"] != task);
    let removed = before - entries.len();
    if removed > 0 {
        q["last_update"] = json!(now());
        store.put(Coll::Queues, &q)?;
    }
    Ok(removed)
}

/// Take a task out of every queue holding it; returns how many entries went.
pub fn remove_from_queues(store: &Store, task: &str) -> Result<usize, ApiError> {
    remove_from_other_queues(store, task, "")
}

/// Take a task out of every queue holding it but `keep` (a task waits in one queue at a
/// time); returns how many entries went.
pub fn remove_from_other_queues(store: &Store, task: &str, keep: &str) -> Result<usize, ApiError> {
    let mut n = 0;
    let holding = SqlFilter::default().queue_holds(task);
    for q in store.select_all(Coll::Queues, &holding)? {
        let id = q["id"].as_str().unwrap_or_default();
        if id != keep {
            n += remove_entry(store, id, task)?;
        }
    }
    Ok(n)
}

/// Sample a queue's length and waiting time after a change (for `get_queue_metrics`).
pub fn log_queue(call: &Call, queue_id: &str) {
    if let Ok(Some(q)) = call.store.get(Coll::Queues, queue_id) {
        let mut act = call.state.workers.lock().unwrap_or_else(|p| p.into_inner());
        act.log_queue(&q);
        // A sample that cannot be saved is still charted until the server stops.
        if let Err(e) = act.save(call.store) {
            tracing::warn!("cannot save a queue sample: {e}");
        }
    }
}
