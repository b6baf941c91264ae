//! `projects.*`: projects are full paths (`parent/child`); creating one creates its
//! missing parents.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::query::add_list_filter;
use super::super::store::{Coll, SqlFilter, Store};
use super::shared::project::{ensure, find_by_name};
use super::{get_all, id_list, now, opt_bool, opt_str, req_str};
use serde_json::{Map, Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "get_all" => list(call, false),
        "get_all_ex" => list(call, true),
        "get_by_id" => {
            let id = match req_str(&call.body, "project") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            call.store
                .get(Coll::Projects, &id)
                .map_err(ApiError::from)
                .and_then(|p| p.ok_or_else(|| ApiError::invalid_project(&id)))
                .map(|p| json!({"project": p}))
        }
        "update" => update(call),
        "delete" => delete(call),
        "validate_delete" => validate_delete(call),
        "get_unique_metric_variants" => unique_metric_variants(call),
        "get_hyper_parameters" => hyper_parameters(call),
        "get_task_tags" | "get_model_tags" => tags(
            call,
            if action == "get_task_tags" {
                Coll::Tasks
            } else {
                Coll::Models
            },
        ),
        "get_task_parents" => Ok(json!({"parents": []})),
        "get_hyperparam_values" => Ok(json!({"total": 0, "values": []})),
        "merge" | "move" => Err(ApiError::new(
            400,
            1,
            "Not supported (by clearml server serve)",
        )),
        _ => return None,
    })
}

fn create(call: &mut Call) -> ApiResult {
    let name = req_str(&call.body, "name")?;
    let name = name.trim().trim_matches('/').to_string();
    if name.is_empty() {
        return Err(ApiError::new(
            400,
            407,
            format!("Invalid project name: name={name}"),
        ));
    }
    // Every part of a path must have 3 characters; the real server calls a short one blank.
    if name.split('/').any(|part| part.trim().chars().count() < 3) {
        return Err(ApiError::validation("Project name cannot be blank"));
    }
    if find_by_name(call.store, &name)?.is_some() {
        return Err(ApiError::new(
            400,
            801,
            format!(
                "Value combination already exists (unique field already contains this value): name={name}"
            ),
        ));
    }
    let body = call.body.clone();
    let id = ensure(call, &name, &body)?;
    Ok(json!({"id": id}))
}

fn list(call: &mut Call, ex: bool) -> ApiResult {
    // Taken, not copied: an id list can be a hundred megabytes parsed.
    let mut body = std::mem::take(&mut call.body);
    // shallow_search: only the direct children of `parent` (or top-level projects).
    let mut extra = SqlFilter::default();
    if opt_bool(&body, "shallow_search") {
        let parent = body
            .get("parent")
            .and_then(|p| p.as_array().and_then(|a| a.first()).or(Some(p)))
            .and_then(Value::as_str)
            .and_then(|pid| call.store.get(Coll::Projects, pid).ok().flatten())
            .and_then(|p| p["name"].as_str().map(str::to_string));
        extra = extra.direct_children_of(parent.as_deref());
        if let Some(o) = body.as_object_mut() {
            o.remove("parent");
        }
    }
    let (mut docs, scroll) = get_all(
        call.state,
        call.store,
        Coll::Projects,
        &body,
        true,
        Some(extra),
    )?;
    if ex {
        let include_stats = opt_bool(&body, "include_stats");
        for d in docs.iter_mut() {
            let (Some(id), Some(name)) = (
                d["id"].as_str().map(str::to_string),
                d.get("name").and_then(Value::as_str).map(str::to_string),
            ) else {
                continue;
            };
            if include_stats {
                d["stats"] = json!({"active": stats(call.store, &id)?});
            }
            d["sub_projects"] = json!(sub_projects(call.store, &name)?);
        }
        super::expand_refs(
            call.store,
            &mut docs,
            &["user", "company"],
            &[],
            &call.identity.user_name,
        );
    }
    let mut out = json!({"projects": docs});
    if let Some(s) = scroll {
        out["scroll_id"] = json!(s);
    }
    Ok(out)
}

fn stats(store: &Store, project: &str) -> Result<Value, ApiError> {
    let mut counts = Map::new();
    for s in [
        "closed",
        "completed",
        "created",
        "failed",
        "in_progress",
        "published",
        "publishing",
        "queued",
        "stopped",
        "unknown",
    ] {
        counts.insert(s.into(), json!(0));
    }
    let mut total = 0;
    for (s, n) in store.task_status_counts(project)? {
        total += n;
        counts.insert(s.unwrap_or_else(|| "unknown".into()), json!(n));
    }
    Ok(
        json!({"status_count": counts, "total_tasks": total, "total_runtime": 0, "completed_tasks_24h": 0, "last_task_run": null}),
    )
}

fn sub_projects(store: &Store, name: &str) -> Result<Vec<Value>, ApiError> {
    Ok(store
        .sub_projects(name)?
        .into_iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect())
}

