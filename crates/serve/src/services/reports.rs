//! `reports.*`: a report is a task of type `report` with system tags `reports` and
//! `hidden`, kept in a hidden `.reports` sub-project of the project it belongs to (created
//! on demand, removed when its last report goes), as on the real server.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, SqlFilter};
use super::{id_list, now, opt_bool, opt_str, req_str, sub_call};
use serde_json::{Map, Value, json};

const REPORTS_PROJECT: &str = ".reports";
const REPORTS_TAG: &str = "reports";
/// Fields `reports.update` changes; only the first three once a report is published.
const UPDATE_FIELDS: &[&str] = &["name", "tags", "comment", "report", "report_assets"];
const PUBLISHED_UPDATABLE: &[&str] = &["name", "tags", "comment"];

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "update" => update(call),
        "move" => move_report(call),
        "publish" => publish(call),
        "archive" => set_archived(call, true),
        "unarchive" => set_archived(call, false),
        "delete" => delete(call),
        "get_all_ex" => get_all_ex(call),
        "get_task_data" => get_task_data(call),
        "get_tags" => get_tags(call),
        _ => return None,
    })
}

/// The task `id`, which must be a report (400/150 otherwise).
fn load_report(call: &Call, id: &str) -> Result<Value, ApiError> {
    let doc = super::shared::task::load(call.store, id)?;
    if doc["type"] != "report" {
        return Err(ApiError::new(
            400,
            150,
            format!("Passed task is not report: id={id}"),
        ));
    }
    Ok(doc)
}

fn project_name(call: &Call, id: Option<&str>) -> Result<String, ApiError> {
    match id.filter(|p| !p.is_empty()) {
        None => Ok(String::new()),
        Some(p) => call
            .store
            .get(Coll::Projects, p)?
            .ok_or_else(|| ApiError::invalid_project(p))
            .map(|d| d["name"].as_str().unwrap_or_default().to_string()),
    }
}

/// The `.reports` project under `name` (or `name` itself when it is one), created hidden
/// when missing.
fn ensure_reports_project(call: &Call, name: &str) -> Result<String, ApiError> {
    let name = name.trim_matches('/');
    let full = if name.rsplit('/').next() == Some(REPORTS_PROJECT) {
        name.to_string()
    } else if name.is_empty() {
        REPORTS_PROJECT.to_string()
    } else {
        format!("{name}/{REPORTS_PROJECT}")
    };
    if let Some(p) = super::shared::project::find_by_name(call.store, &full)? {
        return Ok(p["id"].as_str().unwrap_or_default().to_string());
    }
    super::shared::project::ensure(
        call,
        &full,
        &json!({"description": "Reports project", "system_tags": [REPORTS_TAG, "hidden"]}),
    )
}

fn delete_reports_project_if_empty(call: &Call, project: Option<&str>) -> Result<(), ApiError> {
    let Some(id) = project.filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let Some(p) = call.store.get(Coll::Projects, id)? else {
        return Ok(());
    };
    let is_reports = p["name"].as_str().and_then(|n| n.rsplit('/').next()) == Some(REPORTS_PROJECT);
    if is_reports
        && call
            .store
            .count(Coll::Tasks, &SqlFilter::default().eq("project", id))?
            == 0
    {
        call.store.delete(Coll::Projects, id)?;
    }
    Ok(())
}

fn check_name(body: &Value) -> Result<(), ApiError> {
    if let Some(n) = body.get("name").filter(|n| !n.is_null()) {
        let n = n.as_str().unwrap_or_default();
        if n.chars().count() < 3 {
            return Err(ApiError::validation(format!(
                "name={n}: String value is too short"
            )));
        }
    }
    Ok(())
}

fn create(call: &mut Call) -> ApiResult {
    let name = req_str(&call.body, "name")?;
    check_name(&call.body)?;
    let parent = project_name(call, opt_str(&call.body, "project").as_deref())?;
    let project = ensure_reports_project(call, &parent)?;
    let mut task = json!({"name": name, "type": "training", "project": project});
    for f in ["tags", "comment"] {
        if let Some(v) = call.body.get(f).filter(|v| !v.is_null()) {
            task[f] = v.clone();
        }
    }
    let created = sub_call(call, "tasks.create", task)?;
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let mut doc = super::shared::task::load(call.store, &id)?;
    doc["type"] = json!("report");
    doc["system_tags"] = json!([REPORTS_TAG, "hidden"]);
    for f in ["report", "report_assets"] {
        if let Some(v) = call.body.get(f).filter(|v| !v.is_null()) {
            doc[f] = v.clone();
        }
    }
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"id": id, "project_id": project}))
}

