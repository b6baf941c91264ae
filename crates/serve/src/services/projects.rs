//! `projects.*`: projects are full paths (`parent/child`); creating one creates its
//! missing parents.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::query::add_list_filter;
use super::super::store::{Coll, SqlFilter, Store};
use super::shared::project::{ensure, find_by_name, put_project, with_subprojects};
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
        "get_task_tags" | "get_model_tags" => tags(
            call,
            if action == "get_task_tags" {
                Coll::Tasks
            } else {
                Coll::Models
            },
        ),
        "get_task_parents" => task_parents(call),
        "merge" | "move" => return super::projects_move::dispatch(call, action),
        _ => return None,
    })
}

/// `projects.get_task_parents`: the distinct parents of the tasks in `projects` (with their
/// sub-projects unless `include_subprojects` is false; all tasks when none are given),
/// optionally only of active or archived tasks (`tasks_state`) and only parents whose name
/// matches `task_name`; sorted by name, each `{id, name[, project: {id, name}]}`.
fn task_parents(call: &mut Call) -> ApiResult {
    let mut query = json!({"only_fields": ["parent"], "search_hidden": true});
    let projects = id_list(&call.body, "projects");
    if !projects.is_empty() {
        query["project"] = json!(projects);
        if call
            .body
            .get("include_subprojects")
            .and_then(Value::as_bool)
            .unwrap_or(true)
        {
            with_subprojects(call.store, &mut query)?;
        }
    }
    match opt_str(&call.body, "tasks_state").as_deref() {
        Some("archived") => query["system_tags"] = json!(["archived"]),
        Some("active") => query["system_tags"] = json!(["-archived"]),
        _ => {}
    }
    let parents: std::collections::BTreeSet<String> =
        super::select_all(call.store, Coll::Tasks, &query)?
            .iter()
            .filter_map(|t| {
                t["parent"]
                    .as_str()
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
            })
            .collect();
    if parents.is_empty() {
        return Ok(json!({"parents": []}));
    }
    let mut pq = json!({"id": parents, "only_fields": ["id", "name", "project"]});
    if let Some(n) = opt_str(&call.body, "task_name").filter(|n| !n.is_empty()) {
        pq["name"] = json!(n);
    }
    let mut out = super::select_all(call.store, Coll::Tasks, &pq)?;
    for p in out.iter_mut() {
        match p["project"].as_str().map(str::to_string) {
            Some(pid) => {
                let name = call
                    .store
                    .get(Coll::Projects, &pid)?
                    .map(|d| d["name"].clone())
                    .unwrap_or(Value::Null);
                p["project"] = json!({"id": pid, "name": name});
            }
            None => {
                if let Some(o) = p.as_object_mut() {
                    o.remove("project");
                }
            }
        }
    }
    out.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Ok(json!({"parents": out}))
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
    // bll/project/sub_projects.py:101-123 (_get_writable_project_from_name), called for the
    // name (project_bll.py:231) and for each parent it ensures (sub_projects.py:53): a public
    // project (`company` empty, after make_public) of that name refuses the create.
    let mut prefix = String::new();
    for part in name.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if find_by_name(call.store, &prefix)?.is_some_and(|p| p["company"] == "") {
            return Err(ApiError::new(
                400,
                414,
                format!(
                    "Cannot create project. Public project with the same name already exists: name={prefix}"
                ),
            ));
        }
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
    use super::projects_ex as x;
    // Taken, not copied: an id list can be a hundred megabytes parsed.
    let mut body = std::mem::take(&mut call.body);
    let kind = if ex { x::children_type(&body)? } else { None };
    // shallow_search: only the direct children of `parent` (or top-level projects);
    // otherwise `parent` is any project above.
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
    } else if let Some(below) = x::below_parents(call.store, &mut body)? {
        extra.and(below);
    }
    let selected = match kind {
        Some(k) => {
            let selected = x::select_by_children(call.store, &mut body, k)?;
            if selected.is_empty() {
                return Ok(json!({"projects": []}));
            }
            Some(selected)
        }
        None => None,
    };
    let (mut docs, scroll) = get_all(
        call.state,
        call.store,
        Coll::Projects,
        &body,
        true,
        Some(extra),
    )?;
    if ex && !docs.is_empty() {
        if opt_bool(&body, "check_own_contents") {
            let (filter_, _) = x::stats_filter(&body, kind);
            x::own_contents(call.store, &mut docs, &filter_, kind)?;
        }
        if opt_bool(&body, "include_stats") {
            x::add_stats(call.store, &body, &mut docs, kind, selected.as_deref())?;
        } else {
            for d in docs.iter_mut() {
                let Some(name) = d.get("name").and_then(Value::as_str).map(str::to_string) else {
                    continue;
                };
                d["sub_projects"] = json!(sub_projects(call.store, &name)?);
            }
        }
        if opt_bool(&body, "include_dataset_stats") {
            x::add_dataset_stats(call.store, &mut docs)?;
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
    // Given back (moved, not copied): `ex_joins` reads `only_fields` after the handler.
    call.body = body;
    Ok(out)
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
    let mut renamed_from = None;
    if let Some(n) = call.body.get("name").filter(|n| !n.is_null()) {
        let new_name = rename_checked(call.store, &doc, n)?;
        renamed_from = Some(doc.clone());
        doc["name"] = json!(new_name);
        doc["basename"] = json!(new_name.rsplit('/').next().unwrap_or(&new_name));
        fields.insert("name".into(), json!(new_name));
    }
    for k in [
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
    doc["last_update"] = json!(now());
    put_project(call.store, &doc)?;
    // Sub-projects after the project: each finds the one above it by its new name.
    if let Some(old) = renamed_from {
        rename_children(call.store, &old, doc["name"].as_str().unwrap_or_default())?;
    }
    Ok(json!({"updated": 1, "fields": fields}))
}

/// A project path without empty parts (`a//b/` is `a/b`), as the real server cleans it;
/// nothing left is 400/407.
fn clean_name(given: &str) -> Result<String, ApiError> {
    let parts: Vec<&str> = given
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::trim)
        .collect();
    if parts.is_empty() {
        return Err(ApiError::new(
            400,
            407,
            format!("Invalid project name: name={given}"),
        ));
    }
    Ok(parts.join("/"))
}

/// The new name of `doc` for `projects.update`: same location only (400/408), a
/// basename of 3 characters at least (400/12), and no other project of that name (400/801).
fn rename_checked(store: &Store, doc: &Value, given: &Value) -> Result<String, ApiError> {
    let Some(given) = given.as_str() else {
        return Err(ApiError::validation(format!(
            "name={given}: must be a string"
        )));
    };
    let new_name = clean_name(given)?;
    let old_name = doc["name"].as_str().unwrap_or_default();
    let location = |n: &str| {
        n.rsplit_once('/')
            .map_or(String::new(), |(l, _)| l.to_string())
    };
    if location(&new_name) != location(old_name) {
        return Err(ApiError::new(
            400,
            408,
            format!("Cannot update project location. Use projects.move instead: name={new_name}"),
        ));
    }
    if new_name
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim()
        .chars()
        .count()
        < 3
    {
        return Err(ApiError::validation("Project name cannot be blank"));
    }
    if new_name != old_name
        && let Some(other) = find_by_name(store, &new_name)?
        && other["id"] != doc["id"]
    {
        return Err(ApiError::new(
            400,
            801,
            format!(
                "Value combination already exists (unique field already contains this value): name={new_name}"
            ),
        ));
    }
    Ok(new_name)
}

/// Sub-projects follow a renamed project (`old/x` becomes `new/x`).
fn rename_children(store: &Store, doc: &Value, new_name: &str) -> Result<(), ApiError> {
    let old_name = doc["name"].as_str().unwrap_or_default();
    if old_name == new_name {
        return Ok(());
    }
    for found in sub_projects(store, old_name)? {
        let Some(mut child) =
            store.get(Coll::Projects, found["id"].as_str().unwrap_or_default())?
        else {
            continue;
        };
        let Some(rest) = child["name"]
            .as_str()
            .and_then(|n| n.strip_prefix(old_name))
            .and_then(|r| r.strip_prefix('/'))
            .map(str::to_string)
        else {
            continue;
        };
        child["name"] = json!(format!("{new_name}/{rest}"));
        put_project(store, &child)?;
    }
    Ok(())
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

/// What deleting a project would touch, counted as the real server counts it: pipeline
/// and dataset sub-projects apart (those with live runs or versions), reports apart from
/// tasks, and each also without the archived ones.
fn validate_delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let ids = project_ids_with_children(call.store, &id)?;
    let has = |d: &Value, tag: &str| {
        d["system_tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == tag))
    };
    let (mut pipelines, mut datasets) = (0, 0);
    let mut plain = Vec::new();
    for p in &ids {
        let Some(doc) = call.store.get(Coll::Projects, p)? else {
            continue;
        };
        let basename = doc["basename"].as_str().unwrap_or_default();
        let kind = if has(&doc, "pipeline") && basename != ".pipelines" {
            "pipeline"
        } else if has(&doc, "dataset") && basename != ".datasets" {
            "dataset"
        } else {
            ""
        };
        if kind.is_empty() {
            plain.push(p.clone());
            continue;
        }
        let live = call
            .store
            .select_all(Coll::Tasks, &SqlFilter::default().eq("project", p))?
            .iter()
            .any(|t| !has(t, "archived") && (kind == "dataset" || t["type"] == "controller"));
        if live && kind == "pipeline" {
            pipelines += 1;
        } else if live {
            datasets += 1;
        }
    }
    let mut counts = [0usize; 6];
    for p in &plain {
        for t in call
            .store
            .select_all(Coll::Tasks, &SqlFilter::default().eq("project", p))?
        {
            let base = if has(&t, "reports") { 4 } else { 0 };
            counts[base] += 1;
            if !has(&t, "archived") {
                counts[base + 1] += 1;
            }
        }
        for m in call
            .store
            .select_all(Coll::Models, &SqlFilter::default().eq("project", p))?
        {
            counts[2] += 1;
            if !has(&m, "archived") {
                counts[3] += 1;
            }
        }
    }
    Ok(json!({
        "tasks": counts[0], "non_archived_tasks": counts[1],
        "models": counts[2], "non_archived_models": counts[3],
        "reports": counts[4], "non_archived_reports": counts[5],
        "pipelines": pipelines, "datasets": datasets,
    }))
}

/// The ids of the pipeline and of the dataset projects among `ids` (tagged so, not the
/// `.pipelines` / `.datasets` hubs), as project_cleanup.py `_get_child_project_ids`.
fn pipeline_and_dataset_ids(
    store: &Store,
    ids: &[String],
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let (mut pipelines, mut datasets) = (Vec::new(), Vec::new());
    for id in ids {
        let Some(doc) = store.get(Coll::Projects, id)? else {
            continue;
        };
        let tagged = |tag: &str| {
            doc["system_tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == tag))
        };
        let basename = doc["basename"].as_str().unwrap_or_default();
        if tagged("pipeline") && basename != ".pipelines" {
            pipelines.push(id.clone());
        }
        if tagged("dataset") && basename != ".datasets" {
            datasets.push(id.clone());
        }
    }
    Ok((pipelines, datasets))
}

/// Without `force`, what project_cleanup.py `delete_project` refuses: a pipeline
/// sub-project with a non-archived controller (400/413), a dataset sub-project with a
/// non-archived version (400/406), non-archived tasks (400/402) or models (400/405) in the
/// other projects. Archived contents never block.
fn check_deletable(store: &Store, project: &str, ids: &[String]) -> Result<(), ApiError> {
    let (pipelines, datasets) = pipeline_and_dataset_ids(store, ids)?;
    let active = |coll: Coll, in_projects: &[String], extra: Value| -> Result<bool, ApiError> {
        if in_projects.is_empty() {
            return Ok(false);
        }
        let mut q = json!({"project": in_projects, "system_tags": ["-archived"],
            "search_hidden": true});
        super::merge_top(&mut q, &extra, &[]);
        let filter = super::query::build_filter(&q, true)?;
        Ok(store.count(coll, &filter)? > 0)
    };
    let refuse = |sub: u32, what: &str, how: &str| {
        ApiError::new(
            400,
            sub,
            format!("Project has associated {what} ({how}): id={project}"),
        )
    };
    if active(Coll::Tasks, &pipelines, json!({"type": ["controller"]}))? {
        return Err(refuse(
            413,
            "pipelines with active controllers",
            "please archive all the controllers or use force=true",
        ));
    }
    if active(Coll::Tasks, &datasets, json!({}))? {
        return Err(refuse(
            406,
            "non-empty datasets",
            "please delete all the dataset versions or use force=true",
        ));
    }
    let regular: Vec<String> = ids
        .iter()
        .filter(|i| !pipelines.contains(i) && !datasets.contains(i))
        .cloned()
        .collect();
    if active(Coll::Tasks, &regular, json!({}))? {
        return Err(refuse(402, "tasks", "use force=true"));
    }
    if active(Coll::Models, &regular, json!({}))? {
        return Err(refuse(405, "models", "use force=true"));
    }
    Ok(())
}

fn delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let ids = project_ids_with_children(call.store, &id)?;
    let delete_contents = opt_bool(&call.body, "delete_contents");
    let force = opt_bool(&call.body, "force");
    call.store.tx(|store| {
        if !force {
            check_deletable(store, &id, &ids)?;
        }
        let mut deleted_tasks = 0;
        let mut deleted_models = 0;
        let mut disassociated = 0;
        let (mut model_urls, mut artifact_urls) = (Vec::new(), Vec::new());
        for p in &ids {
            for coll in [Coll::Tasks, Coll::Models] {
                let docs = store.select_all(coll, &SqlFilter::default().eq("project", p))?;
                for mut d in docs {
                    let did = d["id"].as_str().unwrap_or_default().to_string();
                    if delete_contents {
                        collect_urls(coll, &d, &mut model_urls, &mut artifact_urls);
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
                        // project_cleanup.py counts only the tasks as disassociated.
                        if coll == Coll::Tasks {
                            disassociated += 1;
                        }
                    }
                }
            }
            store.delete(Coll::Projects, p)?;
        }
        Ok(json!({"deleted": ids.len(), "disassociated_tasks": disassociated, "deleted_tasks": deleted_tasks, "deleted_models": deleted_models,
            "urls": {"model_urls": model_urls, "artifact_urls": artifact_urls, "event_urls": []}}))
    })
}

/// The file URLs of a project's deleted contents (bll/project/project_cleanup.py:186-209,
/// 245-253, 318): each model's `uri`, and each task's output artifacts' `uri`, once each.
/// Event URLs are not answered any more (`event_urls` stays empty).
fn collect_urls(coll: Coll, doc: &Value, models: &mut Vec<Value>, artifacts: &mut Vec<Value>) {
    let add = |list: &mut Vec<Value>, uri: &Value| {
        if uri.as_str().is_some_and(|u| !u.is_empty()) && !list.contains(uri) {
            list.push(uri.clone());
        }
    };
    if coll == Coll::Models {
        add(models, &doc["uri"]);
        return;
    }
    for a in doc["execution"]["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if a["mode"] != "input" {
            add(artifacts, &a["uri"]);
        }
    }
}

/// `projects.get_task_tags` / `get_model_tags`: the distinct tags of the tasks (models)
/// passing `filter`, in `projects` and their sub-projects when given; system tags with
/// `include_system` (bll/organization OrgBLL.get_tags, tags_cache.py `_get_tags_from_db`).
fn tags(call: &mut Call, coll: Coll) -> ApiResult {
    use super::shared::tags::{distinct_tags, tags_answer, tags_filter};
    let include_system = opt_bool(&call.body, "include_system");
    let mut filter = tags_filter(&call.body);
    let projects = id_list(&call.body, "projects");
    if !projects.is_empty() {
        let mut q = json!({"project": projects});
        with_subprojects(call.store, &mut q)?;
        add_list_filter(&mut filter, "project", &q["project"]);
    }
    let (tags, system) = distinct_tags(call.store, coll, &filter, include_system)?;
    Ok(tags_answer(tags, system, include_system))
}
