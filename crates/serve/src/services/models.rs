//! `models.*`: model documents (uri, ready = published, labels, design, metadata).

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, Store};
use super::public_guard::writable;
use super::shared::project::{move_target, with_subprojects};
use super::shared::task::{change_status, load as load_task, touch};
use super::{get_all, id_list, merge_top, new_id, now, opt_bool, opt_str, req_str};
use crate::auth::USER_ID;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "edit" | "update" => edit(call, action == "update"),
        "get_by_id" => get_by_id(call),
        "get_by_task_id" => get_by_task_id(call),
        "get_all" | "get_all_ex" => list(call, action == "get_all_ex"),
        "set_ready" => set_ready_call(call),
        "publish_many" => publish_many(call),
        "archive_many" => archive_many(call, true),
        "unarchive_many" => archive_many(call, false),
        "delete" => delete_call(call),
        "delete_many" => delete_many(call),
        "add_or_update_metadata" => metadata(call, false),
        "delete_metadata" => metadata(call, true),
        // Served up to API 2.13 only (the endpoint table answers 301 for later versions).
        "update_for_task" => update_for_task(call),
        "get_frameworks" => frameworks(call),
        "move" => move_models(call),
        _ => return None,
    })
}

fn get_by_id(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "model")?;
    load(call.store, &id).map(|m| json!({"model": m}))
}

/// `models.get_by_task_id`: the task's last output model.
fn get_by_task_id(call: &mut Call) -> ApiResult {
    let task = req_str(&call.body, "task")?;
    let t = load_task(call.store, &task)?;
    let mid = t["models"]["output"]
        .as_array()
        .and_then(|a| a.last())
        .and_then(|m| m["model"].as_str())
        .map(str::to_string);
    match mid {
        Some(m) => load(call.store, &m).map(|m| json!({"model": m})),
        None => Err(ApiError::new(
            400,
            201,
            format!("Invalid model id (no output model for task): task={task}"),
        )),
    }
}

fn set_ready_call(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "model")?;
    let body = call.body.clone();
    set_ready(call, &id, &body).map(|(updated, pt)| {
        // `published_task` only when a task was published, as the real server answers.
        let mut out = json!({"updated": updated, "fields": {}});
        if !pt.is_null() {
            out["published_task"] = pt;
        }
        out
    })
}

fn publish_many(call: &mut Call) -> ApiResult {
    let mut body = call.body.clone();
    // The batch form names the flag in the plural.
    if let Some(p) = body.get("publish_tasks").cloned() {
        body["publish_task"] = p;
    }
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for id in id_list(&body, "ids") {
        // bll/model get_company_model_by_id finds no public model: 400/201 for that item.
        match writable(call.store, Coll::Models, &id).and_then(|()| set_ready(call, &id, &body)) {
            Ok((u, pt)) => succeeded.push(json!({"id": id, "updated": u > 0, "published_task": pt})),
            Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": e.data}})),
        }
    }
    Ok(json!({"succeeded": succeeded, "failed": failed}))
}

fn archive_many(call: &mut Call, archive: bool) -> ApiResult {
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for id in id_list(&call.body, "ids") {
        match writable(call.store, Coll::Models, &id)
            .and_then(|()| set_archived(call.store, &id, archive))
        {
            Ok(()) => succeeded.push(json!({"id": id, if archive { "archived" } else { "unarchived" }: true})),
            Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": {}}})),
        }
    }
    Ok(json!({"succeeded": succeeded, "failed": failed}))
}

fn delete_call(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "model")?;
    let force = super::opt_bool(&call.body, "force");
    delete(call.store, &id, force).map(|url| json!({"deleted": true, "url": url}))
}

fn delete_many(call: &mut Call) -> ApiResult {
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    let force = super::opt_bool(&call.body, "force");
    for id in id_list(&call.body, "ids") {
        match writable(call.store, Coll::Models, &id).and_then(|()| delete(call.store, &id, force)) {
            Ok(url) => succeeded.push(json!({"id": id, "deleted": true, "url": url})),
            Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": {}}})),
        }
    }
    Ok(json!({"succeeded": succeeded, "failed": failed}))
}

