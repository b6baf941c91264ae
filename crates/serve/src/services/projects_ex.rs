//! What `projects.get_all_ex` adds to the generic listing, after the real server's
//! services/projects.py `get_all_ex` and bll/project/project_bll.py: only projects holding
//! children of a type (`children_type`, `children_tags(_filter)`), own contents
//! (`check_own_contents`), task statistics over each project and its sub-projects
//! (`include_stats`, one SQL aggregate in the store) and dataset statistics
//! (`include_dataset_stats`).

use super::super::envelope::ApiError;
use super::super::query;
use super::super::store::{Coll, CountBy, SqlFilter, Store};
use super::shared::project::find_by_name;
use super::{id_list, opt_bool};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};

/// The statuses the real server counts in `stats.active.status_count`.
const COUNTED_STATUSES: [&str; 10] = [
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
];

/// The `children_type` of a request, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildrenType {
    Dataset,
    Pipeline,
    Report,
}

pub fn children_type(body: &Value) -> Result<Option<ChildrenType>, ApiError> {
    Ok(match body.get("children_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "dataset" => Some(ChildrenType::Dataset),
        Some(Value::String(s)) if s == "pipeline" => Some(ChildrenType::Pipeline),
        Some(Value::String(s)) if s == "report" => Some(ChildrenType::Report),
        Some(other) => {
            return Err(ApiError::validation(format!(
                "children_type={other}: must be one of dataset, pipeline, report"
            )));
        }
    })
}

/// A get_all style query body for `filter_` entries as the real server's
/// `get_match_conditions` reads them: a list is a list-field filter, a dict a `filters` entry.
fn query_of(filter_: &Map<String, Value>) -> Value {
    let mut q = json!({"search_hidden": true});
    for (k, v) in filter_ {
        if v.is_object() {
            q["filters"][k] = v.clone();
        } else {
            q[k] = v.clone();
        }
    }
    q
}

/// `children_tags_filter` (a dict) or else `children_tags` (a list) as a `filter_` entry.
fn children_tags(body: &Value) -> Map<String, Value> {
    let mut f = Map::new();
    if let Some(d) = body.get("children_tags_filter").filter(|d| d.is_object()) {
        f.insert("tags".into(), d.clone());
    } else if let Some(l) = body
        .get("children_tags")
        .filter(|l| l.as_array().is_some_and(|a| !a.is_empty()))
    {
        f.insert("tags".into(), l.clone());
    }
    f
}

/// The filter the statistics and own contents apply to a project's children, and whether
/// hidden sub-projects count (services/projects.py `_get_project_stats_filter`).
pub fn stats_filter(body: &Value, kind: Option<ChildrenType>) -> (Map<String, Value>, bool) {
    let search_hidden = opt_bool(body, "search_hidden");
    if let Some(f) = body.get("include_stats_filter").and_then(Value::as_object) {
        return (f.clone(), search_hidden);
    }
    let Some(kind) = kind else {
        return (Map::new(), search_hidden);
    };
    let mut f = children_tags(body);
    match kind {
        ChildrenType::Pipeline => {
            f.insert("system_tags".into(), json!(["pipeline"]));
            f.insert("type".into(), json!(["controller"]));
            (f, true)
        }
        ChildrenType::Report => {
            f.insert("system_tags".into(), json!(["reports"]));
            f.insert("type".into(), json!(["report"]));
            (f, true)
        }
        ChildrenType::Dataset => (f, search_hidden),
    }
}

fn ids_of(docs: &[Value]) -> Vec<String> {
    docs.iter()
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .collect()
}

/// `ids` and the ids of every project below them.
fn with_children(store: &Store, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let mut all: BTreeSet<String> = ids.iter().cloned().collect();
    for id in ids {
        if let Some(p) = store.get(Coll::Projects, id)? {
            let name = p["name"].as_str().unwrap_or_default();
            all.extend(store.project_ids_with_prefix(&format!("{name}/"))?);
        }
    }
    Ok(all.into_iter().collect())
}

/// `ids` and the ids of every project above them.
fn with_parents(store: &Store, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let mut all: BTreeSet<String> = ids.iter().cloned().collect();
    for id in ids {
        let Some(p) = store.get(Coll::Projects, id)? else {
            continue;
        };
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let mut above = name.as_str();
        while let Some((up, _)) = above.rsplit_once('/') {
            if let Some(doc) = find_by_name(store, up)? {
                all.extend(doc["id"].as_str().map(str::to_string));
            }
            above = up;
        }
    }
    Ok(all.into_iter().collect())
}

