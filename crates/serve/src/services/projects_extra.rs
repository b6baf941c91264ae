//! `projects.*` listings over a project's contents: model metadata keys and values, the
//! users who created its tasks or models, and the projects' own tags.

use super::super::Call;
use super::super::auth::{USER_ID, USER_NAME};
use super::super::envelope::{ApiError, ApiResult};
use super::super::query;
use super::super::store::{Coll, SqlFilter};
use super::{id_list, opt_bool, opt_str};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// `None` = not one of these endpoints.
pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "get_model_metadata_keys" => metadata_keys(call),
        "get_model_metadata_values" => metadata_values(call),
        "get_user_names" => user_names(call),
        "get_project_tags" => project_tags(call),
        _ => return None,
    })
}

/// `project`/`projects` and, with `include_subprojects` (default true), their children.
fn project_ids(call: &Call, field: &str) -> Result<Vec<String>, ApiError> {
    let given = id_list(&call.body, field);
    let with_children = call
        .body
        .get("include_subprojects")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut out = Vec::new();
    for id in given {
        let Some(p) = call.store.get(Coll::Projects, &id)? else {
            continue;
        };
        out.push(id);
        if with_children {
            let prefix = format!("{}/", p["name"].as_str().unwrap_or_default());
            for child in call
                .store
                .select_all(Coll::Projects, &SqlFilter::default())?
            {
                if child["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with(&prefix))
                {
                    out.extend(child["id"].as_str().map(str::to_string));
                }
            }
        }
    }
    Ok(out)
}

/// The documents of `coll` in `projects` (all of them when no project is named).
fn docs_in(
    call: &Call,
    coll: Coll,
    projects: &[String],
    named: bool,
) -> Result<Vec<Value>, ApiError> {
    let mut f = SqlFilter::default();
    if named {
        query::add_list_filter(&mut f, "project", &json!(projects));
    }
    Ok(call.store.select_all(coll, &f)?)
}

fn paging(call: &Call) -> (usize, usize) {
    let page = call.body["page"].as_u64().unwrap_or(0) as usize;
    let size = call.body["page_size"].as_u64().unwrap_or(500).max(1) as usize;
    (page, size)
}

fn metadata_keys(call: &mut Call) -> ApiResult {
    let named = opt_str(&call.body, "project").is_some();
    let projects = project_ids(call, "project")?;
    // bll/project/project_queries.py _get_project_constraint: no project and
    // `include_subprojects: false` means the models at the root only.
    let root_only = !named && call.body.get("include_subprojects") == Some(&json!(false));
    let mut keys = BTreeSet::new();
    for m in docs_in(call, Coll::Models, &projects, named)? {
        if root_only && m["project"].as_str().is_some_and(|p| !p.is_empty()) {
            continue;
        }
        keys.extend(
            m["metadata"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        );
    }
    let (page, size) = paging(call);
    let total = keys.len();
    let shown: Vec<String> = keys.into_iter().skip(page * size).take(size).collect();
    let remaining = total.saturating_sub(page * size + shown.len());
    Ok(json!({"total": total, "remaining": remaining, "keys": shown}))
}

fn metadata_values(call: &mut Call) -> ApiResult {
    let key = super::req_str(&call.body, "key")?;
    let named = !id_list(&call.body, "projects").is_empty();
    let projects = project_ids(call, "projects")?;
    let mut values = BTreeSet::new();
    for m in docs_in(call, Coll::Models, &projects, named)? {
        if let Some(v) = m["metadata"][key.as_str()].get("value") {
            values.insert(match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
    }
    let (page, size) = paging(call);
    let total = values.len();
    let shown: Vec<String> = values.into_iter().skip(page * size).take(size).collect();
    Ok(json!({"total": total, "values": shown}))
}

/// The users who created tasks (or models, `entity: model`) in the projects: here the one
/// user, when there is any such document.
fn user_names(call: &mut Call) -> ApiResult {
    let coll = if call.body["entity"] == "model" {
        Coll::Models
    } else {
        Coll::Tasks
    };
    let named = !id_list(&call.body, "projects").is_empty();
    let projects = project_ids(call, "projects")?;
    let mut users = BTreeSet::new();
    for d in docs_in(call, coll, &projects, named)? {
        users.extend(d["user"].as_str().map(str::to_string));
    }
    let list: Vec<Value> = users
        .into_iter()
        .map(|u| {
            let name = if u == USER_ID {
                json!(USER_NAME)
            } else {
                Value::Null
            };
            json!({"id": u, "name": name})
        })
        .collect();
    Ok(json!({"users": list}))
}

fn project_tags(call: &mut Call) -> ApiResult {
    let include_system = opt_bool(&call.body, "include_system");
    let mut filter = super::shared::tags::tags_filter(&call.body);
    let given = id_list(&call.body, "projects");
    if !given.is_empty() {
        let ids = project_ids(call, "projects")?;
        query::add_list_filter(&mut filter, "id", &json!(ids));
    }
    let (tags, system) =
        super::shared::tags::distinct_tags(call.store, Coll::Projects, &filter, include_system)?;
    Ok(super::shared::tags::tags_answer(
        tags,
        system,
        include_system,
    ))
}
