//! `queues.*`. A queue document holds its `entries` ([{task, added}]) in order; what
//! tasks.enqueue/dequeue need of queues is in `shared::queue`.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::{Coll, Store};
use super::shared::queue::{
    default_filter, default_queue, find_by_name, load_queue, push_entry, queue_doc, remove_entry,
};
use super::shared::task::load;
use super::{get_all, merge_top, now, opt_bool, opt_str, req_str};
use serde_json::{Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "create" => create(call),
        "get_by_id" => {
            let id = match req_str(&call.body, "queue") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_queue(call.store, &id).map(|q| json!({"queue": q}))
        }
        "get_all" | "get_all_ex" => {
            let ex = action == "get_all_ex";
            get_all(
                call.state,
                call.store,
                Coll::Queues,
                &call.body,
                false,
                None,
            )
            .map(|(mut docs, scroll)| {
                if ex {
                    super::expand_refs(
                        call.store,
                        &mut docs,
                        &["user", "company"],
                        &[],
                        &call.identity.user_name,
                    );
                    for d in docs.iter_mut() {
                        if let Some(entries) = d["entries"].as_array_mut() {
                            for e in entries {
                                if let Some(t) = e["task"].as_str().map(str::to_string) {
                                    let name = call
                                        .store
                                        .get(Coll::Tasks, &t)
                                        .ok()
                                        .flatten()
                                        .map(|t| t["name"].clone())
                                        .unwrap_or(Value::Null);
                                    e["task"] = json!({"id": t, "name": name});
                                }
                            }
                        }
                    }
                }
                let mut out = json!({"queues": docs});
                if let Some(s) = scroll {
                    out["scroll_id"] = json!(s);
                }
                out
            })
        }
        "get_default" => {
            default_queue(call.store).map(|q| json!({"id": q["id"], "name": q["name"]}))
        }
        "get_next_task" => get_next_task(call),
        "get_num_entries" => {
            let id = match req_str(&call.body, "queue") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_queue(call.store, &id)
                .map(|q| json!({"num": q["entries"].as_array().map_or(0, |a| a.len())}))
        }
        "update" => update(call),
        "delete" => delete(call),
        "add_task" => add_task(call),
        "remove_task" => {
            let (Ok(q), Ok(t)) = (req_str(&call.body, "queue"), req_str(&call.body, "task")) else {
                return Some(Err(ApiError::missing_field("queue, task")));
            };
            remove_entry(call.store, &q, &t).map(|n| json!({"removed": n}))
        }
        "move_task_to_front" | "move_task_to_back" | "move_task_forward" | "move_task_backward" => {
            move_task(call, action)
        }
        "peek_task" => {
            let id = match req_str(&call.body, "queue") {
                Ok(i) => i,
                Err(e) => return Some(Err(e)),
            };
            load_queue(call.store, &id)
                .map(|q| json!({"task": q["entries"].get(0).map(|e| e["task"].clone())}))
        }
        "get_queue_metrics" => Ok(json!({"queues": []})),
        "add_or_update_metadata" | "delete_metadata" => Ok(json!({"updated": 1})),
        _ => return None,
    })
}

/// The real server creates a queue named `default` with system tag `default` on first start.
pub fn ensure_default_queue(store: &Store, company: &str) -> Result<(), ApiError> {
    if store.count(Coll::Queues, &default_filter())? == 0 {
        store.put(
            Coll::Queues,
            &queue_doc(
                "default",
                company,
                super::super::auth::USER_ID,
                json!(["default"]),
            ),
        )?;
    }
    Ok(())
}

fn create(call: &mut Call) -> ApiResult {
    let name = req_str(&call.body, "name")?;
    if name.trim().is_empty() {
        return Err(ApiError::validation("name: String value is too short"));
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
    let mut doc = queue_doc(
        &name,
        &call.identity.company,
        &call.identity.user,
        json!([]),
    );
    merge_top(
        &mut doc,
        &call.body,
        &["id", "entries", "created", "company", "user"],
    );
    call.store.put(Coll::Queues, &doc)?;
    Ok(json!({"id": doc["id"]}))
}

fn update(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "queue")?;
    let mut doc = load_queue(call.store, &id)?;
    let mut fields = serde_json::Map::new();
    for k in ["name", "display_name", "tags", "system_tags", "metadata"] {
        if let Some(v) = call.body.get(k) {
            doc[k] = v.clone();
            fields.insert(k.into(), v.clone());
        }
    }
    doc["last_update"] = json!(now());
    call.store.put(Coll::Queues, &doc)?;
    Ok(json!({"updated": 1, "fields": fields}))
}

fn delete(call: &mut Call) -> ApiResult {
    let id = req_str(&call.body, "queue")?;
    let doc = load_queue(call.store, &id)?;
    if !doc["entries"].as_array().is_none_or(|a| a.is_empty()) && !opt_bool(&call.body, "force") {
        return Err(ApiError::new(
            400,
            702,
            format!("Queue is not empty (use force=true): id={id}"),
        ));
    }
    call.store.delete(Coll::Queues, &id)?;
    Ok(json!({"deleted": 1}))
}

fn add_task(call: &mut Call) -> ApiResult {
    let q = req_str(&call.body, "queue")?;
    let t = req_str(&call.body, "task")?;
    load(call.store, &t)?;
    push_entry(call.store, &q, &t).map(|_| json!({"added": 1}))
}

fn move_task(call: &mut Call, action: &str) -> ApiResult {
    let qid = req_str(&call.body, "queue")?;
    let task = req_str(&call.body, "task")?;
    let count = call
        .body
        .get("count")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(1) as usize;
    let mut q = load_queue(call.store, &qid)?;
    let entries = q["entries"]
        .as_array_mut()
        .ok_or_else(|| ApiError::internal("queue without entries"))?;
    let pos = entries
        .iter()
        .position(|e| e["task"] == task)
        .ok_or_else(|| ApiError::invalid_task(&task))?;
    let entry = entries.remove(pos);
    let new_pos = match action {
        "move_task_to_front" => 0,
        "move_task_to_back" => entries.len(),
        "move_task_forward" => pos.saturating_sub(count),
        _ => (pos + count).min(entries.len()),
    };
    entries.insert(new_pos, entry);
    call.store.put(Coll::Queues, &q)?;
    Ok(json!({"position": new_pos}))
}

fn get_next_task(call: &mut Call) -> ApiResult {
    let qid = req_str(&call.body, "queue")?;
    let get_task_data = opt_bool(&call.body, "get_task_info");
    // With `task`, pop that task if it is queued here (agents use it to pick their own).
    let wanted = opt_str(&call.body, "task");
    call.store.tx(|store| {
        let mut q = load_queue(store, &qid)?;
        let Some(entries) = q["entries"].as_array_mut() else {
            return Ok(json!({}));
        };
        let pos = match &wanted {
            Some(t) => entries.iter().position(|e| e["task"] == t.as_str()),
            None => (!entries.is_empty()).then_some(0),
        };
        let Some(pos) = pos else {
            return Ok(json!({}));
        };
        let entry = entries.remove(pos);
        q["last_update"] = json!(now());
        store.put(Coll::Queues, &q)?;
        let mut out = json!({"entry": entry});
        if get_task_data
            && let Some(t) = entry["task"]
                .as_str()
                .and_then(|t| store.get(Coll::Tasks, t).ok().flatten())
        {
            out["task_info"] = json!({"company": t["company"], "user": t["user"]});
        }
        Ok(out)
    })
}
