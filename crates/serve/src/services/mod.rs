//! One module per API service; `dispatch` maps an endpoint name to its handler.
//! Shared helpers: ids, timestamps, required fields, and the generic get_all here; what
//! services need of each other's documents (tasks, queues, projects) in `shared`. Service
//! modules never import each other, and run no SQL: they call `Store` methods.

pub mod auth;
pub mod bulk_edit;
pub mod compat;
pub mod events;
pub mod ex_joins;
pub mod misc;
pub mod models;
pub mod organization;
pub mod pipelines;
pub mod projects;
pub mod projects_ex;
pub mod projects_extra;
pub mod projects_move;
mod public_guard;
pub mod queues;
pub mod reports;
pub mod serving;
mod shared;
pub mod tasks;
pub mod tasks_extra;
pub mod workers;

use super::envelope::{ApiError, ApiResult};
use super::query;
use super::store::{Coll, SqlFilter, Store};
use super::{AppState, Call};
use serde_json::{Value, json};

/// `None` = no such endpoint. Requests and answers pass through `compat`, which gives
/// older API versions the shapes the real server gives them.
pub fn dispatch(call: &mut Call) -> Option<ApiResult> {
    if let Err(e) = prepare(call) {
        return Some(Err(e));
    }
    let mut result = dispatch_to_service(call)?;
    if let Ok(data) = &mut result {
        ex_joins::apply(call, data);
        compat::after(call, data);
    }
    Some(result)
}

/// What every call goes through before its handler: the older API versions' body
/// rewrites and the public entities' guard (every endpoint the guard knows exists, so a
/// refusal never hides a 404).
pub fn prepare(call: &mut Call) -> Result<(), ApiError> {
    compat::before(call);
    public_guard::check(call)
}

/// Run another endpoint's handler with `body` on this call's store and identity, as the
/// real server's handlers reuse each other's logic (a report is created as a task, a
/// pipeline started by a clone and an enqueue). The caller's body and name come back after.
pub fn sub_call(call: &mut Call, endpoint: &str, body: Value) -> ApiResult {
    let saved_body = std::mem::replace(&mut call.body, body);
    let saved_endpoint = std::mem::replace(&mut call.endpoint, endpoint.to_string());
    let result = dispatch_to_service(call)
        .unwrap_or_else(|| Err(ApiError::internal(format!("{endpoint} has no handler"))));
    call.body = saved_body;
    call.endpoint = saved_endpoint;
    result
}

fn dispatch_to_service(call: &mut Call) -> Option<ApiResult> {
    let endpoint = call.endpoint.clone();
    let (service, action) = endpoint.split_once('.')?;
    if let Some(r) = bulk_edit::dispatch(call, service, action) {
        return Some(r);
    }
    if let Some(r) = tasks_extra::dispatch(call, service, action) {
        return Some(r);
    }
    if service == "projects"
        && let Some(r) = projects_extra::dispatch(call, action)
    {
        return Some(r);
    }
    match service {
        "auth" if matches!(action, "logout" | "fixed_users_mode") => {
            misc::dispatch(call, service, action)
        }
        "auth" => auth::dispatch(call, action),
        "debug" | "server" | "users" | "login" => misc::dispatch(call, service, action),
        "tasks" => tasks::dispatch(call, action),
        "projects" => projects::dispatch(call, action),
        "models" => models::dispatch(call, action),
        "queues" => queues::dispatch(call, action),
        "events" => events::dispatch(call, action),
        "workers" => workers::dispatch(call, action),
        "organization" => organization::dispatch(call, action),
        "reports" => reports::dispatch(call, action),
        "pipelines" => pipelines::dispatch(call, action),
        "serving" => serving::dispatch(call, action),
        _ => None,
    }
}

/// A new object id (32 lower-case hex chars, like the real server's).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Now, in the server's ISO format.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string()
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A required string field.
pub fn req_str(body: &Value, field: &str) -> Result<String, ApiError> {
    match body.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Null) | None => Err(ApiError::missing_field(field)),
        Some(other) => Err(ApiError::validation(format!(
            "{field}={other} is not a string"
        ))),
    }
}

pub fn opt_str(body: &Value, field: &str) -> Option<String> {
    body.get(field).and_then(Value::as_str).map(str::to_string)
}

pub fn opt_bool(body: &Value, field: &str) -> bool {
    body.get(field).and_then(Value::as_bool).unwrap_or(false)
}

