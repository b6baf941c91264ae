//! `queues.*`. A queue document holds its `entries` ([{task, added}]) in order; what
//! tasks.enqueue/dequeue need of queues is in `shared::queue`.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, SqlFilter, Store};
use super::shared::queue::{
    default_filter, default_queue, find_by_name, load_queue, log_queue, push_entry, queue_doc,
    remove_entry,
};
use super::shared::task::{change_status, load};
use super::{get_all, merge_top, now, opt_bool, opt_str, req_str};
use serde_json::{Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "get_by_id" => {
            let id = match req_str(&call.body, "queue") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_queue(call.store, &id).map(|mut q| {
                limit_entries(&mut q, &call.body);
                json!({"queue": q})
            })
        }
        "get_all" | "get_all_ex" => list(call, action == "get_all_ex"),
        "get_default" => {
            default_queue(call.store).map(|q| json!({"id": q["id"], "name": q["name"]}))
        }
        "get_next_task" => get_next_task(call),
        "get_num_entries" => {
            let id = match req_str(&call.body, "queue") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_queue(call.store, &id)
                .map(|q| json!({"num": q["entries"].as_array().map_or(0, |a| a.len())}))
        }
        "update" => update(call),
        "delete" => delete(call),
        "add_task" => add_task(call),
        "remove_task" => remove_task(call),
        "clear_queue" => clear_queue(call),
        "move_task_to_front" | "move_task_to_back" | "move_task_forward" | "move_task_backward" => {
            move_task(call, action)
        }
        "peek_task" => {
            let id = match req_str(&call.body, "queue") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_queue(call.store, &id)
                .map(|q| json!({"task": q["entries"].get(0).map(|e| e["task"].clone())}))
        }
        "get_queue_metrics" => queue_metrics(call),
        "add_or_update_metadata" | "delete_metadata" => {
            queue_metadata(call, action == "delete_metadata")
        }
        _ => return None,
    })
}

/// Queues with these system tags (the k8s glue's own queues) are left out of listings
/// unless `search_hidden`, `id` or `name` is given, as the real server's default config does.
const HIDDEN_QUEUE_TAGS: &[&str] = &["k8s-glue"];

/// The filter leaving hidden queues out, unless the request asks for them.
fn hidden_queues_filter(body: &Value) -> Option<SqlFilter> {
    let asks = |k: &str| {
        body.get(k)
            .is_some_and(|v| !v.is_null() && v != false && v != "")
    };
    if asks("search_hidden") || asks("id") || asks("name") {
        return None;
    }
    let mut f = SqlFilter::default();
    let excluded: Vec<Value> = HIDDEN_QUEUE_TAGS
        .iter()
        .map(|t| json!(format!("-{t}")))
        .collect();
    super::super::query::add_list_filter(&mut f, "system_tags", &Value::Array(excluded));
    Some(f)
}

/// The real server creates a queue named `default` with system tag `default` on first start.
pub fn ensure_default_queue(store: &Store, company: &str) -> Result<(), ApiError> {
    if store.count(Coll::Queues, &default_filter())? == 0 {
        store.put(
            Coll::Queues,
            &queue_doc(
                "default",
                company,
                super::super::auth::USER_ID,
                json!(["default"]),
            ),
        )?;
    }
    Ok(())
}

fn create(call: &mut Call) -> ApiResult {
    let name = req_str(&call.body, "name")?;
    if name.trim().is_empty() {
        return Err(ApiError::validation("name: String value is too short"));
    }
    if find_by_name(call.store, &name)?.is_some() {
        return Err(ApiError::new(
            400,
            801,
            format!(
                "Value combination already exists (unique field already contains this value): name={name}"
            ),
        ));
    }
    let mut doc = queue_doc(
        &name,
        &call.identity.company,
        &call.identity.user,
        json!([]),
    );
    merge_top(
        &mut doc,
        &call.body,
        &["id", "entries", "created", "company", "user", "metadata"],
    );
    super::shared::metadata::replace_from(&mut doc, &call.body)?;
    call.store.put(Coll::Queues, &doc)?;
    Ok(json!({"id": doc["id"]}))
}