/// `children_type`: the projects holding such children (dataset or pipeline sub-projects,
/// report tasks), with every project above them, narrowed to the requested `id`s
/// (project_bll.py `get_projects_with_selected_children`). Sets `id` in `body` to them and
/// returns all selected ids (the sub-projects the statistics may count); an empty answer
/// means nothing matches.
pub fn select_by_children(
    store: &Store,
    body: &mut Value,
    kind: ChildrenType,
) -> Result<Vec<String>, ApiError> {
    let requested = id_list(body, "id");
    let scope = if requested.is_empty() {
        None
    } else {
        Some(with_children(store, &requested)?)
    };
    let mut q = query_of(&children_tags(body));
    let found: Vec<String> = match kind {
        ChildrenType::Dataset | ChildrenType::Pipeline => {
            let (tag, hub) = if kind == ChildrenType::Dataset {
                ("dataset", ".datasets")
            } else {
                ("pipeline", ".pipelines")
            };
            q["system_tags"] = json!([tag]);
            if let Some(s) = &scope {
                q["parent"] = json!(s);
            }
            let filter = query::build_filter(&q, true)?;
            let docs = store.select_all(Coll::Projects, &filter)?;
            let docs: Vec<Value> = docs
                .into_iter()
                .filter(|p| p["basename"].as_str() != Some(hub))
                .collect();
            ids_of(&docs)
        }
        ChildrenType::Report => {
            q["system_tags"] = json!(["reports"]);
            if let Some(s) = &scope {
                q["project"] = json!(s);
            }
            let filter = query::build_filter(&q, true)?;
            store
                .count_by(Coll::Tasks, &filter, CountBy::Project)?
                .into_keys()
                .collect()
        }
    };
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let selected = with_parents(store, &found)?;
    let shown: Vec<String> = if requested.is_empty() {
        selected.clone()
    } else {
        selected
            .iter()
            .filter(|id| requested.contains(id))
            .cloned()
            .collect()
    };
    if shown.is_empty() {
        return Ok(Vec::new());
    }
    body["id"] = json!(shown);
    Ok(selected)
}

