//! `tasks.edit` and `tasks.update`: what a client may set on a task.

use super::*;

/// Fields a client may set through tasks.edit.
pub(super) const EDITABLE: &[&str] = &[
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
    // services/tasks.py:771-772 (edit): the create fields plus `status`.
    "status",
];

pub(super) fn edit(call: &mut Call) -> ApiResult {
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
    // database/model/task/task.py:258: `status` takes one of the TaskStatus values.
    if let Some(s) = call.body.get("status").filter(|v| !v.is_null())
        && !s.as_str().is_some_and(|s| TASK_STATUSES.contains(&s))
    {
        return Err(ApiError::validation(format!(
            "Invalid task status: {s} (one of {})",
            TASK_STATUSES.join(", ")
        )));
    }
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
pub(super) const EMBEDDED: &[&str] = &["execution", "script", "output", "models"];

/// Task fields marked `user_set_allowed` (database/model/task/task.py): changing only
/// these leaves `last_update` alone.
pub(super) const USER_SET_ALLOWED: &[&str] = &[
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
pub(super) const UPDATE_FIELDS: [&str; 7] = [
    "name",
    "tags",
    "system_tags",
    "comment",
    "project",
    "status_message",
    "output__error",
];

pub(super) fn update(call: &mut Call) -> ApiResult {
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
