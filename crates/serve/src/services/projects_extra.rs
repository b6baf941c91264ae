//! `projects.*` listings over a project's contents: model metadata keys and values, the
//! users who created its tasks or models, and the projects' own tags.

use super::super::Call;
use super::super::auth::{USER_ID, USER_NAME};
use super::super::envelope::{ApiError, ApiResult};
use super::super::query;
use super::super::store::{Coll, SqlFilter, natural_key};
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
        "get_hyperparam_values" => hyperparam_values(call),
        "get_unique_metric_variants" => unique_metric_variants(call),
        "get_hyper_parameters" => hyper_parameters(call),
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

/// The documents of `coll` in `field`'s projects (bll/project/project_queries.py
/// `_get_project_constraint`): with their children unless `include_subprojects` is false;
/// none named means all, or only the root ones when `include_subprojects` is false.
fn docs_scoped(call: &Call, coll: Coll, field: &str) -> Result<Vec<Value>, ApiError> {
    let named = !id_list(&call.body, field).is_empty();
    let projects = project_ids(call, field)?;
    let root_only = !named && call.body.get("include_subprojects") == Some(&json!(false));
    let mut docs = docs_in(call, coll, &projects, named)?;
    if root_only {
        docs.retain(|d| d["project"].as_str().is_none_or(str::is_empty));
    }
    Ok(docs)
}

fn metadata_keys(call: &mut Call) -> ApiResult {
    let mut keys = BTreeSet::new();
    for m in docs_scoped(call, Coll::Models, "project")? {
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

/// `projects.get_hyperparam_values`: the distinct values of one hyperparameter over the
/// tasks in `projects`, matching `pattern` case-insensitively when given, in numeric
/// collation order and paged (project_queries.py get_task_hyperparam_distinct_values).
fn hyperparam_values(call: &mut Call) -> ApiResult {
    let section = super::req_str(&call.body, "section")?;
    let name = super::req_str(&call.body, "name")?;
    let pattern = match opt_str(&call.body, "pattern").filter(|p| !p.is_empty()) {
        Some(p) => Some(query::regex_checked(&format!("(?i){p}"))?),
        None => None,
    };
    let mut values = std::collections::BTreeMap::new();
    for t in docs_scoped(call, Coll::Tasks, "projects")? {
        let Some(param) = t["hyperparams"][section.as_str()].get(name.as_str()) else {
            continue;
        };
        let value = param.get("value").cloned().unwrap_or(Value::Null);
        let text = value.as_str().map(str::to_string);
        if let Some(re) = &pattern
            && !text.as_deref().is_some_and(|s| re.is_match(s))
        {
            continue;
        }
        let key = text.as_deref().map(natural_key).unwrap_or_default();
        values.insert((key, text), value);
    }
    let (page, size) = paging(call);
    let shown: Vec<Value> = values.into_values().skip(page * size).take(size).collect();
    // The real server counts the values of the page it answers, not all of them.
    Ok(json!({"total": shown.len(), "values": shown}))
}

/// `projects.get_unique_metric_variants`: the distinct (metric, variant) pairs in the
/// `last_metrics` of the tasks (models with `model_metrics`) in `project` or with `ids`,
/// sorted by metric then variant (project_queries.py get_unique_metric_variants).
fn unique_metric_variants(call: &mut Call) -> ApiResult {
    let coll = if opt_bool(&call.body, "model_metrics") {
        Coll::Models
    } else {
        Coll::Tasks
    };
    let ids: BTreeSet<String> = id_list(&call.body, "ids").into_iter().collect();
    let mut seen = std::collections::BTreeMap::new();
    for d in docs_scoped(call, coll, "project")? {
        if !ids.is_empty() && !d["id"].as_str().is_some_and(|i| ids.contains(i)) {
            continue;
        }
        for (mh, vars) in d["last_metrics"].as_object().into_iter().flatten() {
            for (vh, e) in vars.as_object().into_iter().flatten() {
                let key = (
                    e["metric"].as_str().unwrap_or_default().to_string(),
                    e["variant"].as_str().unwrap_or_default().to_string(),
                );
                seen.entry(key).or_insert_with(|| json!({
                    "metric": e["metric"], "variant": e["variant"], "metric_hash": mh, "variant_hash": vh,
                }));
            }
        }
    }
    Ok(json!({"metrics": seen.into_values().collect::<Vec<_>>()}))
}

/// `projects.get_hyper_parameters`: the distinct (section, name) pairs of the tasks'
/// hyperparameters in `projects` (or `project`), sorted and paged
/// (project_queries.py get_aggregated_project_parameters).
fn hyper_parameters(call: &mut Call) -> ApiResult {
    let field = if id_list(&call.body, "projects").is_empty() {
        "project"
    } else {
        "projects"
    };
    let mut seen = BTreeSet::new();
    for d in docs_scoped(call, Coll::Tasks, field)? {
        for (s, params) in d["hyperparams"].as_object().into_iter().flatten() {
            for name in params.as_object().into_iter().flatten().map(|(k, _)| k) {
                seen.insert((s.clone(), name.clone()));
            }
        }
    }
    let (page, size) = paging(call);
    let list: Vec<Value> = seen
        .into_iter()
        .skip(page * size)
        .take(size)
        .map(|(s, n)| json!({"section": s, "name": n}))
        .collect();
    // As the real server: `total` counts the page answered, so `remaining` is 0.
    Ok(json!({"total": list.len(), "remaining": 0, "parameters": list}))
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