/// The distinct frameworks of the models in `projects` and their sub-projects (all models
/// when none are named), sorted, without empty ones (services/models.py get_frameworks,
/// bll/project/project_bll.py get_model_frameworks).
fn frameworks(call: &mut Call) -> ApiResult {
    let mut query = json!({"only_fields": ["framework"]});
    let projects = id_list(&call.body, "projects");
    if !projects.is_empty() {
        query["project"] = json!(projects);
        with_subprojects(call.store, &mut query)?;
    }
    let found: BTreeSet<String> = super::select_all(call.store, Coll::Models, &query)?
        .iter()
        .filter_map(|m| m["framework"].as_str().filter(|f| !f.is_empty()))
        .map(str::to_string)
        .collect();
    Ok(json!({"frameworks": found}))
}

/// `models.move`: to `project`, or to the project named `project_name` (made when missing);
/// `project: null` alone moves them to the root. Unknown ids are passed over. Answers the
/// project id only (services/models.py move, project_bll.py move_under_project).
fn move_models(call: &mut Call) -> ApiResult {
    let project_name = opt_str(&call.body, "project_name").filter(|n| !n.is_empty());
    if call.body.get("project").is_none() && project_name.is_none() {
        return Err(ApiError::new(
            400,
            11,
            "Missing required fields (project or project_name is required)",
        ));
    }
    let project = move_target(call, project_name)?;
    let t = now();
    for id in id_list(&call.body, "ids") {
        if let Some(mut m) = call.store.get(Coll::Models, &id)? {
            m["project"] = project.clone();
            mark_changed(&mut m, &t);
            call.store.put(Coll::Models, &m)?;
        }
    }
    Ok(json!({"project_id": project}))
}

pub fn load(store: &Store, id: &str) -> Result<Value, ApiError> {
    store
        .get(Coll::Models, id)?
        .ok_or_else(|| ApiError::invalid_model(id))
}

fn create(call: &mut Call) -> ApiResult {
    // Required fields first, then their values, in the real server's order.
    let name = req_str(&call.body, "name")?;
    let uri = req_str(&call.body, "uri")?;
    if name.chars().count() < 3 {
        return Err(ApiError::too_short("name"));
    }
    if let Some(p) = call
        .body
        .get("project")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        && call.store.get(Coll::Projects, p)?.is_none()
    {
        return Err(ApiError::invalid_project(p));
    }
    let t = now();
    let mut doc = json!({
        "id": new_id(), "name": name, "uri": uri, "user": call.identity.user,
        "company": call.identity.company, "created": t, "last_update": t, "last_change": t,
        "last_changed_by": call.identity.user,
        "comment": "", "tags": [], "system_tags": [], "framework": null, "design": {},
        // Without `ready` the real server stores a published model.
        "labels": {}, "ready": true, "metadata": {}, "last_iteration": 0, "last_metrics": {},
    });
    merge_top(
        &mut doc,
        &call.body,
        &["id", "user", "company", "created", "last_update"],
    );
    if super::shared::metadata::replace_from(&mut doc, &call.body)?.is_none() {
        doc["metadata"] = json!({});
    }
    call.store.put(Coll::Models, &doc)?;
    Ok(json!({"id": doc["id"], "created": true}))
}

/// The model fields whose change also moves `last_update` (services/models.py).
const LAST_UPDATE_FIELDS: &[&str] = &[
    "uri",
    "framework",
    "design",
    "labels",
    "ready",
    "metadata",
    "system_tags",
    "tags",
];