/// The sub-projects (all levels) of each project, by name, hidden ones only with
/// `search_hidden`, and only `allowed` ones when given (sub_projects.py `_get_sub_projects`).
pub fn sub_projects(
    store: &Store,
    docs: &[Value],
    search_hidden: bool,
    allowed: Option<&[String]>,
) -> Result<HashMap<String, Vec<(String, String)>>, ApiError> {
    let mut out = HashMap::new();
    for d in docs {
        let (Some(id), Some(name)) = (d["id"].as_str(), d["name"].as_str()) else {
            continue;
        };
        let mut children = Vec::new();
        for (cid, cname) in store.sub_projects(name)? {
            if allowed.is_some_and(|a| !a.contains(&cid)) {
                continue;
            }
            if !search_hidden
                && let Some(c) = store.get(Coll::Projects, &cid)?
                && c["system_tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == "hidden"))
            {
                continue;
            }
            children.push((cid, cname));
        }
        out.insert(id.to_string(), children);
    }
    Ok(out)
}

/// `check_own_contents`: tasks and models directly in each project, archived ones left out
/// unless the filter names `archived` (project_bll.py `calc_own_contents`); with
/// `children_type: dataset`, dataset sub-projects directly below it (`calc_own_datasets`).
pub fn own_contents(
    store: &Store,
    docs: &mut [Value],
    filter_: &Map<String, Value>,
    kind: Option<ChildrenType>,
) -> Result<(), ApiError> {
    let ids = ids_of(docs);
    if kind == Some(ChildrenType::Dataset) {
        let mut q = query_of(&with_dataset_tag(filter_));
        q["parent"] = json!(ids);
        let counts = store.count_by(
            Coll::Projects,
            &query::build_filter(&q, true)?,
            CountBy::Parent,
        )?;
        for d in docs.iter_mut() {
            let n = *d["id"].as_str().and_then(|i| counts.get(i)).unwrap_or(&0);
            d["own_datasets"] = json!(n);
        }
        return Ok(());
    }
    let mut f = filter_.clone();
    let tags = f
        .get("system_tags")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !tags.iter().any(|t| t == "archived" || t == "-archived") {
        let mut with = vec![json!("-archived")];
        with.extend(tags);
        f.insert("system_tags".into(), json!(with));
    }
    let mut q = query_of(&f);
    q["project"] = json!(ids);
    let filter = query::build_filter(&q, true)?;
    let tasks = store.count_by(Coll::Tasks, &filter, CountBy::Project)?;
    let models = store.count_by(Coll::Models, &filter, CountBy::Project)?;
    for d in docs.iter_mut() {
        let id = d["id"].as_str().unwrap_or_default().to_string();
        d["own_tasks"] = json!(tasks.get(&id).unwrap_or(&0));
        d["own_models"] = json!(models.get(&id).unwrap_or(&0));
    }
    Ok(())
}

/// `include_stats`: each project's `stats.active` over it and its sub-projects (archived
/// tasks left out) from one aggregate, and `sub_projects` (project_bll.py
/// `get_project_stats`); with `children_type: dataset`, `stats.datasets` instead
/// (`get_project_dataset_stats`).
pub fn add_stats(
    store: &Store,
    body: &Value,
    docs: &mut [Value],
    kind: Option<ChildrenType>,
    selected: Option<&[String]>,
) -> Result<(), ApiError> {
    let (filter_, search_hidden) = stats_filter(body, kind);
    let with_kids = body
        .get("stats_with_children")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let children = if with_kids {
        sub_projects(
            store,
            docs,
            search_hidden || kind == Some(ChildrenType::Dataset),
            selected,
        )?
    } else {
        HashMap::new()
    };
    let mut all: BTreeSet<String> = ids_of(docs).into_iter().collect();
    all.extend(children.values().flatten().map(|(id, _)| id.clone()));
    let all: Vec<String> = all.into_iter().collect();
    let stats = if kind == Some(ChildrenType::Dataset) {
        dataset_children_stats(store, &filter_, &all)?
    } else {
        task_stats(store, &filter_, &all)?
    };
    for d in docs.iter_mut() {
        let id = d["id"].as_str().unwrap_or_default().to_string();
        let kids = children.get(&id).cloned().unwrap_or_default();
        let mut scope: Vec<&String> = kids.iter().map(|(c, _)| c).collect();
        scope.push(&id);
        d["stats"] = if kind == Some(ChildrenType::Dataset) {
            let mut count = 0;
            let mut tags = BTreeSet::new();
            for p in scope {
                if let Some((n, t)) = stats.datasets.get(p) {
                    count += n;
                    tags.extend(t.iter().cloned());
                }
            }
            json!({"datasets": {"count": count, "tags": tags}})
        } else {
            json!({"active": stats.active_over(&scope)})
        };
        let mut kids: Vec<Value> = kids
            .into_iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        kids.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        d["sub_projects"] = json!(kids);
    }
    Ok(())
}

#[derive(Default)]
struct Stats {
    groups: Vec<super::super::store::StatusGroup>,
    datasets: HashMap<String, (i64, BTreeSet<String>)>,
}

impl Stats {
    /// The real server's `stats.active` of the projects in `scope` summed.
    fn active_over(&self, scope: &[&String]) -> Value {
        let mut counts: Map<String, Value> = COUNTED_STATUSES
            .iter()
            .map(|s| (s.to_string(), json!(0)))
            .collect();
        let (mut total, mut runtime, mut recent) = (0i64, 0i64, 0i64);
        let mut last: Option<&str> = None;
        for g in self.groups.iter().filter(|g| scope.contains(&&g.project)) {
            let status = g.status.as_deref().unwrap_or("unknown");
            if let Some(n) = counts.get_mut(status) {
                *n = json!(n.as_i64().unwrap_or(0) + g.tasks);
                total += g.tasks;
            }
            runtime += g.runtime_secs;
            recent += g.completed_since;
            if let Some(s) = g.last_started.as_deref() {
                last = Some(last.map_or(s, |l| l.max(s)));
            }
        }
        let last = last
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                t.with_timezone(&chrono::Utc)
                    .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
                    .to_string()
            });
        json!({"status_count": counts, "total_tasks": total, "total_runtime": runtime,
            "completed_tasks_24h": recent, "last_task_run": last})
    }
}

