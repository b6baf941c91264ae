//! `tasks.*`: documents, status changes, parameters/configuration sections, artifacts and
//! models, clone, enqueue/dequeue (the task shape and status machine other services use
//! too are in `shared::task`).

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, Store};
use super::shared::project::{ensure as ensure_project, move_target, with_subprojects};
use super::shared::queue::{
    default_queue, find_by_name, load_queue, log_queue, push_entry, queue_doc,
    remove_from_other_queues, remove_from_queues,
};
use super::shared::task::{
    OBJECT_FIELDS, change_status, load, normalize, public_last_metrics, touch,
};
use super::shared::task_cleanup::{Cleanup, cleanup};
use super::{get_all, id_list, merge_top, new_id, now, opt_bool, opt_str, req_str};
use clearml_wire::TASK_TYPES;
use serde_json::{Map, Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "get_by_id" => get_by_id(call),
        "get_all" => list(call, false),
        "get_all_ex" => list(call, true),
        "edit" => edit(call),
        "update" => update(call),
        "started" => transition(call, "in_progress"),
        "completed" => transition(call, "completed"),
        "stopped" => transition(call, "stopped"),
        "failed" => transition(call, "failed"),
        "close" => transition(call, "closed"),
        "publish" => transition(call, "published"),
        "stop" => stop(call),
        "reset" => reset(call),
        "enqueue" => enqueue(call),
        "dequeue" => dequeue(call),
        "delete" => delete(call),
        "delete_many" => many(call, delete),
        // tasks.py reset_many: each item's dequeued is a flag, with the cleanup's
        // deleted_models and urls.
        "reset_many" => many(call, |c| {
            reset(c).map(|r| {
                json!({"updated": r["updated"], "fields": r["fields"],
                    "dequeued": r["dequeued"]["removed"].as_u64().unwrap_or(0) > 0,
                    "deleted_models": r["deleted_models"], "urls": r["urls"]})
            })
        }),
        "stop_many" => many(call, |c| stop(c).map(|_| json!({"updated": 1}))),
        "publish_many" => many(call, |c| {
            transition(c, "published").map(|_| json!({"updated": 1}))
        }),
        "enqueue_many" => many(call, |c| enqueue(c).map(|_| json!({"queued": 1}))),
        "archive" => archive(call),
        "archive_many" => many(call, |c| {
            set_archived(c, true).map(|_| json!({"archived": true}))
        }),
        "unarchive_many" => many(call, |c| {
            set_archived(c, false).map(|_| json!({"unarchived": true}))
        }),
        "ping" => ping(call),
        "get_types" => task_types(call),
        "add_or_update_artifacts" => add_or_update_artifacts(call),
        "delete_artifacts" => delete_artifacts(call),
        "add_or_update_model" => add_or_update_model(call),
        "delete_models" => delete_models(call),
        "set_requirements" => set_requirements(call),
        "get_hyper_params" => get_sections(call, "hyperparams"),
        "edit_hyper_params" => edit_sections(call, "hyperparams"),
        "delete_hyper_params" => delete_sections(call, "hyperparams"),
        "get_configurations" => get_sections(call, "configuration"),
        "get_configuration_names" => configuration_names(call),
        "edit_configuration" => edit_sections(call, "configuration"),
        "delete_configuration" => delete_sections(call, "configuration"),
        "clone" => clone(call),
        "move" => move_to_project(call),
        _ => return None,
    })
}

/// The schema's type check for object fields in create/edit bodies (400/12 otherwise).
fn validate_shapes(body: &Value) -> Result<(), ApiError> {
    for f in OBJECT_FIELDS {
        if let Some(v) = body.get(*f)
            && !v.is_object()
            && !v.is_null()
        {
            return Err(ApiError::validation(format!("{f}={v}: must be an object")));
        }
    }
    Ok(())
}

fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.chars().count() < 3 {
        return Err(ApiError::too_short("name"));
    }
    Ok(())
}