fn edit(call: &mut Call, is_update: bool) -> ApiResult {
    let id = req_str(&call.body, "model")?;
    let mut doc = load(call.store, &id)?;
    let mut fields = Map::new();
    for k in [
        "uri",
        "name",
        "comment",
        "tags",
        "system_tags",
        "framework",
        "design",
        "labels",
        "ready",
        "project",
        "parent",
        "task",
        "ui_cache",
        "created",
    ] {
        if let Some(v) = call.body.get(k) {
            // models.edit takes the create fields only (no `ui_cache`).
            if (is_update && k == "created") || (!is_update && k == "ui_cache") {
                continue;
            }
            doc[k] = v.clone();
            fields.insert(k.into(), v.clone());
        }
    }
    // The whole map is replaced (the list form or the map form alike).
    if let Some(m) = super::shared::metadata::replace_from(&mut doc, &call.body)? {
        fields.insert("metadata".into(), m);
    }
    // services/models.py prepare_update_fields: a new `uri` clears the web UI's cache of the
    // model (models.update may set one with it; models.edit does not take `ui_cache`).
    if fields.contains_key("uri") {
        let cache = if is_update {
            call.body.get("ui_cache").cloned().unwrap_or(json!({}))
        } else {
            json!({})
        };
        doc["ui_cache"] = cache.clone();
        fields.insert("ui_cache".into(), cache);
    }
    // `task` must name a task (validate_task → 400/101).
    if let Some(tid) = fields.get("task").and_then(Value::as_str) {
        load_task(call.store, tid)?;
    }
    // `iteration` is not a model field: it raises the last iteration of the model's task
    // (the given `task` first for models.update, the model's own for models.edit) and is
    // not part of the answer (services/models.py edit / _update_model).
    if let Some(it) = call.body.get("iteration").and_then(Value::as_i64) {
        let task_id = if is_update {
            fields
                .get("task")
                .and_then(Value::as_str)
                .map(str::to_string)
        } else {
            doc["task"].as_str().map(str::to_string)
        };
        if let Some(tid) = task_id.filter(|t| !t.is_empty())
            && let Some(mut task) = call.store.get(Coll::Tasks, &tid)?
        {
            if task["last_iteration"].as_i64().is_none_or(|last| last < it) {
                task["last_iteration"] = json!(it);
            }
            touch(&mut task);
            call.store.put(Coll::Tasks, &task)?;
        }
    }
    if fields.is_empty() {
        // Nothing of the model itself changed: `updated: 0`, empty `fields`
        // (quirks/api-models-edit-published.json, "iteration only").
        return Ok(json!({"updated": 0, "fields": {}}));
    }
    let t = now();
    // services/models.py `last_update_fields`: only these move `last_update`; a rename or
    // a move to another project changes `last_change` alone.
    let touches_update = LAST_UPDATE_FIELDS.iter().any(|f| fields.contains_key(*f));
    if touches_update {
        doc["last_update"] = json!(t);
    }
    mark_changed(&mut doc, &t);
    // models.edit / models.update answer the injected last_change / last_changed_by too;
    // only edit puts `last_update` into its answer (update sets it after building it).
    fields.insert("last_change".into(), json!(t));
    fields.insert("last_changed_by".into(), json!(USER_ID));
    if touches_update && !is_update {
        fields.insert("last_update".into(), json!(t));
    }
    call.store.put(Coll::Models, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

fn list(call: &mut Call, ex: bool) -> ApiResult {
    // Taken, not copied: an id list can be a hundred megabytes parsed.
    let mut body = std::mem::take(&mut call.body);
    // services/utils.py process_include_subprojects: default false.
    if opt_bool(&body, "include_subprojects") {
        with_subprojects(call.store, &mut body)?;
    }
    let include_stats = ex && opt_bool(&body, "include_stats");
    let refs = ["project", "user", "company", "task", "parent"];
    super::super::doc_fields::check_only_fields(Coll::Models, &body, ex)?;
    super::super::doc_fields::check_order_by(Coll::Models, &body, ex)?;
    let wanted = if ex {
        super::widen_ref_fields(&mut body, &refs)
    } else {
        vec![]
    };
    let (mut docs, scroll) = get_all(call.state, call.store, Coll::Models, &body, false, None)?;
    if ex {
        let names: Vec<String> = if wanted.is_empty() {
            vec!["-".into()]
        } else {
            wanted
        };
        super::expand_refs(
            call.store,
            &mut docs,
            &refs,
            &names,
            &call.identity.user_name,
        );
    }
    if include_stats {
        // bll/model get_model_stats: `stats: {labels_count}` for every model listed.
        for d in docs.iter_mut() {
            let labels = match d.get("labels") {
                Some(l) => l.as_object().map_or(0, Map::len),
                None => d["id"]
                    .as_str()
                    .map(|id| call.store.get(Coll::Models, id))
                    .transpose()?
                    .flatten()
                    .and_then(|m| m["labels"].as_object().map(Map::len))
                    .unwrap_or(0),
            };
            d["stats"] = json!({"labels_count": labels});
        }
    }
    let mut out = json!({"models": docs});
    if let Some(s) = scroll {
        out["scroll_id"] = json!(s);
    }
    Ok(out)
}

/// Mark a model ready (published), publishing its creating task too unless told not to.
/// Returns (updated count, published task info or null); a model already ready is 400/203.
/// The task's status change is checked as bll/task/task_operations.py `publish_task` does
/// unless `force_publish_task`: a running task is 400/110 and the model stays a draft
/// (tests/automated/test_models.py test_publish_output_model_running_task). A `created`
/// task is published anyway: the real server (2.3) does so
/// (quirks/api-models-set-ready-with-task.json), although `tasks.publish` refuses it.
fn set_ready(call: &mut Call, id: &str, body: &Value) -> Result<(usize, Value), ApiError> {
    let publish_task = body
        .get("publish_task")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let force_task = super::opt_bool(body, "force_publish_task");
    let company = call.identity.company.clone();
    call.store.tx(|store| {
        let mut doc = load(store, id)?;
        if doc["ready"] == true {
            return Err(ApiError::new(
                400,
                203,
                format!("Model is ready: company={company}, model={id}"),
            ));
        }
        let mut published_task = Value::Null;
        if publish_task
            && let Some(tid) = doc["task"].as_str().filter(|t| !t.is_empty())
            && let Some(mut t) = store.get(Coll::Tasks, tid)?
            && t["status"] != "published"
        {
            let force = force_task || t["status"] == "created";
            let mut fields = change_status(&mut t, "published", force, &Value::Null)?;
            fields.insert(
                "output".into(),
                t.get("output").cloned().unwrap_or(json!({})),
            );
            store.put(Coll::Tasks, &t)?;
            published_task = json!({"id": tid, "data": {"updated": 1, "fields": fields}});
        }
        doc["ready"] = json!(true);
        let t = now();
        doc["last_update"] = json!(t);
        mark_changed(&mut doc, &t);
        store.put(Coll::Models, &doc)?;
        Ok((1, published_task))
    })
}

/// The task's output model in one call (API <= 2.13): with `uri`, the task's last output
/// model is updated, or a model is created from the task and becomes its only output
/// model, "Output Model"; with `override_model_id`, that model becomes it. Only a draft or
/// running task takes one. `iteration` raises the task's last_iteration.
fn update_for_task(call: &mut Call) -> ApiResult {
    let task_id = req_str(&call.body, "task")?;
    let given = |f: &str| opt_str(&call.body, f).filter(|v| !v.is_empty());
    let (uri, override_id) = (given("uri"), given("override_model_id"));
    if uri.is_some() == override_id.is_some() {
        return Err(ApiError::new(
            400,
            11,
            "Missing required fields (exactly one field is required): fields=(uri, override_model_id)",
        ));
    }
    let body = call.body.clone();
    let (user, company) = (call.identity.user.clone(), call.identity.company.clone());
    call.store.tx(|store| {
        let mut task = load_task(store, &task_id)?;
        let status = task["status"].as_str().unwrap_or("created").to_string();
        if status != "created" && status != "in_progress" {
            let mut e = ApiError::invalid_status(
                "model can only be updated for tasks in the ['created', 'in_progress'] states",
            );
            e.msg
                .push_str(&format!(": id={task_id}, company={company}"));
            return Err(e);
        }
        let task_name = task["name"].as_str().unwrap_or_default().to_string();
        let t = now();
        let iteration = body.get("iteration").and_then(Value::as_i64);
        if let Some(it) = iteration
            && task["last_iteration"].as_i64().is_none_or(|last| last < it)
        {
            task["last_iteration"] = json!(it);
        }
        let existing = task["models"]["output"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|m| m["model"].as_str())
            .map(str::to_string);
        let model_id = match (override_id.clone(), existing) {
            (Some(id), _) => load(store, &id)?["id"].as_str().unwrap_or(&id).to_string(),
            // Update the task's model in place.
            (None, Some(id)) => return update_task_model(store, &mut task, &id, &body, &user),
            (None, None) => {
                let exec = &task["execution"];
                let parent = task["models"]["input"]
                    .as_array()
                    .and_then(|a| a.first())
                    .map(|m| m["model"].clone())
                    .unwrap_or(Value::Null);
                let doc = json!({
                    "id": new_id(), "user": user, "company": company, "created": t,
                    "last_update": t, "last_change": t, "last_changed_by": user,
                    "name": body.get("name").cloned().unwrap_or(json!(task_name)),
                    "comment": body.get("comment").cloned()
                        .unwrap_or(json!(format!("Created by task `{task_name}` ({task_id})"))),
                    "uri": uri.clone().unwrap_or_default(), "task": task_id,
                    "project": task["project"], "framework": exec["framework"],
                    "parent": parent,
                    "design": exec.get("model_desc").cloned().unwrap_or(json!({})),
                    "labels": exec.get("model_labels").cloned().unwrap_or(json!({})),
                    "ready": status == "published",
                    "tags": body.get("tags").cloned().unwrap_or(json!([])),
                    "system_tags": body.get("system_tags").cloned().unwrap_or(json!([])),
                    "metadata": {}, "last_iteration": 0, "last_metrics": {},
                });
                store.put(Coll::Models, &doc)?;
                doc["id"].as_str().unwrap_or_default().to_string()
            }
        };
        if !task["models"].is_object() {
            task["models"] = json!({"input": []});
        }
        task["models"]["output"] =
            json!([{"name": "Output Model", "model": model_id, "updated": t}]);
        touch(&mut task);
        store.put(Coll::Tasks, &task)?;
        Ok(json!({"id": model_id, "created": true}))
    })
}

/// update_for_task on a task that has an output model: the model takes the given fields
/// (name and comment default to the task's), and both are touched.
fn update_task_model(
    store: &Store,
    task: &mut Value,
    id: &str,
    body: &Value,
    user: &str,
) -> ApiResult {
    let task_id = task["id"].as_str().unwrap_or_default().to_string();
    let task_name = task["name"].as_str().unwrap_or_default().to_string();
    let t = now();
    let mut doc = load(store, id)?;
    let mut fields = Map::new();
    let defaults = [
        ("name", json!(task_name)),
        (
            "comment",
            json!(format!("Created by task `{task_name}` ({task_id})")),
        ),
    ];
    for (k, default) in defaults {
        let v = body.get(k).cloned().unwrap_or(default);
        doc[k] = v.clone();
        fields.insert(k.into(), v);
    }
    for k in [
        "uri",
        "framework",
        "design",
        "labels",
        "tags",
        "system_tags",
    ] {
        if let Some(v) = body.get(k) {
            doc[k] = v.clone();
            fields.insert(k.into(), v.clone());
        }
    }
    doc["last_update"] = json!(t);
    doc["last_change"] = json!(t);
    doc["last_changed_by"] = json!(user);
    fields.insert("last_change".into(), json!(t));
    fields.insert("last_changed_by".into(), json!(user));
    store.put(Coll::Models, &doc)?;
    touch(task);
    store.put(Coll::Tasks, task)?;
    Ok(json!({"fields": fields, "updated": 1, "id": id, "created": false}))
}

fn set_archived(store: &Store, id: &str, archive: bool) -> Result<(), ApiError> {
    let mut doc = load(store, id)?;
    let mut tags: Vec<Value> = doc["system_tags"].as_array().cloned().unwrap_or_default();
    tags.retain(|t| t != "archived");
    if archive {
        tags.push(json!("archived"));
    }
    doc["system_tags"] = json!(tags);
    let t = now();
    doc["last_update"] = json!(t);
    // bll/model archive_model / unarchive_model set last_change and last_changed_by.
    mark_changed(&mut doc, &t);
    Ok(store.put(Coll::Models, &doc)?)
}

/// Who changed a model and when (the real server's `last_change` / `last_changed_by` on
/// every model change; one user here).
fn mark_changed(doc: &mut Value, t: &str) {
    doc["last_change"] = json!(t);
    doc["last_changed_by"] = json!(USER_ID);
}

/// Delete a model as bll/model `delete_model` does: tasks using it as their input model
/// block it (400/205) unless `force`, then point at `__DELETED__<id>`; its creating task
/// loses it from its outputs, or, when published, blocks it (400/206) unless `force` and
/// then keeps `__DELETED__<id>` with `output.error` saying when. Its events go with it.
fn delete(store: &mut Store, id: &str, force: bool) -> Result<Value, ApiError> {
    store.tx(|store| {
        let doc = load(store, id)?;
        let gone = format!("__DELETED__{id}");
        let mut f = super::super::store::SqlFilter::default();
        super::super::query::add_list_filter(&mut f, "models.input.model", &json!([id]));
        let users = store.select_all(Coll::Tasks, &f)?;
        if !users.is_empty() && !force {
            return Err(ApiError::new(
                400,
                205,
                format!(
                    "Model is used by tasks (as execution model, use force=True to delete): num_tasks={}",
                    users.len()
                ),
            ));
        }
        let t = now();
        for mut task in users {
            rename_model_refs(&mut task["models"]["input"], id, &gone);
            store.put(Coll::Tasks, &task)?;
        }
        if let Some(tid) = doc["task"].as_str().filter(|t| !t.is_empty())
            && let Some(mut task) = store.get(Coll::Tasks, tid)?
        {
            if task["status"] == "published" {
                if !force {
                    return Err(ApiError::new(
                        400,
                        206,
                        format!(
                            "Task that created this model exists (and published, use force=True to delete): task={tid}"
                        ),
                    ));
                }
                if rename_model_refs(&mut task["models"]["output"], id, &gone) {
                    if !task["output"].is_object() {
                        task["output"] = json!({});
                    }
                    task["output"]["error"] = json!(format!("model deleted on {t}"));
                }
            } else if let Some(outs) = task["models"]["output"].as_array_mut() {
                outs.retain(|m| m["model"] != id);
            }
            task["last_change"] = json!(t);
            task["last_changed_by"] = json!(USER_ID);
            store.put(Coll::Tasks, &task)?;
        }
        store.delete(Coll::Models, id)?;
        store.delete_task_events(id)?;
        Ok(doc["uri"].clone())
    })
}

/// Point the entries of a task's model list naming `id` at `to`; whether any did.
fn rename_model_refs(list: &mut Value, id: &str, to: &str) -> bool {
    let mut any = false;
    for m in list.as_array_mut().into_iter().flatten() {
        if m["model"] == id {
            m["model"] = json!(to);
            any = true;
        }
    }
    any
}

fn metadata(call: &mut Call, remove: bool) -> ApiResult {
    let id = req_str(&call.body, "model")?;
    let mut doc = load(call.store, &id)?;
    let updated = super::shared::metadata::apply(&mut doc, &call.body, remove)?;
    doc["last_change"] = doc["last_update"].clone();
    doc["last_changed_by"] = json!(USER_ID);
    call.store.put(Coll::Models, &doc)?;
    Ok(json!({"updated": updated}))
}
