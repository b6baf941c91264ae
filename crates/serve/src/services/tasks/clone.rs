//! `tasks.clone` and `tasks.move`.

use super::*;

pub(super) fn clone(call: &mut Call) -> ApiResult {
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
    as_new_draft(&mut doc, &t);
    doc["id"] = json!(new_id);
    doc["name"] = json!(name);
    doc["project"] = project;
    doc["user"] = json!(call.identity.user);
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
    let inputs = cloned_execution(&mut doc, &body, &t);
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

/// A copied task document as a new draft: no run times, worker, status or metrics.
fn as_new_draft(doc: &mut Value, t: &str) {
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
    doc["status"] = json!("created");
    doc["status_reason"] = json!("");
    doc["status_message"] = json!("");
    for k in ["status_changed", "created", "last_update", "last_change"] {
        doc[k] = json!(t);
    }
    doc["last_iteration"] = json!(0);
    doc["last_metrics"] = json!({});
}

/// The clone's execution (only input artifacts, no queue, `execution_overrides` applied)
/// and models (no outputs); the input models it was given explicitly, if any.
fn cloned_execution(doc: &mut Value, body: &Value, t: &str) -> Option<Value> {
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
    inputs
}

/// The clone's system tags: those asked for, else the source's without `development` and
/// `archived` (task_bll.py clone_task clean_system_tags).
pub(super) fn cloned_system_tags(body: &Value, src: &Value) -> Value {
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
pub(super) fn check_clone_references(
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

pub(super) fn move_to_project(call: &mut Call) -> ApiResult {
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
    super::super::public_guard::all_writable(call.store, &ids)?;
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
