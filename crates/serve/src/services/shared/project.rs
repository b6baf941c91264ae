//! Projects made by name: `tasks.clone` / `tasks.move` create the project they name, as
//! `projects.create` does; project filters widened to sub-projects.

use super::super::super::Call;
use super::super::super::envelope::ApiError;
use super::super::super::store::{Coll, SqlFilter, Store};
use super::super::{id_list, merge_top, new_id, now};
use serde_json::{Value, json};

fn project_doc(call: &Call, name: &str, body: &Value) -> Value {
    let t = now();
    let basename = name.rsplit('/').next().unwrap_or(name);
    let mut doc = json!({
        "id": new_id(), "name": name, "basename": basename,
        "description": "", "user": call.identity.user, "company": call.identity.company,
        "created": t, "last_update": t, "tags": [], "system_tags": [],
    });
    merge_top(
        &mut doc,
        body,
        &[
            "id",
            "name",
            "basename",
            "user",
            "company",
            "created",
            "last_update",
        ],
    );
    let hidden = doc["system_tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "hidden"));
    doc["hidden"] = json!(hidden);
    doc
}

/// Store a project with its `parent` (the id of the project one level up its path; none
/// for a top-level one), as the real server keeps it (database/model/project.py `parent`).
/// Every project write goes through here, so a rename or move keeps `parent` true; a
/// project is written after the one above it.
pub fn put_project(store: &Store, doc: &Value) -> Result<(), ApiError> {
    let mut doc = doc.clone();
    let parent = match doc["name"].as_str().and_then(|n| n.rsplit_once('/')) {
        Some((above, _)) => find_by_name(store, above)?.and_then(|p| p.get("id").cloned()),
        None => None,
    };
    if let Some(o) = doc.as_object_mut() {
        match parent {
            Some(id) => o.insert("parent".into(), id),
            None => o.remove("parent"),
        };
    }
    store.put(Coll::Projects, &doc)?;
    Ok(())
}

/// Find a project id by exact full name.
pub fn find_by_name(store: &Store, name: &str) -> Result<Option<Value>, ApiError> {
    Ok(store.find_one(Coll::Projects, &SqlFilter::default().eq("name", name))?)
}

/// Where a `move` call sends its tasks or models: `project` (which must exist), else
/// `project_name` (created with its parents when missing), else the root (null).
pub fn move_target(call: &Call, project_name: Option<String>) -> Result<Value, ApiError> {
    let project = call
        .body
        .get("project")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty());
    Ok(match (project, project_name) {
        (Some(p), _) => {
            if call.store.get(Coll::Projects, p)?.is_none() {
                return Err(ApiError::invalid_project(p));
            }
            json!(p)
        }
        (None, Some(name)) => json!(ensure(call, &name, &Value::Null)?),
        (None, None) => Value::Null,
    })
}

/// Create `name` and any missing parents; returns the project id (existing or new).
pub fn ensure(call: &Call, name: &str, body: &Value) -> Result<String, ApiError> {
    let parts: Vec<&str> = name.split('/').filter(|p| !p.trim().is_empty()).collect();
    let mut id = String::new();
    for i in 0..parts.len() {
        let path = parts[..=i].join("/");
        id = match find_by_name(call.store, &path)? {
            Some(p) => p["id"].as_str().unwrap_or_default().to_string(),
            None => {
                let doc = project_doc(
                    call,
                    &path,
                    if i == parts.len() - 1 {
                        body
                    } else {
                        &Value::Null
                    },
                );
                put_project(call.store, &doc)?;
                doc["id"].as_str().unwrap_or_default().to_string()
            }
        };
    }
    Ok(id)
}

/// Expand project ids to include their sub-projects.
pub fn with_subprojects(store: &Store, body: &mut Value) -> Result<(), ApiError> {
    let ids = id_list(body, "project");
    if ids.is_empty() {
        return Ok(());
    }
    let mut all = ids.clone();
    for id in &ids {
        if let Some(p) = store.get(Coll::Projects, id)? {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            all.extend(store.project_ids_with_prefix(&format!("{name}/"))?);
        }
    }
    body["project"] = json!(all);
    Ok(())
}