fn update(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "queue")?;
    let mut doc = load_queue(call.store, &id)?;
    let mut fields = serde_json::Map::new();
    for k in ["name", "display_name", "tags", "system_tags"] {
        if let Some(v) = call.body.get(k) {
            doc[k] = v.clone();
            fields.insert(k.into(), v.clone());
        }
    }
    if let Some(m) = super::shared::metadata::replace_from(&mut doc, &call.body)? {
        fields.insert("metadata".into(), m);
    }
    doc["last_update"] = json!(now());
    call.store.put(Coll::Queues, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

/// Put tasks taken out of a queue back to the status they had before they were enqueued
/// (`created` when unknown), without the queue, as the real server does when a queue is
/// cleared or deleted, or on `remove_task` with `update_task_status`.
fn unqueue_tasks(
    store: &Store,
    queue_id: &str,
    tasks: &[String],
    reason: &str,
) -> Result<Vec<String>, ApiError> {
    let mut done = Vec::new();
    for t in tasks {
        let Some(mut doc) = store.get(Coll::Tasks, t)? else {
            continue;
        };
        if doc["execution"]["queue"].as_str() != Some(queue_id) {
            continue;
        }
        let to = doc["enqueue_status"]
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or("created")
            .to_string();
        change_status(&mut doc, &to, true, &json!({"status_reason": reason}))?;
        if let Some(o) = doc.as_object_mut() {
            o.remove("enqueue_status");
        }
        if let Some(e) = doc["execution"].as_object_mut() {
            e.remove("queue");
        }
        store.put(Coll::Tasks, &doc)?;
        done.push(t.clone());
    }
    Ok(done)
}

fn remove_task(call: &mut Call) -> ApiResult {
    let q = req_str(&call.body, "queue")?;
    let t = req_str(&call.body, "task")?;
    let update_status = opt_bool(&call.body, "update_task_status");
    let removed = call.store.tx(|store| {
        let queue = load_queue(store, &q)?;
        if !queue["entries"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["task"] == t.as_str()))
        {
            return Err(ApiError::new(
                400,
                703,
                format!("Invalid queue id or task not in queue: task={t}, id={q}"),
            ));
        }
        let n = remove_entry(store, &q, &t)?;
        if n > 0 && update_status {
            unqueue_tasks(
                store,
                &q,
                std::slice::from_ref(&t),
                &format!("Task was removed from the queue {q}"),
            )?;
        }
        Ok(n)
    })?;
    log_queue(call, &q);
    Ok(json!({"removed": removed}))
}