fn validate_type(body: &Value) -> Result<(), ApiError> {
    if let Some(t) = body.get("type").and_then(Value::as_str)
        && !TASK_TYPES.contains(&t)
    {
        return Err(ApiError::validation(format!(
            "type={t}: Invalid value, must be one of {}",
            TASK_TYPES.join(", ")
        )));
    }
    Ok(())
}

fn check_project(store: &Store, body: &Value) -> Result<(), ApiError> {
    if let Some(p) = body
        .get("project")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        && store.get(Coll::Projects, p)?.is_none()
    {
        return Err(ApiError::invalid_project(p));
    }
    Ok(())
}

fn create(call: &mut Call) -> ApiResult {
    let name = req_str(&call.body, "name")?;
    validate_name(&name)?;
    // `type` is required by the real server's schema.
    req_str(&call.body, "type")?;
    validate_type(&call.body)?;
    validate_shapes(&call.body)?;
    check_project(call.store, &call.body)?;
    let t = now();
    let mut doc = json!({
        "id": new_id(), "name": name, "type": "training", "status": "created",
        "status_reason": "", "status_message": "", "status_changed": t,
        "comment": "", "created": t, "last_update": t, "last_change": t,
        "user": call.identity.user, "company": call.identity.company,
        "tags": [], "system_tags": [], "script": {}, "execution": {"artifacts": []},
        "hyperparams": {}, "configuration": {}, "output": {}, "models": {"input": [], "output": []},
        "container": {}, "runtime": {}, "last_iteration": 0, "last_metrics": {},
    });
    merge_top(
        &mut doc,
        &call.body,
        &[
            "id",
            "status",
            "created",
            "user",
            "company",
            "last_update",
            "last_metrics",
            "output_dest",
        ],
    );
    normalize(&mut doc);
    if let Some(dest) = opt_str(&call.body, "output_dest") {
        doc["output"]["destination"] = json!(dest);
    }
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"id": doc["id"]}))
}

fn get_by_id(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    match call.store.get(Coll::Tasks, &id)? {
        Some(mut t) => {
            public_last_metrics(&mut t);
            artifacts_by_key(&mut t);
            Ok(json!({"task": t}))
        }
        None => Err(ApiError::new(
            400,
            101,
            format!("Invalid task id: ids=({id})"),
        )),
    }
}

/// `tasks.get_types`: the task types in use (in `projects` and their sub-projects when
/// given), limited to the types clients may create.
fn task_types(call: &mut Call) -> ApiResult {
    let mut query = json!({"only_fields": ["type"], "search_hidden": true});
    let projects = id_list(&call.body, "projects");
    if !projects.is_empty() {
        query["project"] = json!(projects);
        with_subprojects(call.store, &mut query)?;
    }
    let used: std::collections::BTreeSet<String> =
        super::select_all(call.store, Coll::Tasks, &query)?
            .iter()
            .filter_map(|t| t["type"].as_str().map(str::to_string))
            .collect();
    let types: Vec<&str> = TASK_TYPES
        .iter()
        .copied()
        .filter(|t| used.contains(*t))
        .collect();
    Ok(json!({"types": types}))
}

/// `get_all_ex` answers `models.input/output[].model` as a reference `{"id"}` (with the
/// model's `name` when `models.<kind>.model.name` is in only_fields); `get_all` and
/// `get_by_id` keep the bare id. Clients must read both shapes.
fn model_refs(store: &Store, docs: &mut [Value], body: &Value) {
    let wanted: Vec<String> = body
        .get("only_fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    for doc in docs.iter_mut() {
        for kind in ["input", "output"] {
            let with_name = wanted
                .iter()
                .any(|f| *f == format!("models.{kind}.model.name"));
            let Some(list) = doc
                .get_mut("models")
                .and_then(|m| m.get_mut(kind))
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for entry in list.iter_mut() {
                let Some(id) = entry
                    .get("model")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                else {
                    continue;
                };
                let mut r = json!({"id": id});
                if with_name && let Ok(Some(m)) = store.get(Coll::Models, &id) {
                    r["name"] = m["name"].clone();
                }
                entry["model"] = r;
            }
        }
    }
}

