//! Public entities (made so by `*.make_public`: `company` empty) are read-only: the real
//! server finds a task or project to change with `get_for_writing` (database/model/base.py),
//! which refuses a public one with 403/21, and a model with `get_company_model_by_id`
//! (bll/model), which does not find a public one (400/201). Checked here once, before the
//! handler, for the endpoints that change the one entity their body names.

use super::super::Call;
use super::super::envelope::ApiError;
use super::super::store::Coll;
use serde_json::Value;

/// Single-entity writes: (service, the body field naming the entity, actions).
const WRITES: &[(&str, &str, Coll, &[&str])] = &[
    (
        "tasks",
        "task",
        Coll::Tasks,
        &[
            "update",
            "edit",
            "reset",
            "delete",
            "started",
            "stopped",
            "stop",
            "failed",
            "completed",
            "close",
            "publish",
            "enqueue",
            "dequeue",
            "set_requirements",
            "add_or_update_artifacts",
            "delete_artifacts",
            "edit_hyper_params",
            "delete_hyper_params",
            "edit_configuration",
            "delete_configuration",
            "add_or_update_model",
            "delete_models",
            "edit_runtime",
            "ping",
        ],
    ),
    ("projects", "project", Coll::Projects, &["update", "delete"]),
    (
        "models",
        "model",
        Coll::Models,
        &[
            "update",
            "edit",
            "set_ready",
            "delete",
            "add_or_update_metadata",
            "delete_metadata",
        ],
    ),
];

pub fn check(call: &Call) -> Result<(), ApiError> {
    let Some((service, action)) = call.endpoint.split_once('.') else {
        return Ok(());
    };
    let Some((_, field, coll, _)) = WRITES
        .iter()
        .find(|(s, _, _, actions)| *s == service && actions.contains(&action))
    else {
        return Ok(());
    };
    let Some(id) = call.body.get(*field).and_then(Value::as_str) else {
        return Ok(());
    };
    let Some(doc) = call.store.get(*coll, id)? else {
        return Ok(());
    };
    if doc.get("company").and_then(Value::as_str) != Some("") {
        return Ok(());
    }
    Err(match coll {
        Coll::Models => ApiError::invalid_model(id),
        _ => ApiError::new(
            403,
            21,
            format!(
                "Forbidden (modification not allowed) (cannot modify public {}(s), ids=('{id}',))",
                &service[..service.len() - 1]
            ),
        ),
    })
}