fn clear_queue(call: &mut Call) -> ApiResult {
    let q = req_str(&call.body, "queue")?;
    let tasks = call.store.tx(|store| -> Result<Vec<String>, ApiError> {
        let mut queue = load_queue(store, &q)?;
        let tasks: Vec<String> = queue["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["task"].as_str().map(str::to_string))
            .collect();
        if tasks.is_empty() {
            return Ok(tasks);
        }
        let done = unqueue_tasks(store, &q, &tasks, &format!("Queue {q} was cleared"))?;
        queue["entries"] = json!([]);
        queue["last_update"] = json!(now());
        store.put(Coll::Queues, &queue)?;
        Ok(done)
    })?;
    log_queue(call, &q);
    Ok(json!({"removed_tasks": tasks}))
}

/// `queues.get_queue_metrics`: per requested queue, or for all (non-hidden) queues combined
/// as `total`; samples are taken whenever a queue changes (and now, with `refresh`).
fn queue_metrics(call: &mut Call) -> ApiResult {
    let num = |k: &str| -> Result<f64, ApiError> {
        call.body
            .get(k)
            .and_then(Value::as_f64)
            .ok_or_else(|| ApiError::missing_field(k))
    };
    let (from, to) = (num("from_date")?, num("to_date")?);
    let interval = call
        .body
        .get("interval")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::missing_field("interval"))?;
    if interval < 1 {
        return Err(ApiError::validation("interval: must be at least 1"));
    }
    let requested = super::id_list(&call.body, "queue_ids");
    let per_queue = !requested.is_empty();
    let mut query = json!({"only_fields": ["id"]});
    if per_queue {
        query["id"] = json!(requested);
    }
    let mut filter = super::super::query::build_filter(&query, false)?;
    if let Some(h) = hidden_queues_filter(&call.body) {
        filter.and(h);
    }
    let queues: Vec<String> = call
        .store
        .select_all(Coll::Queues, &filter)?
        .iter()
        .filter_map(|q| q["id"].as_str().map(str::to_string))
        .collect();
    if queues.is_empty() {
        return Ok(json!({"queues": []}));
    }
    if opt_bool(&call.body, "refresh") {
        for q in &queues {
            log_queue(call, q);
        }
    }
    if from >= to {
        return Err(ApiError::new(
            400,
            16,
            "Invalid value for fields (from_date must be less than to_date)",
        ));
    }
    let series = call
        .state
        .workers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .queue_metrics(from, to, interval, &queues, per_queue);
    Ok(json!({"queues": series}))
}

fn queue_metadata(call: &mut Call, remove: bool) -> ApiResult {
    let id = req_str(&call.body, "queue")?;
    let mut doc = load_queue(call.store, &id)?;
    let updated = super::shared::metadata::apply(&mut doc, &call.body, remove)?;
    call.store.put(Coll::Queues, &doc)?;
    Ok(json!({"updated": updated}))
}

fn delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "queue")?;
    let doc = load_queue(call.store, &id)?;
    if !doc["entries"].as_array().is_none_or(|a| a.is_empty()) && !opt_bool(&call.body, "force") {
        return Err(ApiError::new(
            400,
            702,
            format!("Queue is not empty (use force=true): id={id}"),
        ));
    }
    // Forced: the queued tasks go back to their status before enqueueing, with the real
    // server's reason (bll/queue/queue_bll.py delete).
    let queued: Vec<String> = doc["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["task"].as_str().map(str::to_string))
        .collect();
    call.store.tx(|store| {
        unqueue_tasks(store, &id, &queued, &format!("Queue {id} was deleted"))?;
        store.delete(Coll::Queues, &id)?;
        Ok::<(), ApiError>(())
    })?;
    Ok(json!({"deleted": 1}))
}

fn add_task(call: &mut Call) -> ApiResult {
    let q = req_str(&call.body, "queue")?;
    let t = req_str(&call.body, "task")?;
    load(call.store, &t)?;
    push_entry(call.store, &q, &t)?;
    // apimodels/queues.py AddTaskRequest: update_execution_queue defaults to true.
    if call
        .body
        .get("update_execution_queue")
        .and_then(Value::as_bool)
        .unwrap_or(true)
    {
        let mut doc = load(call.store, &t)?;
        if !doc["execution"].is_object() {
            doc["execution"] = json!({});
        }
        doc["execution"]["queue"] = json!(q);
        call.store.put(Coll::Tasks, &doc)?;
    }
    log_queue(call, &q);
    Ok(json!({"added": 1}))
}

