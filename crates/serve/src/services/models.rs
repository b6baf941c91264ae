//! `models.*`: model documents (uri, ready = published, labels, design, metadata).

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, Store};
use super::shared::task::{change_status, load as load_task, touch};
use super::{get_all, id_list, merge_top, new_id, now, opt_str, req_str};
use crate::auth::USER_ID;
use serde_json::{Map, Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "edit" | "update" => edit(call, action == "update"),
        "get_by_id" => {
            let id = match req_str(&call.body, "model") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load(call.store, &id).map(|m| json!({"model": m}))
        }
        "get_by_task_id" => {
            let task = match req_str(&call.body, "task") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_task(call.store, &task).and_then(|t| {
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
            })
        }
        "get_all" | "get_all_ex" => list(call, action == "get_all_ex"),
        "set_ready" => {
            let id = match req_str(&call.body, "model") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
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
        "publish_many" => {
            let mut body = call.body.clone();
            // The batch form names the flag in the plural.
            if let Some(p) = body.get("publish_tasks").cloned() {
                body["publish_task"] = p;
            }
            let mut succeeded = Vec::new();
            let mut failed = Vec::new();
            for id in id_list(&body, "ids") {
                match set_ready(call, &id, &body) {
                    Ok((u, pt)) => succeeded.push(json!({"id": id, "updated": u > 0, "published_task": pt})),
                    Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": e.data}})),
                }
            }
            Ok(json!({"succeeded": succeeded, "failed": failed}))
        }
        "archive_many" | "unarchive_many" => {
            let archive = action == "archive_many";
            let mut succeeded = Vec::new();
            let mut failed = Vec::new();
            for id in id_list(&call.body, "ids") {
                match set_archived(call.store, &id, archive) {
                    Ok(()) => succeeded.push(json!({"id": id, if archive { "archived" } else { "unarchived" }: true})),
                    Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": {}}})),
                }
            }
            Ok(json!({"succeeded": succeeded, "failed": failed}))
        }
        "delete" => {
            let id = match req_str(&call.body, "model") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            delete(call.store, &id).map(|url| json!({"deleted": true, "url": url}))
        }
        "delete_many" => {
            let mut succeeded = Vec::new();
            let mut failed = Vec::new();
            for id in id_list(&call.body, "ids") {
                match delete(call.store, &id) {
                    Ok(url) => succeeded.push(json!({"id": id, "deleted": true, "url": url})),
                    Err(e) => failed.push(json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": {}}})),
                }
            }
            Ok(json!({"succeeded": succeeded, "failed": failed}))
        }
        "add_or_update_metadata" => metadata(call, false),
        "delete_metadata" => metadata(call, true),
        // Served up to API 2.13 only (the endpoint table answers 301 for later versions).
        "update_for_task" => update_for_task(call),
        "get_frameworks" => Ok(json!({"frameworks": []})),
        "move" => {
            let project = call.body.get("project").cloned().unwrap_or(Value::Null);
            let mut n = 0;
            for id in id_list(&call.body, "ids") {
                if let Ok(mut m) = load(call.store, &id) {
                    m["project"] = project.clone();
                    if call.store.put(Coll::Models, &m).is_ok() {
                        n += 1;
                    }
                }
            }
            Ok(json!({"project_id": project, "moved": n}))
        }
        _ => return None,
    })
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
            if is_update && k == "created" {
                continue;
            }
            doc[k] = v.clone();
            fields.insert(k.into(), v.clone());
        }
    }
    if let Some(it) = call.body.get("iteration") {
        doc["last_iteration"] = it.clone();
        fields.insert("last_iteration".into(), it.clone());
    }
    // The whole map is replaced (the list form or the map form alike).
    if let Some(m) = super::shared::metadata::replace_from(&mut doc, &call.body)? {
        fields.insert("metadata".into(), m);
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
    let mut out = json!({"models": docs});
    if let Some(s) = scroll {
        out["scroll_id"] = json!(s);
    }
    Ok(out)
}

/// Mark a model ready (published), publishing its creating task too unless told not to.
/// Returns (updated count, published task info or null); a model already ready is 400/203.
/// The task is published from any status: the real server (2.3) publishes a task that is
/// only `created` here, although `tasks.publish` refuses that change.
fn set_ready(call: &mut Call, id: &str, body: &Value) -> Result<(usize, Value), ApiError> {
    let publish_task = body
        .get("publish_task")
        .and_then(Value::as_bool)
        .unwrap_or(true);
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
            let mut fields = change_status(&mut t, "published", true, &Value::Null)?;
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
            (None, Some(id)) => {
                // Update the task's model in place.
                let mut doc = load(store, &id)?;
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
                touch(&mut task);
                store.put(Coll::Tasks, &task)?;
                return Ok(json!({"fields": fields, "updated": 1, "id": id, "created": false}));
            }
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

fn delete(store: &Store, id: &str) -> Result<Value, ApiError> {
    let doc = load(store, id)?;
    store.delete(Coll::Models, id)?;
    Ok(doc["uri"].clone())
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
