//! Task documents as every service reads and changes them: loading (with the container
//! fields in shape), `last_update` marks, the status state machine and the public view of
//! `last_metrics`.

use super::super::super::envelope::ApiError;
use super::super::super::store::{Coll, Store};
use super::super::{now, opt_str};
use serde_json::{Map, Value, json};

/// Task fields that hold objects (the server writes into them, so they must be objects).
pub const OBJECT_FIELDS: &[&str] = &[
    "execution",
    "output",
    "models",
    "script",
    "hyperparams",
    "configuration",
    "runtime",
    "container",
    "last_metrics",
];

/// Load a task or answer 400/101.
pub fn load(store: &Store, id: &str) -> Result<Value, ApiError> {
    let mut doc = store
        .get(Coll::Tasks, id)?
        .ok_or_else(|| ApiError::invalid_task(id))?;
    normalize(&mut doc);
    Ok(doc)
}

/// Give container fields the shapes the handlers write into (never panic on odd data).
pub fn normalize(doc: &mut Value) {
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    for f in OBJECT_FIELDS {
        if !obj.get(*f).is_some_and(Value::is_object) {
            obj.insert(f.to_string(), json!({}));
        }
    }
    if let Some(models) = obj.get_mut("models").and_then(Value::as_object_mut) {
        for k in ["input", "output"] {
            if !models.get(k).is_some_and(Value::is_array) {
                models.insert(k.into(), json!([]));
            }
        }
    }
}

/// Each of `ids` with its document; 400/101 naming every missing one.
pub fn load_all(store: &Store, ids: Vec<String>) -> Result<Vec<(String, Value)>, ApiError> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for t in ids {
        match store.get(Coll::Tasks, &t)? {
            Some(d) => out.push((t, d)),
            None => missing.push(t),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::new(
            400,
            101,
            format!("Invalid task id: ids={}", missing.join(",")),
        ));
    }
    Ok(out)
}

/// Mark the task changed now; returns the time written.
pub fn touch(doc: &mut Value) -> String {
    let t = now();
    doc["last_update"] = json!(t);
    doc["last_change"] = json!(t);
    // Every user change records who made it (the real server's update_task and status
    // changes); one user here.
    doc["last_changed_by"] = json!(crate::auth::USER_ID);
    t
}

/// Allowed status changes without `force` (the real server's table).
fn allowed(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    let next: &[&str] = match from {
        "created" => &["queued", "in_progress"],
        "queued" => &["created", "in_progress", "stopped"],
        "in_progress" => &["stopped", "failed", "created", "completed"],
        "stopped" => &[
            "closed",
            "created",
            "failed",
            "queued",
            "in_progress",
            "published",
            "publishing",
            "completed",
        ],
        "closed" => &["created", "failed", "published", "publishing", "stopped"],
        "failed" => &["created", "stopped", "published", "queued"],
        "completed" => &["published", "in_progress", "created"],
        "publishing" => &["published"],
        _ => &[],
    };
    next.contains(&to)
}

/// Change a task's status in `doc` (validated unless `force`); returns the changed fields.
pub fn change_status(
    doc: &mut Value,
    to: &str,
    force: bool,
    body: &Value,
) -> Result<Map<String, Value>, ApiError> {
    let from = doc["status"].as_str().unwrap_or("created").to_string();
    if !force && !allowed(&from, to) {
        return Err(ApiError::invalid_status(format!(
            "Invalid status change: task={}, current_status={from}, new_status={to}",
            doc["id"].as_str().unwrap_or("")
        )));
    }
    let t = touch(doc);
    let mut fields = Map::new();
    doc["status"] = json!(to);
    doc["status_changed"] = json!(t);
    doc["status_reason"] = json!(opt_str(body, "status_reason").unwrap_or_default());
    doc["status_message"] = json!(opt_str(body, "status_message").unwrap_or_default());
    match to {
        "in_progress"
            if (doc.get("started").is_none_or(Value::is_null) || from != "in_progress") =>
        {
            doc["started"] = json!(t);
            fields.insert("started".into(), json!(t));
        }
        "completed" | "stopped" | "failed" => {
            doc["completed"] = json!(t);
            fields.insert("completed".into(), json!(t));
            if let Some(s) = doc["started"]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            {
                let secs = (chrono::Utc::now() - s.with_timezone(&chrono::Utc))
                    .num_seconds()
                    .max(0);
                doc["active_duration"] = json!(secs);
            }
        }
        "published" => {
            doc["published"] = json!(t);
            fields.insert("published".into(), json!(t));
        }
        _ => {}
    }
    for k in [
        "status",
        "status_changed",
        "status_reason",
        "status_message",
        "last_update",
        "last_change",
        "last_changed_by",
    ] {
        fields.insert(k.into(), doc[k].clone());
    }
    Ok(fields)
}

/// Public view of last_metrics: bookkeeping keys removed, mean rounded like the real server.
pub fn public_last_metrics(doc: &mut Value) {
    if let Some(ms) = doc.get_mut("last_metrics").and_then(Value::as_object_mut) {
        for vars in ms.values_mut().filter_map(Value::as_object_mut) {
            for e in vars.values_mut().filter_map(Value::as_object_mut) {
                e.remove("_last_iter");
                e.remove("_last_ts");
                if let Some(m) = e.get("mean_value").and_then(Value::as_f64) {
                    e.insert("mean_value".into(), json!((m * 100.0).round() / 100.0));
                }
            }
        }
    }
}
