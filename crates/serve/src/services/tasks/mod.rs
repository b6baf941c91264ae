//! `tasks.*`: documents, status changes, parameters/configuration sections, artifacts and
//! models, clone, enqueue/dequeue (the task shape and status machine other services use
//! too are in `shared::task`).

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, Store};
use super::public_guard;
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

mod clone;
mod edit;
mod queueing;
mod sections;
mod status;

use clone::*;
use edit::*;
use queueing::*;
use sections::*;
use status::*;

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
    let names = ["input", "output"].map(|kind| {
        wanted
            .iter()
            .any(|f| *f == format!("models.{kind}.model.name"))
    });
    for doc in docs.iter_mut() {
        for (kind, with_name) in ["input", "output"].into_iter().zip(names) {
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