fn update(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    check_name(&call.body)?;
    let mut doc = load_report(call, &id)?;
    let mut fields = Map::new();
    for f in UPDATE_FIELDS {
        if let Some(v) = call.body.get(*f) {
            fields.insert(f.to_string(), v.clone());
        }
    }
    if fields.is_empty() {
        return Ok(json!({"updated": 0}));
    }
    let status = doc["status"].as_str().unwrap_or("created").to_string();
    if status != "created"
        && !fields
            .keys()
            .all(|k| PUBLISHED_UPDATABLE.contains(&k.as_str()))
    {
        return Err(ApiError::invalid_status(format!(
            "expected=created, status={status}"
        )));
    }
    for (k, v) in &fields {
        doc[k.as_str()] = v.clone();
    }
    super::shared::task::touch(&mut doc);
    doc["last_changed_by"] = json!(call.identity.user);
    call.store.put(Coll::Tasks, &doc)?;
    // As the real server answers: tags sorted, a long report text shortened.
    if let Some(Value::Array(tags)) = fields.get_mut("tags") {
        tags.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    if let Some(Value::String(text)) = fields.get_mut("report")
        && text.chars().count() > 100
    {
        *text = format!(
            "{} [...]",
            text.chars().take(94).collect::<String>().trim_end()
        );
    }
    Ok(json!({"updated": 1, "fields": fields}))
}

fn move_report(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let to_name = opt_str(&call.body, "project_name").filter(|n| !n.is_empty());
    if call.body.get("project").is_none() && to_name.is_none() {
        return Err(ApiError::new(
            400,
            11,
            "Missing required fields (project or project_name is required)",
        ));
    }
    let mut doc = load_report(call, &id)?;
    let name = match to_name {
        Some(n) => n,
        None => project_name(call, opt_str(&call.body, "project").as_deref())?,
    };
    let project = ensure_reports_project(call, &name)?;
    let old = doc["project"].as_str().map(str::to_string);
    doc["project"] = json!(project);
    super::shared::task::touch(&mut doc);
    call.store.put(Coll::Tasks, &doc)?;
    if old.as_deref() != Some(project.as_str()) {
        delete_reports_project_if_empty(call, old.as_deref())?;
    }
    Ok(json!({"project_id": project}))
}

fn publish(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load_report(call, &id)?;
    let body = json!({"status_message": opt_str(&call.body, "message").unwrap_or_default()});
    let fields = super::shared::task::change_status(&mut doc, "published", true, &body)?;
    call.store.put(Coll::Tasks, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

fn set_archived(call: &mut Call, archive: bool) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let mut doc = load_report(call, &id)?;
    let mut tags: Vec<Value> = doc["system_tags"].as_array().cloned().unwrap_or_default();
    let had = tags.iter().any(|t| t == "archived");
    if archive && !had {
        tags.push(json!("archived"));
    } else if !archive {
        tags.retain(|t| t != "archived");
    }
    doc["system_tags"] = json!(tags);
    doc["status_message"] = json!(opt_str(&call.body, "message").unwrap_or_default());
    doc["status_reason"] = json!("");
    doc["last_change"] = json!(now());
    doc["last_changed_by"] = json!(call.identity.user);
    call.store.put(Coll::Tasks, &doc)?;
    Ok(if archive {
        json!({"archived": 1})
    } else {
        json!({"unarchived": 1})
    })
}

fn delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "task")?;
    let doc = load_report(call, &id)?;
    super::shared::task_cleanup::check_deletable(&doc, opt_bool(&call.body, "force"))?;
    call.store.delete(Coll::Tasks, &id)?;
    delete_reports_project_if_empty(call, doc["project"].as_str())?;
    Ok(json!({"deleted": 1}))
}

/// The ids of `.reports` projects that are, or are directly under, `projects`.
fn reports_projects_of(call: &Call, projects: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for p in projects {
        let Some(doc) = call.store.get(Coll::Projects, p)? else {
            continue;
        };
        let name = doc["name"].as_str().unwrap_or_default();
        let candidate = if name.rsplit('/').next() == Some(REPORTS_PROJECT) {
            name.to_string()
        } else {
            format!("{name}/{REPORTS_PROJECT}")
        };
        if let Some(r) = super::shared::project::find_by_name(call.store, &candidate)? {
            out.extend(r["id"].as_str().map(str::to_string));
        }
    }
    Ok(out)
}