/// A task's artifacts are answered sorted by key (bll/task/artifacts.py
/// `artifacts_unprepare_from_saved`), whatever order they were added in.
fn artifacts_by_key(doc: &mut Value) {
    if let Some(list) = doc
        .pointer_mut("/execution/artifacts")
        .and_then(Value::as_array_mut)
        .filter(|l| l.len() > 1)
    {
        list.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    }
}

/// `execution.queue.name` / `.display_name` in get_all_ex's only_fields fetch the queue
/// id, which `ex_joins` turns into `{id, name, display_name}` (the real server joins the
/// referenced queue for such paths).
fn queue_ref_fields(body: &mut Value) {
    let Some(list) = body.get_mut("only_fields").and_then(Value::as_array_mut) else {
        return;
    };
    for f in list.iter_mut() {
        if f.as_str()
            .is_some_and(|p| p.starts_with("execution.queue."))
        {
            *f = json!("execution.queue");
        }
    }
}

fn list(call: &mut Call, ex: bool) -> ApiResult {
    // Taken, not copied: an id list can be a hundred megabytes parsed.
    let mut body = std::mem::take(&mut call.body);
    let default_sub = false;
    if body
        .get("include_subprojects")
        .and_then(Value::as_bool)
        .unwrap_or(default_sub)
    {
        with_subprojects(call.store, &mut body)?;
    }
    super::super::doc_fields::check_only_fields(Coll::Tasks, &body, ex)?;
    super::super::doc_fields::check_order_by(Coll::Tasks, &body, ex)?;
    let wanted = if ex {
        queue_ref_fields(&mut body);
        super::widen_ref_fields(&mut body, &["project", "user", "parent"])
    } else {
        vec![]
    };
    let (mut docs, scroll) = get_all(call.state, call.store, Coll::Tasks, &body, true, None)?;
    for d in docs.iter_mut() {
        public_last_metrics(d);
        artifacts_by_key(d);
    }
    if ex {
        super::expand_refs(
            call.store,
            &mut docs,
            &["project", "user", "parent"],
            &wanted,
            &call.identity.user_name,
        );
        model_refs(call.store, &mut docs, &body);
    }
    let mut out = json!({"tasks": docs});
    if let Some(s) = scroll {
        out["scroll_id"] = json!(s);
    }
    Ok(out)
}

/// Fields a client may set through tasks.edit.
const EDITABLE: &[&str] = &[
    "name",
    "tags",
    "system_tags",
    "type",
    "comment",
    "parent",
    "project",
    "output_dest",
    "execution",
    "script",
    "hyperparams",
    "configuration",
    "models",
    "container",
    "runtime",
];

