//! Status changes (started, stopped, failed, …), stop, reset, delete and archive.

use super::*;

pub(super) fn transition(call: &mut Call, to: &str) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let force = opt_bool(&call.body, "force");
    let body = call.body.clone();
    let publish_model = body
        .get("publish_model")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    call.store.tx(|store| {
        let mut doc = load(store, &id)?;
        if to == "published" && !force && !["stopped", "completed", "closed", "failed", "published"].contains(&doc["status"].as_str().unwrap_or("")) {
            return Err(ApiError::new(400, 110, format!("Invalid task status (Invalid status change): current_status={}, new_status=published", doc["status"].as_str().unwrap_or(""))));
        }
        let mut fields = change_status(&mut doc, to, force, &body)?;
        let publish = to == "completed" && opt_bool(&body, "publish");
        if publish {
            fields = change_status(&mut doc, "published", true, &body)?;
        }
        if doc["status"] == "published" && publish_model {
            for m in doc["models"]["output"].as_array().cloned().unwrap_or_default() {
                if let Some(mid) = m["model"].as_str()
                    && let Some(mut model) = store.get(Coll::Models, mid)? {
                        model["ready"] = json!(true);
                        model["last_update"] = json!(now());
                        store.put(Coll::Models, &model)?;
                    }
            }
        }
        // `last_worker` is left alone: only workers.status_report names a task's worker.
        store.put(Coll::Tasks, &doc)?;
        let mut out = json!({"updated": 1, "fields": fields});
        if to == "in_progress" {
            out["started"] = json!(1);
        }
        // tasks.completed says whether it also published the task (`publish: true`).
        if to == "completed" {
            out["published"] = json!(i32::from(publish));
        }
        Ok(out)
    })
}

/// How long after its last update a task counts as still run by its worker (the real
/// server's `task_update_timeout`).
pub(super) const TASK_UPDATE_TIMEOUT_SECS: i64 = 600;