fn get_all_ex(call: &mut Call) -> ApiResult {
    let mut body = call.body.clone();
    body["type"] = json!(["report"]);
    body["search_hidden"] = json!(true);
    if body.get("project").is_some_and(|p| !p.is_null()) {
        let mut ids = reports_projects_of(call, &id_list(&body, "project"))?;
        // services/reports.py:190 (get_all_ex): `parent__in=[None]` matches top-level
        // projects, so a null among the projects means the root `.reports` project.
        if body["project"]
            .as_array()
            .is_some_and(|a| a.contains(&Value::Null))
        {
            let root = super::shared::project::find_by_name(call.store, REPORTS_PROJECT)?;
            ids.extend(root.and_then(|r| r["id"].as_str().map(str::to_string)));
        }
        if ids.is_empty() {
            return Ok(json!({"tasks": []}));
        }
        body["project"] = json!(ids);
        body.as_object_mut()
            .map(|b| b.remove("include_subprojects"));
    }
    sub_call(call, "tasks.get_all_ex", body)
}

/// The tasks a report shows (any tasks, by a get_all query) and, when asked, their
/// events, each from the events endpoint that serves the same data.
fn get_task_data(call: &mut Call) -> ApiResult {
    let body = call.body.clone();
    let model_events = opt_bool(&body, "model_events");
    let listing = if model_events {
        "models.get_all_ex"
    } else {
        "tasks.get_all_ex"
    };
    let mut query = body.clone();
    if let Some(q) = query.as_object_mut() {
        for k in [
            "debug_images",
            "plots",
            "scalar_metrics_iter_histogram",
            "single_value_metrics",
            "model_events",
        ] {
            q.remove(k);
        }
    }
    let mut out = sub_call(call, listing, query)?;
    let key = if model_events { "models" } else { "tasks" };
    let docs = out
        .as_object_mut()
        .and_then(|o| o.remove(key))
        .unwrap_or(json!([]));
    let ids: Vec<Value> = docs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("id").cloned())
        .collect();
    out["tasks"] = docs;
    if let Some(req) = body
        .get("scalar_metrics_iter_histogram")
        .filter(|v| v.is_object())
    {
        let mut q = req.clone();
        q["tasks"] = json!(ids);
        q["model_events"] = json!(model_events);
        // services/reports.py get_task_data puts the comparison itself here, not the
        // events endpoint's `{"metrics": …}` envelope.
        out["scalar_metrics_iter_histogram"] =
            sub_call(call, "events.multi_task_scalar_metrics_iter_histogram", q)?
                .get_mut("metrics")
                .map(Value::take)
                .unwrap_or(json!({}));
    }
    if let Some(req) = body.get("plots").filter(|v| v.is_object()) {
        let mut q = req.clone();
        q["tasks"] = json!(ids);
        q["model_events"] = json!(model_events);
        out["plots"] = sub_call(call, "events.get_multi_task_plots", q)?
            .get("plots")
            .cloned()
            .unwrap_or(json!({}));
    }
    if let Some(req) = body.get("debug_images").filter(|v| v.is_object()) {
        let metrics: Vec<Value> = ids
            .iter()
            .map(|t| json!({"task": t, "metric": req.pointer("/metrics/0/metric").cloned().unwrap_or(Value::Null)}))
            .collect();
        let q = json!({"metrics": metrics, "iters": req.get("iters").cloned().unwrap_or(json!(1)), "model_events": model_events});
        out["debug_images"] = sub_call(call, "events.debug_images", q)?
            .get("metrics")
            .cloned()
            .unwrap_or(json!([]));
    }
    if body
        .get("single_value_metrics")
        .is_some_and(|v| !v.is_null())
    {
        let q = json!({"tasks": ids, "model_events": model_events});
        out["single_value_metrics"] = sub_call(call, "events.get_task_single_value_metrics", q)?
            .get("tasks")
            .cloned()
            .unwrap_or(json!([]));
    }
    Ok(out)
}

fn get_tags(call: &mut Call) -> ApiResult {
    let mut filter = SqlFilter::default().eq("type", "report");
    let extra = super::shared::tags::tags_filter(&call.body);
    filter.and(extra);
    let (tags, _) = super::shared::tags::distinct_tags(call.store, Coll::Tasks, &filter, false)?;
    Ok(json!({"tags": tags}))
}