fn edit(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load(call.store, &id)?;
    let force = opt_bool(&call.body, "force");
    let status = doc["status"].as_str().unwrap_or("created").to_string();
    if status != "created" && !force {
        return Err(ApiError::invalid_status(format!(
            "Task is not in draft (use force=true to edit): id={id}, status={status}"
        )));
    }
    if let Some(n) = opt_str(&call.body, "name") {
        validate_name(&n)?;
    }
    validate_type(&call.body)?;
    validate_shapes(&call.body)?;
    check_project(call.store, &call.body)?;
    let mut fields = Map::new();
    for k in EDITABLE {
        if let Some(v) = call.body.get(*k).filter(|v| !v.is_null()) {
            if *k == "output_dest" {
                doc["output"]["destination"] = v.clone();
                fields.insert(k.to_string(), v.clone());
                continue;
            }
            // services/tasks.py edit: an embedded document given in part is merged
            // (top level) into the stored one, and the merged whole is written and answered.
            let value = match (v, &doc[*k]) {
                (Value::Object(given), Value::Object(old)) if EMBEDDED.contains(k) => {
                    let mut merged = old.clone();
                    merged.extend(given.clone());
                    Value::Object(merged)
                }
                _ => v.clone(),
            };
            doc[*k] = value.clone();
            fields.insert(k.to_string(), value);
        }
    }
    if fields.is_empty() {
        return Ok(json!({"updated": 0}));
    }
    // The answer lists what was written beside the fields: last_change/last_changed_by,
    // and last_update unless only user-settable fields changed (recorded in
    // quirks/api-tasks-add-or-update-artifacts-status.json).
    let t = now();
    doc["last_change"] = json!(t);
    doc["last_changed_by"] = json!(crate::auth::USER_ID);
    fields.insert("last_change".into(), json!(t));
    fields.insert("last_changed_by".into(), json!(crate::auth::USER_ID));
    if fields
        .keys()
        .any(|k| !USER_SET_ALLOWED.contains(&k.as_str()) && !k.starts_with("last_change"))
    {
        doc["last_update"] = json!(t);
        fields.insert("last_update".into(), json!(t));
    }
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

/// Task fields stored as embedded documents, which tasks.edit merges into.
const EMBEDDED: &[&str] = &["execution", "script", "output", "models"];

/// Task fields marked `user_set_allowed` (database/model/task/task.py): changing only
/// these leaves `last_update` alone.
const USER_SET_ALLOWED: &[&str] = &[
    "name",
    "status_message",
    "comment",
    "created",
    "project",
    "tags",
    "system_tags",
];

/// What `tasks.update` may set: the real server parses the call against its create
/// fields plus `status*`/`output__error`, then keeps only fields marked
/// `user_set_allowed` (services/tasks.py `prepare_update_fields`, `Task.safe_update`).
/// `created` is user-settable on the model but not among the parsed fields, so the real
/// v2.3 server drops it (as it drops `status`, `status_reason`, `type`, ...).
const UPDATE_FIELDS: [&str; 7] = [
    "name",
    "tags",
    "system_tags",
    "comment",
    "project",
    "status_message",
    "output__error",
];

fn update(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load(call.store, &id)?;
    // A null value is "not given", as the real parser discards it.
    let given: Vec<(&str, Value)> = UPDATE_FIELDS
        .iter()
        .filter_map(|&k| {
            call.body
                .get(k)
                .filter(|v| !v.is_null())
                .map(|v| (k, v.clone()))
        })
        .collect();
    if given.is_empty() {
        return Ok(json!({"updated": 0}));
    }
    check_project(call.store, &call.body)?;
    let mut fields = Map::new();
    for (k, v) in given {
        if k == "name" {
            validate_name(v.as_str().unwrap_or(""))?;
        }
        if k == "output__error" {
            doc["output"]["error"] = v.clone();
        } else {
            doc[k] = v.clone();
        }
        fields.insert(k.into(), v);
    }
    let t = touch(&mut doc);
    fields.insert("last_change".into(), json!(t));
    fields.insert("last_changed_by".into(), json!(call.identity.user));
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

fn transition(call: &mut Call, to: &str) -> ApiResult {
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
const TASK_UPDATE_TIMEOUT_SECS: i64 = 600;

/// Is a worker running this task: it has a worker and was updated recently?
fn run_by_worker(doc: &Value) -> bool {
    let has_worker = doc["last_worker"]
        .as_str()
        .is_some_and(|w| !w.is_empty() && w != super::super::auth::USER_ID);
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
fn pipeline_steps(store: &Store, doc: &Value, body: &Value) -> Result<Vec<String>, ApiError> {
    if !opt_bool(body, "include_pipeline_steps") || doc["type"] != "controller" {
        return Ok(Vec::new());
    }
    let id = doc["id"].as_str().unwrap_or_default();
    Ok(super::select_all(
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
fn stop_one(store: &Store, id: &str, force: bool, body: &Value, user_name: &str) -> ApiResult {
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

fn stop(call: &mut Call) -> ApiResult {
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
fn reset(call: &mut Call) -> ApiResult {
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

fn delete(call: &mut Call) -> ApiResult {
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
        super::shared::task_cleanup::check_deletable(&doc, force)?;
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
fn delete_one(
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
fn many(call: &mut Call, f: impl Fn(&mut Call) -> ApiResult) -> ApiResult {
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
        match f(call) {
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
fn archive_one(store: &Store, id: &str, archived: bool, body: &Value) -> Result<(), ApiError> {
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

fn set_archived(call: &mut Call, archived: bool) -> ApiResult {
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

fn archive(call: &mut Call) -> ApiResult {
    let ids = id_list(&call.body, "tasks");
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

/// The artifacts named in the request, the task they belong to and its current list.
fn load_artifacts(call: &Call) -> Result<(Vec<Value>, Value, Vec<Value>), ApiError> {
    let id = req_str(&call.body, "task")?;
    let requested: Vec<Value> = call
        .body
        .get("artifacts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let doc = load(call.store, &id)?;
    require_draft_or_running(&doc)?;
    let list: Vec<Value> = doc["execution"]["artifacts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok((requested, doc, list))
}

/// Only a draft or running task takes models and artifacts, whatever `force` says (the
/// real server's message names only `created` although in_progress is accepted too;
/// quirks/api-tasks-add-or-update-model.json and api-tasks-add-or-update-artifacts-status.json).
fn require_draft_or_running(doc: &Value) -> Result<(), ApiError> {
    let status = doc["status"].as_str().unwrap_or("created");
    if status != "created" && status != "in_progress" {
        return Err(ApiError::new(
            400,
            110,
            format!("Invalid task status: expected=created, status={status}"),
        ));
    }
    Ok(())
}

fn store_artifacts(call: &mut Call, mut doc: Value, list: Vec<Value>) -> Result<(), ApiError> {
    doc["execution"]["artifacts"] = json!(list);
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(())
}

fn add_or_update_artifacts(call: &mut Call) -> ApiResult {
    let (new, mut doc, mut list) = load_artifacts(call)?;
    for a in &new {
        let key = (
            a["key"].clone(),
            a.get("mode").cloned().unwrap_or(json!("output")),
        );
        let mut a = a.clone();
        if a.get("mode").is_none() {
            a["mode"] = json!("output");
        }
        match list.iter_mut().find(|x| {
            (
                x["key"].clone(),
                x.get("mode").cloned().unwrap_or(json!("output")),
            ) == key
        }) {
            Some(x) => *x = a,
            None => list.push(a),
        }
    }
    if !doc["execution"].is_object() {
        doc["execution"] = json!({});
    }
    store_artifacts(call, doc, list)?;
    Ok(json!({"updated": new.len()}))
}

fn delete_artifacts(call: &mut Call) -> ApiResult {
    let (gone, doc, mut list) = load_artifacts(call)?;
    let before = list.len();
    list.retain(|x| {
        !gone
            .iter()
            .any(|g| g["key"] == x["key"] && g.get("mode").is_none_or(|m| m == &x["mode"]))
    });
    let deleted = before - list.len();
    store_artifacts(call, doc, list)?;
    Ok(json!({"deleted": deleted}))
}

fn add_or_update_model(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let name = req_str(&call.body, "name")?;
    let model = req_str(&call.body, "model")?;
    let kind = req_str(&call.body, "type")?;
    if kind != "input" && kind != "output" {
        return Err(ApiError::validation(format!(
            "type={kind}: must be input or output"
        )));
    }
    let mut doc = load(call.store, &id)?;
    require_draft_or_running(&doc)?;
    if !doc["models"].is_object() {
        doc["models"] = json!({"input": [], "output": []});
    }
    let mut list: Vec<Value> = doc["models"][&kind].as_array().cloned().unwrap_or_default();
    let entry = json!({"name": name, "model": model, "updated": now()});
    match list.iter_mut().find(|x| x["name"] == name) {
        Some(x) => *x = entry,
        None => list.push(entry),
    }
    doc["models"][&kind] = json!(list);
    if let Some(it) = call.body.get("iteration") {
        doc["last_iteration"] = it.clone();
    }
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1}))
}

fn delete_models(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let gone: Vec<Value> = call
        .body
        .get("models")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut doc = load(call.store, &id)?;
    for g in &gone {
        let kind = g["type"].as_str().unwrap_or("output");
        if let Some(list) = doc["models"][kind].as_array_mut() {
            list.retain(|x| x["name"] != g["name"]);
        }
    }
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    // services/tasks.py delete_models answers mongoengine's count of tasks updated: the
    // task is always written (last_change), so 1 however many models went.
    Ok(json!({"updated": 1}))
}

/// `tasks.ping`: the real server refreshes `last_update` (a liveness mark services use);
/// `last_change` stays, nothing about the task changed.
fn ping(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load(call.store, &id)?;
    doc["last_update"] = json!(now());
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({}))
}

fn set_requirements(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let req = call.body.get("requirements").cloned().unwrap_or(json!({}));
    let mut doc = load(call.store, &id)?;
    if !doc["script"].is_object() {
        doc["script"] = json!({});
    }
    doc["script"]["requirements"] = req.clone();
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1, "fields": {"script.requirements": req}}))
}

/// `get_hyper_params` / `get_configurations`: flat item lists per task.
fn get_sections(call: &mut Call, field: &str) -> ApiResult {
    let ids = id_list(&call.body, "tasks");
    let names = id_list(&call.body, "names");
    let mut out = Vec::new();
    for id in ids {
        let doc = load(call.store, &id)?;
        let mut items = Vec::new();
        for (section, v) in doc[field].as_object().into_iter().flatten() {
            if field == "hyperparams" {
                for (_, p) in v.as_object().into_iter().flatten() {
                    items.push(p.clone());
                }
            } else if names.is_empty() || names.contains(section) {
                items.push(v.clone());
            }
        }
        // bll/task/hyperparams.py: parameters by (section, name), configurations by name.
        let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        if field == "hyperparams" {
            items.sort_by_key(|p| (text(p, "section"), text(p, "name")));
        } else {
            items.sort_by_key(|c| text(c, "name"));
        }
        if field == "hyperparams" {
            out.push(json!({"task": id, "hyperparams": items}));
        } else {
            out.push(json!({"task": id, "configuration": items}));
        }
    }
    Ok(if field == "hyperparams" {
        json!({"params": out})
    } else {
        json!({"configurations": out})
    })
}

fn configuration_names(call: &mut Call) -> ApiResult {
    let mut out = Vec::new();
    for id in id_list(&call.body, "tasks") {
        let doc = load(call.store, &id)?;
        let names: Vec<&String> = doc["configuration"]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        out.push(json!({"task": id, "names": names}));
    }
    Ok(json!({"configurations": out}))
}

fn edit_sections(call: &mut Call, field: &str) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let force = opt_bool(&call.body, "force");
    let mut doc = load(call.store, &id)?;
    let status = doc["status"].as_str().unwrap_or("created").to_string();
    // User properties (hyperparameter section "properties") may change in any status.
    let properties_only = field == "hyperparams"
        && call
            .body
            .get("hyperparams")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().all(|h| h["section"] == "properties"));
    if status != "created" && !force && !properties_only {
        return Err(ApiError::invalid_status(format!(
            "Task is not in draft (use force=true to edit): id={id}, status={status}"
        )));
    }
    let (items_key, replace_key) = if field == "hyperparams" {
        ("hyperparams", "replace_hyperparams")
    } else {
        ("configuration", "replace_configuration")
    };
    let items: Vec<Value> = call
        .body
        .get(items_key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let replace = match call.body.get(replace_key) {
        Some(Value::Bool(true)) => "all".to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => "none".to_string(),
    };
    if !doc[field].is_object() || replace == "all" {
        doc[field] = json!({});
    }
    if field == "hyperparams" {
        if replace == "section" {
            for it in &items {
                if let Some(s) = it["section"].as_str() {
                    doc[field][s] = json!({});
                }
            }
        }
        for it in &items {
            let (Some(s), Some(n)) = (it["section"].as_str(), it["name"].as_str()) else {
                return Err(ApiError::validation(
                    "each hyperparameter needs section and name",
                ));
            };
            if !doc[field][s].is_object() {
                doc[field][s] = json!({});
            }
            let mut item = it.clone();
            if let Some(v) = item
                .get("value")
                .filter(|v| !v.is_string() && !v.is_null())
                .cloned()
            {
                item["value"] = json!(v.to_string());
            }
            doc[field][s][n] = item;
        }
    } else {
        for it in &items {
            let Some(n) = it["name"].as_str() else {
                return Err(ApiError::validation("each configuration item needs a name"));
            };
            doc[field][n] = it.clone();
        }
    }
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1}))
}

fn delete_sections(call: &mut Call, field: &str) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load(call.store, &id)?;
    let mut n = 0;
    if field == "hyperparams" {
        for it in call
            .body
            .get("hyperparams")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let Some(s) = it["section"].as_str() else {
                continue;
            };
            match it["name"].as_str() {
                Some(name) => {
                    if doc[field][s]
                        .as_object_mut()
                        .and_then(|o| o.remove(name))
                        .is_some()
                    {
                        n += 1;
                    }
                }
                None => {
                    if doc[field]
                        .as_object_mut()
                        .and_then(|o| o.remove(s))
                        .is_some()
                    {
                        n += 1;
                    }
                }
            }
        }
    } else {
        for name in id_list(&call.body, "configuration") {
            if doc[field]
                .as_object_mut()
                .and_then(|o| o.remove(&name))
                .is_some()
            {
                n += 1;
            }
        }
    }
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"deleted": n}))
}

fn clone(call: &mut Call) -> ApiResult {
    let src_id = req_str(&call.body, "task")?;
    let src = load(call.store, &src_id)?;
    let body = call.body.clone();
    let mut doc = src.clone();
    let t = now();
    let new_id = new_id();
    let name = opt_str(&body, "new_task_name")
        .unwrap_or_else(|| src["name"].as_str().unwrap_or("").to_string());
    validate_name(&name)?;
    let mut out = json!({"id": new_id});
    let project = if let Some(pname) = opt_str(&body, "new_project_name") {
        let pid = ensure_project(call, &pname, &Value::Null)?;
        out["new_project"] = json!({"id": pid, "name": pname});
        json!(pid)
    } else {
        body.get("new_task_project")
            .cloned()
            .unwrap_or_else(|| src["project"].clone())
    };
    if let Some(o) = doc.as_object_mut() {
        for k in [
            "started",
            "completed",
            "published",
            "active_duration",
            "last_worker",
            "last_worker_report",
            "status_changed",
        ] {
            o.remove(k);
        }
    }
    doc["id"] = json!(new_id);
    doc["name"] = json!(name);
    doc["project"] = project;
    doc["status"] = json!("created");
    doc["status_reason"] = json!("");
    doc["status_message"] = json!("");
    doc["status_changed"] = json!(t);
    doc["created"] = json!(t);
    doc["last_update"] = json!(t);
    doc["last_change"] = json!(t);
    doc["user"] = json!(call.identity.user);
    doc["last_iteration"] = json!(0);
    doc["last_metrics"] = json!({});
    doc["output"] = json!({"destination": src["output"]["destination"].clone()});
    doc["comment"] = body
        .get("new_task_comment")
        .cloned()
        .unwrap_or_else(|| src["comment"].clone());
    doc["tags"] = body
        .get("new_task_tags")
        .cloned()
        .unwrap_or_else(|| src["tags"].clone());
    doc["system_tags"] = cloned_system_tags(&body, &src);
    // A parent that was deleted is not inherited: the clone's parent is the source then.
    let src_parent = src["parent"]
        .as_str()
        .filter(|p| !p.is_empty() && !p.starts_with("__DELETED__"))
        .unwrap_or(&src_id);
    doc["parent"] = body
        .get("new_task_parent")
        .filter(|p| p.as_str().is_some_and(|p| !p.is_empty()))
        .cloned()
        .unwrap_or_else(|| json!(src_parent));
    for (k, key) in [
        ("hyperparams", "new_task_hyperparams"),
        ("configuration", "new_task_configuration"),
        ("container", "new_task_container"),
    ] {
        if let Some(v) = body.get(key) {
            doc[k] = v.clone();
        }
    }
    if !doc["execution"].is_object() {
        doc["execution"] = json!({});
    }
    if let Some(a) = doc["execution"]["artifacts"].as_array() {
        let kept: Vec<Value> = a.iter().filter(|x| x["mode"] == "input").cloned().collect();
        doc["execution"]["artifacts"] = json!(kept);
    }
    if let Some(o) = doc["execution"].as_object_mut() {
        o.remove("queue");
    }
    if !doc["models"].is_object() {
        doc["models"] = json!({"input": [], "output": []});
    }
    doc["models"]["output"] = json!([]);
    let mut inputs = body
        .get("new_task_input_models")
        .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        .cloned();
    if let Some(over) = body.get("execution_overrides").and_then(Value::as_object) {
        for (k, v) in over {
            match k.as_str() {
                // task_bll.py clone_task: an overridden `model` becomes the input model.
                "model" if inputs.is_none() && v.as_str().is_some_and(|m| !m.is_empty()) => {
                    inputs = Some(json!([{"model": v, "name": "Input Model", "updated": t}]));
                }
                "model" => {}
                _ => doc["execution"][k] = v.clone(),
            }
        }
    }
    let validate_all = opt_bool(&body, "validate_references");
    if let Some(inputs) = &inputs {
        doc["models"]["input"] = inputs.clone();
    }
    if let Some(o) = doc["runtime"].as_object_mut() {
        o.clear();
    }
    check_clone_references(
        call.store,
        &doc,
        validate_all || inputs.is_some(),
        validate_all || body.get("new_task_parent").is_some(),
        validate_all || body.get("new_task_project").is_some(),
    )?;
    call.store.put(Coll::Tasks, &doc)?;
    Ok(out)
}

/// The clone's system tags: those asked for, else the source's without `development` and
/// `archived` (task_bll.py clone_task clean_system_tags).
fn cloned_system_tags(body: &Value, src: &Value) -> Value {
    if let Some(given) = body
        .get("new_task_system_tags")
        .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    {
        return given.clone();
    }
    let kept: Vec<Value> = src["system_tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| !matches!(t.as_str(), Some("development" | "archived")))
        .cloned()
        .collect();
    json!(kept)
}

/// task_bll.py TaskBLL.validate as clone_task calls it: the parent must be a task (400/101),
/// the project a project (400/401) and every input model a model (400/201), each checked
/// when given explicitly or with `validate_references`.
fn check_clone_references(
    store: &Store,
    doc: &Value,
    models: bool,
    parent: bool,
    project: bool,
) -> Result<(), ApiError> {
    if parent
        && let Some(p) = doc["parent"]
            .as_str()
            .filter(|p| !p.starts_with("__DELETED__"))
        && store.get(Coll::Tasks, p)?.is_none()
    {
        return Err(ApiError::new(
            400,
            101,
            format!("Invalid task id: invalid parent: parent={p}"),
        ));
    }
    if project
        && let Some(p) = doc["project"].as_str().filter(|p| !p.is_empty())
        && store.get(Coll::Projects, p)?.is_none()
    {
        return Err(ApiError::invalid_project(p));
    }
    if models {
        for m in doc["models"]["input"].as_array().into_iter().flatten() {
            let id = m["model"].as_str().unwrap_or_default();
            if store.get(Coll::Models, id)?.is_none() {
                return Err(ApiError::invalid_model(id));
            }
        }
    }
    Ok(())
}

fn move_to_project(call: &mut Call) -> ApiResult {
    let ids = id_list(&call.body, "ids");
    let project_name = opt_str(&call.body, "project_name").filter(|n| !n.is_empty());
    // As on the real server: `project: null` (present, empty) moves the tasks to the root.
    if call.body.get("project").is_none() && project_name.is_none() {
        return Err(ApiError::new(
            400,
            11,
            "Missing required fields (project or project_name is required)",
        ));
    }
    let mut missing = Vec::new();
    for id in &ids {
        if call.store.get(Coll::Tasks, id)?.is_none() {
            missing.push(id.clone());
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::new(
            400,
            101,
            format!("Invalid task id: ids={missing:?}"),
        ));
    }
    let project = move_target(call, project_name)?;
    for id in &ids {
        let mut doc = load(call.store, id)?;
        doc["project"] = project.clone();
        touch(&mut doc);
        doc["last_changed_by"] = json!(call.identity.user);
        call.store.put(Coll::Tasks, &doc)?;
    }
    Ok(json!({"project_id": project}))
}

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
const TASK_STATUSES: &[&str] = &[
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
