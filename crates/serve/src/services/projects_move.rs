//! `projects.move` and `projects.merge`: re-homing a project tree, as the real server's
//! `ProjectBLL.move_project` / `merge_project` do. Project hierarchy is by full name
//! (`a/b/c`), so moving a project renames it and every sub-project under it.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, Store};
use super::shared::project::{ensure, find_by_name, put_project};
use super::{now, opt_str, req_str, select_all};
use serde_json::{Value, json};

/// The real server's `services.projects.max_depth`.
const MAX_DEPTH: usize = 10;

/// `None` = not one of these endpoints.
pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "move" => move_project(call),
        "merge" => merge(call),
        _ => return None,
    })
}

fn depth(name: &str) -> usize {
    name.split('/').filter(|p| !p.is_empty()).count()
}

fn name_of(doc: &Value) -> String {
    doc["name"].as_str().unwrap_or_default().to_string()
}

fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The part of a name before its basename (`""` at the root).
fn location(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(l, _)| l)
}

fn load_project(store: &Store, id: &str) -> Result<Value, ApiError> {
    store
        .get(Coll::Projects, id)?
        .ok_or_else(|| ApiError::invalid_project(id))
}

/// Every project under `name`, deepest last (`a/b`, `a/b/c`, ...).
fn descendants(store: &Store, name: &str) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    for (id, _) in store.sub_projects(name)? {
        if let Some(p) = store.get(Coll::Projects, &id)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// A tree moved this deep must stay within the real server's limit (400/409).
fn check_depth(
    tree: &[Value],
    old_parent_depth: usize,
    new_parent_depth: usize,
) -> Result<(), ApiError> {
    for p in tree {
        if depth(&name_of(p)) + new_parent_depth > MAX_DEPTH + old_parent_depth {
            return Err(ApiError::new(
                400,
                409,
                format!("Project path exceed the maximum allowed depth: max_depth={MAX_DEPTH}"),
            ));
        }
    }
    Ok(())
}

/// Rename `project` to `new_location/<basename>` and its sub-projects with it; refuses a
/// name another project holds (400/801, the real unique index). Returns how many moved.
fn reposition(store: &Store, project: &Value, new_location: &str) -> Result<usize, ApiError> {
    let old = name_of(project);
    let new = if new_location.is_empty() {
        basename(&old).to_string()
    } else {
        format!("{new_location}/{}", basename(&old))
    };
    let tree = descendants(store, &old)?;
    let t = now();
    let mut renamed = vec![(project.clone(), new.clone())];
    for child in tree {
        let rest = name_of(&child)[old.len()..].to_string();
        renamed.push((child, format!("{new}{rest}")));
    }
    for (_, name) in &renamed {
        if let Some(other) = find_by_name(store, name)?
            && !renamed.iter().any(|(d, _)| d["id"] == other["id"])
        {
            return Err(ApiError::new(
                400,
                801,
                format!(
                    "Value combination already exists (unique field already contains this value): name={name}"
                ),
            ));
        }
    }
    for (mut doc, name) in renamed.iter().cloned() {
        doc["basename"] = json!(basename(&name));
        doc["name"] = json!(name);
        if doc["id"] == project["id"] {
            doc["last_update"] = json!(t);
        }
        put_project(store, &doc)?;
    }
    Ok(renamed.len())
}

fn touch_project(store: &Store, id: Option<&str>) -> Result<(), ApiError> {
    if let Some(id) = id
        && let Some(mut p) = store.get(Coll::Projects, id)?
    {
        p["last_update"] = json!(now());
        put_project(store, &p)?;
    }
    Ok(())
}

fn project_id_by_name(store: &Store, name: &str) -> Result<Option<String>, ApiError> {
    if name.is_empty() {
        return Ok(None);
    }
    Ok(find_by_name(store, name)?.and_then(|p| p["id"].as_str().map(str::to_string)))
}

/// `projects.move`: the project and its sub-projects go under `new_location` (created
/// when missing; empty = the root).
fn move_project(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let wanted = opt_str(&call.body, "new_location").unwrap_or_default();
    let new_location = wanted
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    let project = load_project(call.store, &id)?;
    let name = name_of(&project);
    let mut tree = vec![project.clone()];
    tree.extend(descendants(call.store, &name)?);
    check_depth(&tree, depth(&name) - 1, depth(&new_location))?;
    let old_parent = project_id_by_name(call.store, location(&name))?;
    if new_location == name || new_location.starts_with(&format!("{name}/")) {
        return Err(ApiError::new(
            400,
            411,
            format!(
                "Project can not be moved under itself in the projects hierarchy: project={id}"
            ),
        ));
    }
    if new_location == location(&name) {
        return Err(ApiError::new(
            400,
            410,
            format!("Project has the same source and destination paths: location={new_location}"),
        ));
    }
    let new_parent = if new_location.is_empty() {
        None
    } else {
        Some(ensure(call, &new_location, &Value::Null)?)
    };
    let moved = call.store.tx(|store| {
        let moved = reposition(store, &project, &new_location)?;
        touch_project(store, old_parent.as_deref())?;
        touch_project(store, new_parent.as_deref())?;
        Ok::<_, ApiError>(moved)
    })?;
    Ok(json!({"moved": moved}))
}

/// `projects.merge`: the source's active tasks and models and its direct sub-projects
/// (with theirs) go to the destination (none = the root); the source is deleted. Archived
/// tasks and models are not moved (the real server's filter).
fn merge(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "project")?;
    let dest_id = opt_str(&call.body, "destination_project").filter(|d| !d.is_empty());
    if dest_id.as_deref() == Some(id.as_str()) {
        return Err(ApiError::new(
            400,
            410,
            format!("Project has the same source and destination paths: source={id}"),
        ));
    }
    let source = load_project(call.store, &id)?;
    let source_name = name_of(&source);
    let dest = match &dest_id {
        Some(d) => Some(load_project(call.store, d)?),
        None => None,
    };
    let dest_name = dest.as_ref().map(name_of).unwrap_or_default();
    if dest_name.starts_with(&format!("{source_name}/")) {
        return Err(ApiError::new(
            400,
            412,
            format!(
                "Project can not be merged into its own child: source={id}, destination={}",
                dest_id.clone().unwrap_or_default()
            ),
        ));
    }
    let children = descendants(call.store, &source_name)?;
    if dest.is_some() {
        check_depth(&children, depth(&source_name), depth(&dest_name))?;
    }
    let direct: Vec<Value> = children
        .iter()
        .filter(|c| location(&name_of(c)) == source_name)
        .cloned()
        .collect();
    call.store.tx(|store| {
        let mut moved_entities = 0;
        for coll in [Coll::Tasks, Coll::Models] {
            let docs = select_all(
                store,
                coll,
                &json!({"project": [id], "search_hidden": true}),
            )?;
            for mut doc in docs {
                let archived = doc["system_tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == "archived"));
                if archived || doc["project"] != id.as_str() {
                    continue;
                }
                doc["project"] = dest_id.as_ref().map_or(Value::Null, |d| json!(d));
                store.put(coll, &doc)?;
                moved_entities += 1;
            }
        }
        for child in &direct {
            reposition(store, child, &dest_name)?;
        }
        store.delete(Coll::Projects, &id)?;
        touch_project(store, dest_id.as_deref())?;
        Ok::<_, ApiError>(json!({
            "moved_entities": moved_entities,
            "moved_projects": direct.len(),
        }))
    })
}
