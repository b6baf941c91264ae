//! Artifacts, models, requirements and the hyperparameter/configuration sections of a task.

use super::*;

/// The artifacts named in the request, the task they belong to and its current list.
pub(super) fn load_artifacts(call: &Call) -> Result<(Vec<Value>, Value, Vec<Value>), ApiError> {
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
pub(super) fn require_draft_or_running(doc: &Value) -> Result<(), ApiError> {
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

pub(super) fn store_artifacts(
    call: &mut Call,
    mut doc: Value,
    list: Vec<Value>,
) -> Result<(), ApiError> {
    doc["execution"]["artifacts"] = json!(list);
    touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(())
}

pub(super) fn add_or_update_artifacts(call: &mut Call) -> ApiResult {
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

pub(super) fn delete_artifacts(call: &mut Call) -> ApiResult {
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

pub(super) fn add_or_update_model(call: &mut Call) -> ApiResult {
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

pub(super) fn delete_models(call: &mut Call) -> ApiResult {
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
pub(super) fn ping(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load(call.store, &id)?;
    doc["last_update"] = json!(now());
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({}))
}

pub(super) fn set_requirements(call: &mut Call) -> ApiResult {
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
pub(super) fn get_sections(call: &mut Call, field: &str) -> ApiResult {
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

pub(super) fn configuration_names(call: &mut Call) -> ApiResult {
    let skip_empty = call
        .body
        .get("skip_empty")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut out = Vec::new();
    for id in id_list(&call.body, "tasks") {
        let doc = load(call.store, &id)?;
        // bll/task/hyperparams.py:192-211 (get_configuration_names): items with an empty
        // or null value are left out unless `skip_empty` is false; names come sorted.
        let mut names: Vec<&String> = doc["configuration"]
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(_, c)| {
                        !skip_empty || !matches!(&c["value"], Value::Null) && c["value"] != ""
                    })
                    .map(|(k, _)| k)
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        out.push(json!({"task": id, "names": names}));
    }
    Ok(json!({"configurations": out}))
}

/// The status check of bll/task/hyperparams.py:75-80 (edit and delete of hyperparameters)
/// and :251-254 (of configuration): a task that is not a draft refuses the change unless
/// `force`; user properties (hyperparameter section "properties") change in any status.
fn require_editable(
    call: &Call,
    doc: &Value,
    id: &str,
    field: &str,
    force: bool,
) -> Result<(), ApiError> {
    let status = doc["status"].as_str().unwrap_or("created");
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
    Ok(())
}

pub(super) fn edit_sections(call: &mut Call, field: &str) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let force = opt_bool(&call.body, "force");
    let mut doc = load(call.store, &id)?;
    require_editable(call, &doc, &id, field, force)?;
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

pub(super) fn delete_sections(call: &mut Call, field: &str) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load(call.store, &id)?;
    require_editable(call, &doc, &id, field, opt_bool(&call.body, "force"))?;
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