fn update(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let mut doc = call
        .store
        .get(Coll::Projects, &id)?
        .ok_or_else(|| ApiError::invalid_project(&id))?;
    let mut fields = Map::new();
    for k in [
        "name",
        "description",
        "tags",
        "system_tags",
        "default_output_destination",
    ] {
        if let Some(v) = call.body.get(k) {
            doc[k] = v.clone();
            fields.insert(k.into(), v.clone());
        }
    }
    // The real server mirrors system tag `hidden` into a `hidden` flag.
    let hidden = doc["system_tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "hidden"));
    doc["hidden"] = json!(hidden);
    if let Some(n) = opt_str(&call.body, "name") {
        doc["basename"] = json!(n.rsplit('/').next().unwrap_or(&n));
    }
    doc["last_update"] = json!(now());
    call.store.put(Coll::Projects, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

fn project_ids_with_children(store: &Store, id: &str) -> Result<Vec<String>, ApiError> {
    let doc = store
        .get(Coll::Projects, id)?
        .ok_or_else(|| ApiError::invalid_project(id))?;
    let name = doc["name"].as_str().unwrap_or_default();
    let mut ids = vec![id.to_string()];
    ids.extend(
        sub_projects(store, name)?
            .into_iter()
            .filter_map(|p| p["id"].as_str().map(str::to_string)),
    );
    Ok(ids)
}

fn validate_delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let ids = project_ids_with_children(call.store, &id)?;
    let mut tasks = 0;
    let mut models = 0;
    for p in &ids {
        tasks += call
            .store
            .count(Coll::Tasks, &SqlFilter::default().eq("project", p))?;
        models += call
            .store
            .count(Coll::Models, &SqlFilter::default().eq("project", p))?;
    }
    Ok(
        json!({"tasks": tasks, "non_archived_tasks": tasks, "models": models, "non_archived_models": models}),
    )
}

fn delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let ids = project_ids_with_children(call.store, &id)?;
    let delete_contents = opt_bool(&call.body, "delete_contents");
    let force = opt_bool(&call.body, "force");
    call.store.tx(|store| {
        let mut deleted_tasks = 0;
        let mut deleted_models = 0;
        let mut disassociated = 0;
        for p in &ids {
            let tasks = store.count(Coll::Tasks, &SqlFilter::default().eq("project", p))?;
            if tasks > 0 && !delete_contents && !force {
                return Err(ApiError::new(400, 402, format!("Project has associated tasks (use force=true to delete): id={p}, tasks={tasks}")));
            }
            for coll in [Coll::Tasks, Coll::Models] {
                let docs = store.select_all(coll, &SqlFilter::default().eq("project", p))?;
                for mut d in docs {
                    let did = d["id"].as_str().unwrap_or_default().to_string();
                    if delete_contents {
                        store.delete(coll, &did)?;
                        if coll == Coll::Tasks {
                            store.delete_task_events(&did)?;
                            deleted_tasks += 1;
                        } else {
                            deleted_models += 1;
                        }
                    } else {
                        d["project"] = Value::Null;
                        store.put(coll, &d)?;
                        disassociated += 1;
                    }
                }
            }
            store.delete(Coll::Projects, p)?;
        }
        Ok(json!({"deleted": ids.len(), "disassociated_tasks": disassociated, "deleted_tasks": deleted_tasks, "deleted_models": deleted_models, "urls": {}}))
    })
}

fn unique_metric_variants(call: &mut Call) -> ApiResult {
    let mut f = SqlFilter::default();
    let projects = id_list(&call.body, "project");
    if !projects.is_empty() {
        add_list_filter(&mut f, "project", &json!(projects));
    }
    let docs = call.store.select_all(Coll::Tasks, &f)?;
    let mut seen = std::collections::BTreeMap::new();
    for d in docs {
        for (mh, vars) in d["last_metrics"].as_object().into_iter().flatten() {
            for (vh, e) in vars.as_object().into_iter().flatten() {
                seen.insert((mh.clone(), vh.clone()), json!({
                    "metric": e["metric"], "variant": e["variant"], "metric_hash": mh, "variant_hash": vh,
                }));
            }
        }
    }
    Ok(json!({"metrics": seen.into_values().collect::<Vec<_>>()}))
}

fn hyper_parameters(call: &mut Call) -> ApiResult {
    let mut f = SqlFilter::default();
    let projects = id_list(&call.body, "projects");
    let projects = if projects.is_empty() {
        id_list(&call.body, "project")
    } else {
        projects
    };
    if !projects.is_empty() {
        add_list_filter(&mut f, "project", &json!(projects));
    }
    let docs = call.store.select_all(Coll::Tasks, &f)?;
    let mut seen = std::collections::BTreeSet::new();
    for d in docs {
        for (s, params) in d["hyperparams"].as_object().into_iter().flatten() {
            for name in params.as_object().into_iter().flatten().map(|(k, _)| k) {
                seen.insert((s.clone(), name.clone()));
            }
        }
    }
    let list: Vec<Value> = seen
        .into_iter()
        .map(|(s, n)| json!({"section": s, "name": n}))
        .collect();
    Ok(json!({"total": list.len(), "remaining": 0, "parameters": list}))
}

fn tags(call: &mut Call, coll: Coll) -> ApiResult {
    let docs = call.store.select_all(coll, &SqlFilter::default())?;
    let mut tags = std::collections::BTreeSet::new();
    let mut sys = std::collections::BTreeSet::new();
    for d in docs {
        tags.extend(
            d["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string)),
        );
        sys.extend(
            d["system_tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string)),
        );
    }
    Ok(json!({"tags": tags, "system_tags": sys}))
}
