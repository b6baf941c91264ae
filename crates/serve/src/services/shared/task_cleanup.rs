//! What deleting a task does to what it leaves behind, and the counts and file URLs the
//! real server answers with (`tasks.delete`, `tasks.delete_many`): its draft output
//! models not used by other tasks are deleted (`delete_output_models`, default true), its
//! published ones and its child tasks are pointed at `__DELETED__<id>`.

use super::super::super::envelope::ApiError;
use super::super::super::store::{Coll, SqlFilter, Store};
use serde_json::{Value, json};

const DELETED_PREFIX: &str = "__DELETED__";

/// May task `doc` be deleted? Without `force` the real server (bll/task/task_operations.py
/// delete_task) deletes only a `created` or an archived task; any other status is a
/// 400/123 naming the status.
pub fn check_deletable(doc: &Value, force: bool) -> Result<(), ApiError> {
    let status = doc["status"].as_str().unwrap_or("created");
    let archived = doc["system_tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "archived"));
    if force || status == "created" || archived {
        return Ok(());
    }
    let id = doc["id"].as_str().unwrap_or_default();
    Err(ApiError::new(
        400,
        123,
        format!(
            "Task cannot be deleted (due to status, use force=True): task={id}, expected=created, current={status}"
        ),
    ))
}

/// How `cleanup` treats what a task leaves (bll/task/task_cleanup.py `cleanup_task`).
pub struct Cleanup {
    /// Published children and published output models do not block.
    pub force: bool,
    /// Point child tasks and kept models at `__DELETED__<id>` (deleting); otherwise kept
    /// models just lose their task (resetting).
    pub update_children: bool,
    pub delete_output_models: bool,
    pub return_file_urls: bool,
}

fn cannot_delete(why: &str, id: &str, what: String) -> ApiError {
    ApiError::new(
        400,
        123,
        format!("Task cannot be deleted ({why}, use force=True): task={id}, {what}"),
    )
}

/// Clean up after task `doc` (inside the caller's transaction); returns the answer's
/// `updated_children`, `updated_models`, `deleted_models` and `urls` (`null` unless
/// `return_file_urls`). Without `force`, a published child task or a ready output model
/// is a 400/123 (`verify_task_children_and_ouptuts`).
pub fn cleanup(store: &Store, doc: &Value, how: &Cleanup) -> Result<Value, ApiError> {
    let id = doc["id"].as_str().unwrap_or_default();
    let gone = format!("{DELETED_PREFIX}{id}");
    let children = store.select_all(Coll::Tasks, &SqlFilter::default().eq("parent", id))?;
    if !how.force {
        let published = children
            .iter()
            .filter(|c| c["status"] == "published")
            .count();
        if published > 0 {
            return Err(cannot_delete(
                "has children",
                id,
                format!("children={published}"),
            ));
        }
    }
    // The models naming the task, then those its output list names.
    let mut models = store.select_all(Coll::Models, &SqlFilter::default().eq("task", id))?;
    let ready_own = models.iter().filter(|m| m["ready"] == true).count();
    if !how.force && ready_own > 0 {
        return Err(cannot_delete(
            "has output models",
            id,
            format!("models={ready_own}"),
        ));
    }
    for out in doc["models"]["output"].as_array().into_iter().flatten() {
        let Some(mid) = out["model"].as_str() else {
            continue;
        };
        if models.iter().any(|m| m["id"] == mid) {
            continue;
        }
        if let Some(m) = store.get(Coll::Models, mid)? {
            if !how.force && m["ready"] == true {
                return Err(cannot_delete(
                    "has output model",
                    id,
                    format!("model={mid}"),
                ));
            }
            models.push(m);
        }
    }
    let mut updated_children = 0;
    if how.update_children {
        for mut child in children {
            child["parent"] = json!(gone);
            store.put(Coll::Tasks, &child)?;
            updated_children += 1;
        }
    }
    let artifact_urls = artifact_urls(doc);
    let mut model_urls = Vec::new();
    let (mut deleted_models, mut updated_models) = (0, 0);
    for mut model in models {
        let mid = model["id"].as_str().unwrap_or_default().to_string();
        let draft = model["ready"] != true;
        if draft && how.delete_output_models {
            if used_by_other_task(store, &mid, id)? {
                model.as_object_mut().map(|m| m.remove("task"));
                store.put(Coll::Models, &model)?;
                continue;
            }
            if let Some(uri) = model["uri"].as_str().filter(|u| !u.is_empty()) {
                model_urls.push(json!(uri));
            }
            store.delete(Coll::Models, &mid)?;
            deleted_models += 1;
        } else if how.update_children {
            model["task"] = json!(gone);
            store.put(Coll::Models, &model)?;
            updated_models += 1;
        } else {
            model.as_object_mut().map(|m| m.remove("task"));
            store.put(Coll::Models, &model)?;
        }
    }
    let urls = if how.return_file_urls {
        json!({"model_urls": model_urls, "artifact_urls": artifact_urls, "event_urls": []})
    } else {
        Value::Null
    };
    Ok(json!({
        "updated_children": updated_children, "updated_models": updated_models,
        "deleted_models": deleted_models, "urls": urls,
    }))
}

/// The URIs of the task's artifacts other than its inputs.
fn artifact_urls(doc: &Value) -> Vec<Value> {
    doc["execution"]["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["mode"] != "input")
        .filter_map(|a| {
            a["uri"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(|u| json!(u))
        })
        .collect()
}

/// Is the model an input of a task other than `owner`?
fn used_by_other_task(store: &Store, model: &str, owner: &str) -> Result<bool, ApiError> {
    let mut f = SqlFilter::default();
    super::super::super::query::add_list_filter(&mut f, "models.input.model", &json!([model]));
    Ok(store
        .select(
            Coll::Tasks,
            &f,
            &super::super::super::store::Order::insertion(),
            Some(2),
            0,
        )?
        .iter()
        .any(|t| t["id"] != owner))
}
