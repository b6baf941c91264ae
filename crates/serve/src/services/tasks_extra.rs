//! `tasks.*` endpoints built from the common ones: `get_by_id_ex`, `validate`,
//! `update_batch`, `dequeue_many`, `edit_runtime`, and `models.get_by_id_ex`.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::Coll;
use super::{id_list, req_str, sub_call};
use serde_json::{Value, json};

/// `None` = not one of these endpoints.
pub fn dispatch(call: &mut Call, service: &str, action: &str) -> Option<ApiResult> {
    Some(match (service, action) {
        ("tasks", "get_by_id_ex") => by_id_ex(call, "tasks.get_all_ex"),
        ("models", "get_by_id_ex") => by_id_ex(call, "models.get_all_ex"),
        ("tasks", "validate") => validate(call),
        ("tasks", "update_batch") => update_batch(call),
        ("tasks", "dequeue_many") => dequeue_many(call),
        ("tasks", "edit_runtime") => edit_runtime(call),
        _ => return None,
    })
}

/// `get_by_id_ex`: the `_ex` listing of the ids given (`id` is required), hidden included.
fn by_id_ex(call: &mut Call, listing: &str) -> ApiResult {
    if call.body.get("id").is_none_or(Value::is_null) {
        return Err(ApiError::new(400, 11, "Missing required fields: fields=id"));
    }
    let mut body = call.body.clone();
    body["search_hidden"] = json!(true);
    sub_call(call, listing, body)
}

/// `tasks.validate`: everything `tasks.create` checks, nothing stored.
fn validate(call: &mut Call) -> ApiResult {
    let body = call.body.clone();
    let created = sub_call(call, "tasks.create", body)?;
    if let Some(id) = created["id"].as_str() {
        call.store.delete(Coll::Tasks, id)?;
    }
    Ok(json!({}))
}

/// `tasks.update_batch`: a JSON-lines batch of `tasks.update` bodies; every task must
/// exist (400/101 naming the missing ones, nothing changed).
fn update_batch(call: &mut Call) -> ApiResult {
    let Some(items) = call.lines.clone().filter(|l| !l.is_empty()) else {
        return Err(ApiError::new(400, 17, "Batch request contains no items"));
    };
    let ids = items
        .iter()
        .map(|item| req_str(item, "task"))
        .collect::<Result<Vec<_>, _>>()?;
    super::public_guard::all_writable(call.store, &ids)?;
    let mut missing = Vec::new();
    for id in ids {
        if call.store.get(Coll::Tasks, &id)?.is_none() {
            missing.push(id);
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::new(
            400,
            101,
            format!("Invalid task id: ids={missing:?}"),
        ));
    }
    let mut updated = 0;
    for item in items {
        let r = sub_call(call, "tasks.update", item)?;
        updated += r["updated"].as_i64().unwrap_or(0);
    }
    Ok(json!({"updated": updated}))
}

/// `tasks.dequeue_many`: `tasks.dequeue` of each id, as the `*_many` endpoints answer.
fn dequeue_many(call: &mut Call) -> ApiResult {
    let ids = id_list(&call.body, "ids");
    if ids.is_empty() {
        return Err(ApiError::validation("ids: at least one id is required"));
    }
    let mut template = call.body.clone();
    if let Some(o) = template.as_object_mut() {
        o.remove("ids");
    }
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for id in ids {
        let mut body = template.clone();
        body["task"] = json!(id);
        let result = super::public_guard::writable(call.store, Coll::Tasks, &id)
            .and_then(|()| sub_call(call, "tasks.dequeue", body));
        match result {
            Ok(mut r) => {
                r["id"] = json!(id);
                r["dequeued"] = json!(r["dequeued"].as_i64().unwrap_or(1) > 0);
                succeeded.push(r);
            }
            Err(e) => failed.push(
                json!({"id": id, "error": {"codes": [e.code, e.subcode], "msg": e.msg, "data": e.data}}),
            ),
        }
    }
    Ok(json!({"succeeded": succeeded, "failed": failed}))
}

/// `tasks.edit_runtime`: set and remove keys of `runtime`, any task status.
fn edit_runtime(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let add = call.body["add_or_update"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let remove: Vec<String> = id_list(&call.body, "remove");
    let mut doc = super::shared::task::load(call.store, &id)?;
    if add.is_empty() && remove.is_empty() {
        return Ok(json!({"updated": 0}));
    }
    if !doc["runtime"].is_object() {
        doc["runtime"] = json!({});
    }
    let runtime = doc["runtime"]
        .as_object_mut()
        .expect("made an object above");
    for (k, v) in add {
        runtime.insert(k, v);
    }
    for k in remove {
        runtime.remove(&k);
    }
    super::shared::task::touch(&mut doc);
    doc["last_changed_by"] = json!(call.identity.user);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1}))
}