/// Is a worker running this task: it has a worker and was updated recently?
pub(super) fn run_by_worker(doc: &Value) -> bool {
    let has_worker = doc["last_worker"]
        .as_str()
        .is_some_and(|w| !w.is_empty() && w != crate::auth::USER_ID);
    let recent = doc["last_update"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| {
            (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()
                < TASK_UPDATE_TIMEOUT_SECS
        });
    has_worker && recent
}

/// The steps of a pipeline controller task (its children), for the `include_pipeline_steps`
/// forms of stop, archive, unarchive and delete.
pub(super) fn pipeline_steps(
    store: &Store,
    doc: &Value,
    body: &Value,
) -> Result<Vec<String>, ApiError> {
    if !opt_bool(body, "include_pipeline_steps") || doc["type"] != "controller" {
        return Ok(Vec::new());
    }
    let id = doc["id"].as_str().unwrap_or_default();
    Ok(super::super::select_all(
        store,
        Coll::Tasks,
        &json!({"parent": id, "only_fields": ["id"], "search_hidden": true}),
    )?
    .iter()
    .filter_map(|t| t["id"].as_str().map(str::to_string))
    .collect())
}

/// Stop one task: a queued, development or worker-less task is stopped now; one a worker
/// runs keeps its status with status message `stopping`, which the worker sees and answers
/// by stopping the task itself (the real server's handshake).
pub(super) fn stop_one(
    store: &Store,
    id: &str,
    force: bool,
    body: &Value,
    user_name: &str,
) -> ApiResult {
    let mut doc = load(store, id)?;
    let status = doc["status"].as_str().unwrap_or("").to_string();
    let development = doc["system_tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "development"));
    let mut body = body.clone();
    let (to, message) = if status == "queued" || development || !run_by_worker(&doc) {
        if status == "queued" {
            remove_from_queues(store, id)?;
        }
        ("stopped".to_string(), format!("Stopped by {user_name}"))
    } else {
        (status.clone(), "stopping".to_string())
    };
    body["status_message"] = json!(message);
    let fields = change_status(&mut doc, &to, force, &body)?;
    store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

pub(super) fn stop(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let force = opt_bool(&call.body, "force");
    let body = call.body.clone();
    let user_name = call.identity.user_name.clone();
    call.store.tx(|store| {
        let doc = load(store, &id)?;
        for step in pipeline_steps(store, &doc, &body)? {
            stop_one(store, &step, true, &body, &user_name)?;
        }
        stop_one(store, &id, force, &body, &user_name)
    })
}

/// `tasks.reset`: back to `created` without its results (bll/task/task_operations.py
/// `reset_task`): out of its queues, its events gone, its draft output models deleted
/// (`delete_output_models`, default true; `cleanup_task` without touching children), its
/// output list, metrics, runtime and run times cleared.
pub(super) fn reset(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let force = opt_bool(&call.body, "force");
    let mut body = call.body.clone();
    if body.get("status_reason").is_none() {
        body["status_reason"] = json!("reset");
    }
    if body.get("status_message").is_none() {
        body["status_message"] = json!("reset");
    }
    let delete_models = body
        .get("delete_output_models")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    call.store.tx(|store| {
        let mut doc = load(store, &id)?;
        if doc["status"] == "published" && !force {
            // The real server: InvalidTaskStatus (110), not TaskPublished (113).
            return Err(ApiError::invalid_status(format!(
                "task_id={id}, status=published"
            )));
        }
        let dequeued = remove_from_queues(store, &id)?;
        let cleaned = cleanup(
            store,
            &doc,
            &Cleanup {
                force,
                update_children: false,
                delete_output_models: delete_models,
                return_file_urls: opt_bool(&body, "return_file_urls"),
            },
        )?;
        let fields = change_status(&mut doc, "created", true, &body)?;
        if let Some(o) = doc.as_object_mut() {
            for k in [
                "started",
                "completed",
                "published",
                "active_duration",
                "last_worker",
                "last_worker_report",
                "enqueue_status",
            ] {
                o.remove(k);
            }
        }
        doc["last_iteration"] = json!(0);
        doc["last_metrics"] = json!({});
        doc["runtime"] = json!({});
        doc["models"]["output"] = json!([]);
        doc["output"] = json!({"destination": doc["output"]["destination"].clone()});
        if opt_bool(&body, "clear_all") {
            doc["execution"] = json!({"artifacts": []});
        } else {
            if let Some(e) = doc["execution"].as_object_mut() {
                e.remove("queue");
            }
            if let Some(a) = doc["execution"]["artifacts"].as_array() {
                let kept: Vec<Value> = a.iter().filter(|x| x["mode"] == "input").cloned().collect();
                doc["execution"]["artifacts"] = json!(kept);
            }
        }
        let deleted = store.delete_task_events(&id)?;
        store.put(Coll::Tasks, &doc)?;
        Ok(
            json!({"updated": 1, "fields": fields, "dequeued": {"removed": dequeued},
            "events": {"deleted": deleted}, "deleted_models": cleaned["deleted_models"],
            "urls": cleaned["urls"]}),
        )
    })
}

pub(super) fn delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let force = opt_bool(&call.body, "force");
    let delete_models = call
        .body
        .get("delete_output_models")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let return_urls = opt_bool(&call.body, "return_file_urls");
    let body = call.body.clone();
    call.store.tx(|store| {
        let doc = load(store, &id)?;
        super::super::shared::task_cleanup::check_deletable(&doc, force)?;
        // A controller's steps go first, whatever their status (bll/task/task_operations.py
        // delete_task deletes them forced); the answer is the controller's own cleanup.
        for step in pipeline_steps(store, &doc, &body)? {
            let step_doc = load(store, &step)?;
            delete_one(store, &step_doc, true, delete_models, false)?;
        }
        delete_one(store, &doc, force, delete_models, return_urls)
    })
}

/// Delete one task: out of its queues, its events, its cleanup, then the task itself.
pub(super) fn delete_one(
    store: &Store,
    doc: &Value,
    force: bool,
    delete_models: bool,
    return_urls: bool,
) -> ApiResult {
    let id = doc["id"].as_str().unwrap_or_default();
    let mut out = cleanup(
        store,
        doc,
        &Cleanup {
            force,
            update_children: true,
            delete_output_models: delete_models,
            return_file_urls: return_urls,
        },
    )?;
    remove_from_queues(store, id)?;
    let events = store.delete_task_events(id)?;
    store.delete(Coll::Tasks, id)?;
    out["deleted"] = json!(true);
    out["events"] = json!({"deleted": events});
    Ok(out)
}

/// Run a single-task action over `ids`, collecting `succeeded`/`failed` like the `*_many` endpoints.
pub(super) fn many(call: &mut Call, f: impl Fn(&mut Call) -> ApiResult) -> ApiResult {
    let ids = id_list(&call.body, "ids");
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    // Each task's call gets the body without the id list: copying the list once per id
    // would take time and memory quadratic in its length.
    let mut original = std::mem::take(&mut call.body);
    if let Some(m) = original.as_object_mut() {
        m.remove("ids");
    }
    for id in ids {
        let mut body = original.clone();
        body["task"] = json!(id);
        call.body = body;
        // bll/util.py run_batch_operation: each item's own refusal (a public task is
        // 403/21 from get_task_with_write_access) lands in `failed`.
        match public_guard::writable(call.store, Coll::Tasks, &id).and_then(|()| f(call)) {
            Ok(mut v) => {
                v["id"] = json!(id);
                succeeded.push(v);
            }
            Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": e.data}})),
        }
    }
    call.body = original;
    Ok(json!({"succeeded": succeeded, "failed": failed}))
}

/// Archive (or unarchive) one task. Archiving takes a task out of its queue, back to the
/// status it had before (a running task becomes `stopped`), as the real server does.
pub(super) fn archive_one(
    store: &Store,
    id: &str,
    archived: bool,
    body: &Value,
) -> Result<(), ApiError> {
    let mut doc = load(store, id)?;
    let mut tags: Vec<Value> = doc["system_tags"].as_array().cloned().unwrap_or_default();
    tags.retain(|t| t != "archived");
    if archived {
        tags.push(json!("archived"));
        remove_from_queues(store, id)?;
        let status = doc["status"].as_str().unwrap_or("").to_string();
        let to = match status.as_str() {
            "queued" => doc["enqueue_status"]
                .as_str()
                .filter(|s| !s.is_empty() && *s != "queued")
                .unwrap_or("created")
                .to_string(),
            "in_progress" => "stopped".to_string(),
            _ => String::new(),
        };
        if !to.is_empty() {
            change_status(&mut doc, &to, true, body)?;
            if let Some(o) = doc.as_object_mut() {
                o.remove("enqueue_status");
            }
        }
    }
    doc["system_tags"] = json!(tags);
    // task_operations.py archive_task stores the request's status_message/status_reason.
    if archived {
        for k in ["status_message", "status_reason"] {
            if let Some(v) = body.get(k).filter(|v| v.is_string()) {
                doc[k] = v.clone();
            }
        }
    }
    touch(&mut doc);
    store.put(Coll::Tasks, &doc)?;
    Ok(())
}

pub(super) fn set_archived(call: &mut Call, archived: bool) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let body = call.body.clone();
    call.store.tx(|store| {
        let doc = load(store, &id)?;
        for step in pipeline_steps(store, &doc, &body)? {
            archive_one(store, &step, archived, &body)?;
        }
        archive_one(store, &id, archived, &body)
    })?;
    Ok(json!({}))
}

pub(super) fn archive(call: &mut Call) -> ApiResult {
    let ids = id_list(&call.body, "tasks");
    public_guard::all_writable(call.store, &ids)?;
    let mut n = 0;
    let original = call.body.clone();
    for id in ids {
        let mut body = original.clone();
        body["task"] = json!(id);
        call.body = body;
        set_archived(call, true)?;
        n += 1;
    }
    call.body = original;
    Ok(json!({"archived": n}))
}
