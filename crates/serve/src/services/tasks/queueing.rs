//! `tasks.enqueue` / `tasks.dequeue`.

use super::*;

/// `tasks.enqueue`: queue by id, by name (created if missing), or the default queue.
pub fn enqueue(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let body = call.body.clone();
    let queue_id = opt_str(&body, "queue").filter(|q| !q.is_empty());
    let queue_name = opt_str(&body, "queue_name").filter(|q| !q.is_empty());
    if queue_id.is_some() && queue_name.is_some() {
        return Err(ApiError::validation(
            "queue and queue_name cannot both be set",
        ));
    }
    let company = call.identity.company.clone();
    let user = call.identity.user.clone();
    call.store
        .tx(|store| {
            let queue = match (queue_id, queue_name) {
                (Some(q), _) => load_queue(store, &q)?,
                (None, Some(name)) => match find_by_name(store, &name)? {
                    Some(q) => q,
                    None => {
                        let q = queue_doc(&name, &company, &user, json!([]));
                        store.put(Coll::Queues, &q)?;
                        q
                    }
                },
                (None, None) => default_queue(store)?,
            };
            let qid = queue["id"].as_str().unwrap_or_default().to_string();
            let mut doc = load(store, &id)?;
            let status = doc["status"].as_str().unwrap_or("").to_string();
            if !["created", "stopped", "failed", "queued"].contains(&status.as_str())
                && !opt_bool(&body, "force")
            {
                return Err(ApiError::invalid_status(format!(
                    "Invalid status change: task={id}, current_status={status}, new_status=queued"
                )));
            }
            // The status to return to when the task leaves the queue without running.
            let before = match doc["enqueue_status"].as_str() {
                Some(s) if status == "queued" && !s.is_empty() => s.to_string(),
                _ => status.clone(),
            };
            let mut fields = change_status(&mut doc, "queued", true, &body)?;
            doc["enqueue_status"] = json!(before);
            fields.insert("enqueue_status".into(), json!(before));
            // A task sent to a queue is no longer a development (local) run.
            if let Some(tags) = doc["system_tags"].as_array_mut() {
                tags.retain(|t| t != "development");
            }
            if body
                .get("update_execution_queue")
                .and_then(Value::as_bool)
                .unwrap_or(true)
            {
                if !doc["execution"].is_object() {
                    doc["execution"] = json!({});
                }
                doc["execution"]["queue"] = json!(qid);
                fields.insert("execution.queue".into(), json!(qid));
            }
            push_entry(store, &qid, &id)?;
            remove_from_other_queues(store, &id, &qid)?;
            store.put(Coll::Tasks, &doc)?;
            Ok((
                qid,
                json!({"queued": 1, "updated": 1, "fields": fields, "queue_watched": true}),
            ))
        })
        .map(|(qid, out)| {
            log_queue(call, &qid);
            out
        })
}

/// `tasks.dequeue`: back to draft.
/// The real server's TaskStatus values.
pub(super) const TASK_STATUSES: &[&str] = &[
    "created",
    "queued",
    "in_progress",
    "stopped",
    "published",
    "publishing",
    "closed",
    "failed",
    "completed",
    "unknown",
];

pub fn dequeue(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let body = call.body.clone();
    call.store.tx(|store| {
        let mut doc = load(store, &id)?;
        if doc["status"] != "queued" {
            return Err(ApiError::invalid_status(format!(
                "Task is not queued: task={id}, status={}",
                doc["status"].as_str().unwrap_or("")
            )));
        }
        // task_operations.py dequeue_task: `new_status` (a valid status) wins over the
        // status the task had before it was enqueued.
        let wanted = opt_str(&body, "new_status").filter(|s| !s.is_empty());
        if let Some(w) = &wanted
            && !TASK_STATUSES.contains(&w.as_str())
        {
            return Err(ApiError::validation(format!("Invalid task status: {w}")));
        }
        let removed = remove_from_queues(store, &id)?;
        let to = wanted.unwrap_or_else(|| {
            doc["enqueue_status"]
                .as_str()
                .filter(|s| !s.is_empty() && *s != "queued")
                .unwrap_or("created")
                .to_string()
        });
        let fields = change_status(&mut doc, &to, true, &body)?;
        if let Some(o) = doc.as_object_mut() {
            o.remove("enqueue_status");
        }
        store.put(Coll::Tasks, &doc)?;
        Ok(json!({"dequeued": removed, "updated": 1, "fields": fields}))
    })
}
