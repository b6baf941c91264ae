//! `organization.*` and the tag listings built the same way (`projects.get_project_tags`,
//! `reports.get_tags`): one company, one user (see README, One identity).

use super::super::Call;
use super::super::auth::{USER_ID, USER_NAME};
use super::super::envelope::{ApiError, ApiResult};
use super::super::query;
use super::super::store::{Coll, Store};
use super::opt_bool;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "get_tags" => org_tags(call),
        "get_user_companies" => Ok(json!({"companies": [{
            "id": call.identity.company, "name": call.identity.company_name,
            "allocated": 1,
            "owners": [{"id": USER_ID, "name": USER_NAME, "avatar": Value::Null}],
        }]})),
        "get_entities_count" => entities_count(call),
        _ => return None,
    })
}

use super::shared::tags::{distinct_tags, tags_answer, tags_filter};

fn org_tags(call: &mut Call) -> ApiResult {
    let include_system = opt_bool(&call.body, "include_system");
    let filter = tags_filter(&call.body);
    let mut tags = BTreeSet::new();
    let mut system = BTreeSet::new();
    for coll in [Coll::Models, Coll::Tasks] {
        let (t, s) = distinct_tags(call.store, coll, &filter, include_system)?;
        tags.extend(t);
        system.extend(s);
    }
    Ok(tags_answer(tags, system, include_system))
}

/// The entity kinds `get_entities_count` counts: the collection, the task type it is
/// narrowed to, and whether hidden documents count without `search_hidden`.
const COUNTED: &[(&str, Coll, Option<&str>, bool)] = &[
    ("projects", Coll::Projects, None, false),
    ("tasks", Coll::Tasks, None, false),
    ("models", Coll::Models, None, true),
    ("pipelines", Coll::Projects, None, true),
    ("pipeline_runs", Coll::Tasks, Some("controller"), true),
    ("datasets", Coll::Projects, None, true),
    (
        "dataset_versions",
        Coll::Tasks,
        Some("data_processing"),
        true,
    ),
    ("reports", Coll::Tasks, Some("report"), true),
];

/// Each field of the request is a get_all query of its kind; the answer is the number of
/// documents each matches (a failing query is reported under `errors`, as the real server
/// does, and the others are still counted).
fn entities_count(call: &mut Call) -> ApiResult {
    let search_hidden = opt_bool(&call.body, "search_hidden");
    let limit = call.body.get("limit").and_then(Value::as_u64);
    let active_users = super::id_list(&call.body, "active_users");
    let mut out = Map::new();
    let mut errors = Map::new();
    for (field, coll, task_type, hidden_counts) in COUNTED {
        let Some(data) = call.body.get(*field).filter(|v| !v.is_null()) else {
            continue;
        };
        let mut data = data.clone();
        if !data.is_object() {
            errors.insert(
                field.to_string(),
                json!(format!("{field}: expected an object")),
            );
            continue;
        }
        if let Some(t) = task_type {
            data["type"] = json!(t);
        }
        if !active_users.is_empty() && data.get("user").is_none() {
            data["user"] = json!(active_users);
        }
        if search_hidden || *hidden_counts {
            data["search_hidden"] = json!(true);
        }
        match count(call.store, *coll, &data) {
            Ok(n) => {
                let n = limit.map_or(n, |l| n.min(l as usize));
                out.insert(field.to_string(), json!(n));
            }
            Err(e) => {
                errors.insert(field.to_string(), json!(e.msg));
            }
        }
    }
    if !errors.is_empty() {
        out.insert("errors".into(), Value::Object(errors));
    }
    Ok(Value::Object(out))
}

fn count(store: &Store, coll: Coll, data: &Value) -> Result<usize, ApiError> {
    let hidden_aware = matches!(coll, Coll::Tasks | Coll::Projects);
    let filter = query::build_filter(data, hidden_aware)?;
    Ok(store.count(coll, &filter)?)
}