/// Task statistics of the projects `ids`: non-archived tasks matching `filter_`
/// (project_bll.py `make_projects_get_all_pipeline` `add_state_to_filter`).
fn task_stats(
    store: &Store,
    filter_: &Map<String, Value>,
    ids: &[String],
) -> Result<Stats, ApiError> {
    let mut f = filter_.clone();
    let mut tags: Vec<Value> = f
        .get("system_tags")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t != "archived" && t != "-archived")
        .collect();
    tags.push(json!("-archived"));
    f.insert("system_tags".into(), json!(tags));
    let mut q = query_of(&f);
    q["project"] = json!(ids);
    let filter = query::build_filter(&q, true)?;
    let day_ago = (chrono::Utc::now() - chrono::Duration::hours(24)).timestamp_millis();
    Ok(Stats {
        groups: store.task_status_groups(&filter, day_ago)?,
        ..Stats::default()
    })
}

/// Dataset sub-projects directly below each of `ids`: how many, and their tags.
fn dataset_children_stats(
    store: &Store,
    filter_: &Map<String, Value>,
    ids: &[String],
) -> Result<Stats, ApiError> {
    let mut q = query_of(&with_dataset_tag(filter_));
    q["parent"] = json!(ids);
    let mut stats = Stats::default();
    for p in store.select_all(Coll::Projects, &query::build_filter(&q, true)?)? {
        let Some(parent) = p["parent"].as_str() else {
            continue;
        };
        let e = stats.datasets.entry(parent.to_string()).or_default();
        e.0 += 1;
        e.1.extend(
            p["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string)),
        );
    }
    Ok(stats)
}

/// `include_dataset_stats`: from the latest updated non-archived task of each project that
/// has a `runtime`, its `ds_file_count` and `ds_total_size` (project_bll.py
/// `get_dataset_stats`); null for a project without one.
pub fn add_dataset_stats(store: &Store, docs: &mut [Value]) -> Result<(), ApiError> {
    let ids = ids_of(docs);
    let q = json!({"project": ids, "system_tags": ["-archived"], "search_hidden": true,
        "order_by": ["last_update"]});
    let filter = query::build_filter(&q, true)?;
    let order = query::build_order(&q)?;
    let mut latest: HashMap<String, Value> = HashMap::new();
    for t in store.select(Coll::Tasks, &filter, &order, None, 0)? {
        let (Some(p), Some(rt)) = (t["project"].as_str(), t["runtime"].as_object()) else {
            continue;
        };
        if rt.is_empty() {
            continue;
        }
        let n = |k: &str| rt.get(k).cloned().unwrap_or(json!(0));
        latest.insert(
            p.to_string(),
            json!({"file_count": n("ds_file_count"), "total_size": n("ds_total_size")}),
        );
    }
    for d in docs.iter_mut() {
        let id = d["id"].as_str().unwrap_or_default().to_string();
        d["dataset_stats"] = latest.get(&id).cloned().unwrap_or(Value::Null);
    }
    Ok(())
}

/// Non-shallow `parent`: projects anywhere below the given ones (the real server turns
/// `parent` into a `path` filter, services/projects.py `_adjust_search_parameters`).
pub fn below_parents(store: &Store, body: &mut Value) -> Result<Option<SqlFilter>, ApiError> {
    if body.get("parent").is_none() {
        return Ok(None);
    }
    let given = id_list(body, "parent");
    if let Some(o) = body.as_object_mut() {
        o.remove("parent");
    }
    let mut names = Vec::new();
    for id in given {
        if let Some(p) = store.get(Coll::Projects, &id)? {
            names.extend(p["name"].as_str().map(str::to_string));
        }
    }
    Ok(Some(SqlFilter::default().below_any(&names)))
}

/// The filter with the `dataset` system tag added (dataset projects are the ones holding it).
fn with_dataset_tag(filter_: &Map<String, Value>) -> Map<String, Value> {
    let mut f = filter_.clone();
    let mut tags = f
        .get("system_tags")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !tags.iter().any(|t| t == "dataset") {
        tags.push(json!("dataset"));
    }
    f.insert("system_tags".into(), json!(tags));
    f
}
