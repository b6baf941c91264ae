//! Public entities (made so by `*.make_public`: `company` empty) are read-only: the real
//! server finds a task or project to change with `get_for_writing` (database/model/base.py),
//! which refuses a public one with 403/21, and a model with `get_company_model_by_id`
//! (bll/model), which does not find a public one (400/201). Checked here once, before the
//! handler, for the endpoints that change the one entity their body names. The calls that
//! name several ask here from their handlers: `*_many` for each item (`writable`), the
//! others for all at once (`all_writable`).

use super::super::Call;
use super::super::envelope::ApiError;
use super::super::store::{Coll, Store};
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
    writable(call.store, *coll, id)
}

/// `Ok` when the document `id` of `coll` may be changed (or does not exist: the handler
/// answers that); else the refusal the real server gives for it: a public task or project
/// is 403/21 (`get_for_writing`), a public model is not found, 400/201.
pub fn writable(store: &Store, coll: Coll, id: &str) -> Result<(), ApiError> {
    if !is_public(store, coll, id)? {
        return Ok(());
    }
    Err(match coll {
        Coll::Models => ApiError::invalid_model(id),
        _ => forbidden(coll, &[id.to_string()]),
    })
}

/// Every one of these tasks may be changed, or 403/21 naming the public ones
/// (bll/task/utils.py `get_many_tasks_for_writing`, through services/tasks.py
/// `_assert_writable_tasks`): the calls that change several tasks at once (archive, move,
/// update_tags, update_batch) refuse as a whole, before missing ids are looked for.
pub fn all_writable(store: &Store, ids: &[String]) -> Result<(), ApiError> {
    let mut public = Vec::new();
    for id in ids {
        if is_public(store, Coll::Tasks, id)? {
            public.push(id.clone());
        }
    }
    if public.is_empty() {
        return Ok(());
    }
    Err(forbidden(Coll::Tasks, &public))
}

fn is_public(store: &Store, coll: Coll, id: &str) -> Result<bool, ApiError> {
    Ok(store
        .get(coll, id)?
        .is_some_and(|doc| doc.get("company").and_then(Value::as_str) == Some("")))
}

/// NoWritePermission with the ids as the real server prints a Python tuple.
fn forbidden(coll: Coll, ids: &[String]) -> ApiError {
    let what = match coll {
        Coll::Projects => "project",
        _ => "task",
    };
    ApiError::new(
        403,
        21,
        format!(
            "Forbidden (modification not allowed) (cannot modify public {what}(s), ids={})",
            py_tuple(ids)
        ),
    )
}

/// Ids as the real server's messages print a Python tuple of them: `('a',)`, `('a', 'b')`.
pub fn py_tuple(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    if quoted.len() == 1 {
        format!("({},)", quoted[0])
    } else {
        format!("({})", quoted.join(", "))
    }
}