fn move_task(call: &mut Call, action: &str) -> ApiResult {
    let qid = req_str(&call.body, "queue")?;
    let task = req_str(&call.body, "task")?;
    let count = call
        .body
        .get("count")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(1) as usize;
    let mut q = load_queue(call.store, &qid)?;
    let entries = q["entries"]
        .as_array_mut()
        .ok_or_else(|| ApiError::internal("queue without entries"))?;
    let pos = entries
        .iter()
        .position(|e| e["task"] == task)
        .ok_or_else(|| ApiError::invalid_task(&task))?;
    let entry = entries.remove(pos);
    let new_pos = match action {
        "move_task_to_front" => 0,
        "move_task_to_back" => entries.len(),
        "move_task_forward" => pos.saturating_sub(count),
        _ => (pos + count).min(entries.len()),
    };
    entries.insert(new_pos, entry);
    call.store.put(Coll::Queues, &q)?;
    Ok(json!({"position": new_pos}))
}

/// `queues.get_all` / `get_all_ex` (with the entries' task names and user/company).
fn list(call: &mut Call, ex: bool) -> ApiResult {
    let (mut docs, scroll) = get_all(
        call.state,
        call.store,
        Coll::Queues,
        &call.body,
        false,
        hidden_queues_filter(&call.body),
    )?;
    for d in docs.iter_mut() {
        limit_entries(d, &call.body);
    }
    if ex {
        super::expand_refs(
            call.store,
            &mut docs,
            &["user", "company"],
            &[],
            &call.identity.user_name,
        );
        for e in docs
            .iter_mut()
            .filter_map(|d| d["entries"].as_array_mut())
            .flatten()
        {
            if let Some(t) = e["task"].as_str().map(str::to_string) {
                let name = call
                    .store
                    .get(Coll::Tasks, &t)?
                    .map(|t| t["name"].clone())
                    .unwrap_or(Value::Null);
                e["task"] = json!({"id": t, "name": name});
            }
        }
    }
    let mut out = json!({"queues": docs});
    if let Some(s) = scroll {
        out["scroll_id"] = json!(s);
    }
    Ok(out)
}

/// `max_task_entries`: the real server projects `entries` with MongoDB's `$slice`
/// (bll/queue/queue_bll.py `_get_task_entries_projection`): the first n, or the last -n.
fn limit_entries(queue: &mut Value, body: &Value) {
    let Some(n) = body.get("max_task_entries").and_then(Value::as_i64) else {
        return;
    };
    if let Some(entries) = queue["entries"].as_array_mut() {
        let len = entries.len();
        let keep = n.unsigned_abs().min(len as u64) as usize;
        if n >= 0 {
            entries.truncate(keep);
        } else {
            entries.drain(..len - keep);
        }
    }
}

fn get_next_task(call: &mut Call) -> ApiResult {
    let qid = req_str(&call.body, "queue")?;
    let get_task_data = opt_bool(&call.body, "get_task_info");
    // With `task`, pop that task if it is queued here (agents use it to pick their own).
    let wanted = opt_str(&call.body, "task");
    let out = call.store.tx(|store| -> ApiResult {
        let mut q = load_queue(store, &qid)?;
        let Some(entries) = q["entries"].as_array_mut() else {
            return Ok(json!({}));
        };
        let pos = match &wanted {
            Some(t) => entries.iter().position(|e| e["task"] == t.as_str()),
            None => (!entries.is_empty()).then_some(0),
        };
        let Some(pos) = pos else {
            return Ok(json!({}));
        };
        let entry = entries.remove(pos);
        q["last_update"] = json!(now());
        store.put(Coll::Queues, &q)?;
        let mut out = json!({"entry": entry});
        if let Some(mut t) = entry["task"]
            .as_str()
            .and_then(|t| store.get(Coll::Tasks, t).ok().flatten())
        {
            // A task an agent aborted after it was queued again is queued (the real
            // server's fix for that race).
            if t["status"] == "stopped" {
                t["status"] = json!("queued");
                store.put(Coll::Tasks, &t)?;
            }
            if get_task_data {
                out["task_info"] = json!({"company": t["company"], "user": t["user"]});
            }
        }
        Ok(out)
    })?;
    if out.get("entry").is_some() {
        log_queue(call, &qid);
    }
    Ok(out)
}