/// A list of ids given as `ids`, or a single `id`-like field.
pub fn id_list(body: &Value, list_field: &str) -> Vec<String> {
    match body.get(list_field) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Overlay the fields of `patch` onto `doc` (top level).
pub fn merge_top(doc: &mut Value, patch: &Value, skip: &[&str]) {
    if let (Some(d), Some(p)) = (doc.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if !skip.contains(&k.as_str()) {
                d.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The generic `get_all`: filters, order, paging or scrolling, projection.
/// Returns the projected documents and, when scrolling, the scroll id.
pub fn get_all(
    state: &AppState,
    store: &Store,
    coll: Coll,
    body: &Value,
    hidden_aware: bool,
    extra: Option<SqlFilter>,
) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let mut filter = query::build_filter(body, hidden_aware)?;
    super::doc_fields::check_query_fields(coll, body)?;
    if let Some(x) = extra {
        filter.and(x);
    }
    let order = query::build_order(body)?;
    let fields = query::checked_only_fields(body)?;
    // Only the fields the projection copies are parsed out of each stored document.
    let keys = query::projected_keys(&fields);
    let keys = keys.as_deref();
    let (docs, scroll) = match query::scroll_size(body)? {
        Some(size) => {
            let given = body.get("scroll_id").and_then(Value::as_str);
            let refresh = opt_bool(body, "refresh_scroll");
            let (id, pos) = match state.scroll_get(given) {
                Some(pos) => (given.unwrap_or_default().to_string(), pos),
                None => (new_id(), 0),
            };
            // database/model/base.py get_data_with_scroll_support: a refresh reads
            // max(position, size) from the start.
            let docs = if refresh {
                store.select_keys(coll, &filter, &order, Some(pos.max(size)), 0, keys)?
            } else {
                store.select_keys(coll, &filter, &order, Some(size), pos, keys)?
            };
            let next = if refresh {
                docs.len()
            } else {
                pos + docs.len()
            };
            state.scroll_put(&id, next);
            (docs, Some(id))
        }
        None => {
            let (limit, offset) = query::build_paging(body)?;
            (
                store.select_keys(coll, &filter, &order, Some(limit), offset, keys)?,
                None,
            )
        }
    };
    let docs = docs
        .into_iter()
        .map(|d| query::project_owned(d, &fields))
        .collect();
    Ok((docs, scroll))
}

/// Every document matching a get_all style query (no paging; `search_hidden` as given).
pub fn select_all(store: &Store, coll: Coll, query: &Value) -> Result<Vec<Value>, ApiError> {
    let filter = query::build_filter(query, true)?;
    let fields = query::checked_only_fields(query)?;
    let docs = store.select_all(coll, &filter)?;
    Ok(docs.iter().map(|d| query::project(d, &fields)).collect())
}

/// Turn id references into `{"id": .., "name": ..}` objects as the `_ex` endpoints do.
pub fn expand_refs(
    store: &Store,
    docs: &mut [Value],
    fields: &[&str],
    wanted: &[String],
    identity_name: &str,
) {
    // A page of 500 tasks names the same few projects: each is read once per call (one
    // map per reference field, looked up by the borrowed id: no key built per document).
    let mut names: Vec<std::collections::HashMap<String, Option<String>>> =
        vec![std::collections::HashMap::new(); fields.len()];
    // Whether each reference gets its name: decided once, not for every document.
    let want_names: Vec<bool> = fields
        .iter()
        .map(|f| wanted.is_empty() || wanted.iter().any(|w| w == &format!("{f}.name")))
        .collect();
    let lookup = |f: &str, id: &str| match f {
        "user" => Some(identity_name.to_string()),
        "project" => store
            .get(Coll::Projects, id)
            .ok()
            .flatten()
            .and_then(|p| p.get("name").cloned())
            .and_then(|v| v.as_str().map(str::to_string)),
        "task" | "parent" => store
            .get(Coll::Tasks, id)
            .ok()
            .flatten()
            .and_then(|p| p.get("name").cloned())
            .and_then(|v| v.as_str().map(str::to_string)),
        _ => None,
    };
    for doc in docs.iter_mut() {
        let Some(obj) = doc.as_object_mut() else {
            continue;
        };
        for (i, (f, want_name)) in fields.iter().zip(&want_names).enumerate() {
            // Replaced where it stands: the key keeps its place, as an insert would.
            let Some(slot) = obj.get_mut(*f) else {
                continue;
            };
            let Value::String(id) = slot else {
                continue;
            };
            let id = std::mem::take(id);
            let name = if *want_name {
                match names[i].get(&id) {
                    Some(n) => n.clone(),
                    None => {
                        let n = lookup(f, &id);
                        names[i].insert(id.clone(), n.clone());
                        n
                    }
                }
            } else {
                None
            };
            let mut r = serde_json::Map::with_capacity(2);
            r.insert("id".to_string(), Value::String(id));
            if let Some(n) = name {
                r.insert("name".to_string(), Value::String(n));
            }
            *slot = Value::Object(r);
        }
    }
}

/// Make `only_fields` like `project.name` fetch the `project` field itself.
pub fn widen_ref_fields(body: &mut Value, refs: &[&str]) -> Vec<String> {
    let original = query::only_fields(body);
    if original.is_empty() {
        return original;
    }
    let widened: Vec<Value> = original
        .iter()
        .map(|f| {
            let head = f.split('.').next().unwrap_or(f);
            if refs.contains(&head) {
                json!(head)
            } else {
                json!(f)
            }
        })
        .collect();
    body["only_fields"] = Value::Array(widened);
    original
}
