//! Edits of many tasks, models or projects at once that are the same for each kind:
//! `*.update_tags` (add and remove tags) and `*.make_public` / `*.make_private`.
//!
//! Public entities belong to no company on the real server (`company` empty, the owner in
//! `company_origin`) and are visible to every company; with one company they stay visible
//! either way, but the fields and the errors are the real server's.

use super::super::Call;
use super::super::envelope::{ApiError, ApiResult};
use super::super::store::Coll;
use super::{id_list, now};
use serde_json::{Value, json};

/// `None` = not one of these endpoints.
pub fn dispatch(call: &mut Call, service: &str, action: &str) -> Option<ApiResult> {
    let coll = match service {
        "tasks" => Coll::Tasks,
        "models" => Coll::Models,
        "projects" => Coll::Projects,
        _ => return None,
    };
    Some(match action {
        "update_tags" if coll != Coll::Projects => update_tags(call, coll),
        "make_public" => set_public(call, coll, true),
        "make_private" => set_public(call, coll, false),
        _ => return None,
    })
}

/// The "invalid id" error of a kind, naming the ids not found.
fn invalid_ids(coll: Coll, missing: &[String]) -> ApiError {
    let (subcode, what) = match coll {
        Coll::Tasks => (101, "task"),
        Coll::Models => (201, "model"),
        Coll::Projects => (401, "project"),
        Coll::Queues => (701, "queue"),
    };
    ApiError::new(
        400,
        subcode,
        format!(
            "Invalid {what} id: ids={}",
            super::public_guard::py_tuple(missing)
        ),
    )
}

/// Load every id or fail naming the missing ones.
fn load_all(call: &Call, coll: Coll, ids: &[String]) -> Result<Vec<Value>, ApiError> {
    let mut docs = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match call.store.get(coll, id)? {
            Some(d) => docs.push(d),
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(invalid_ids(coll, &missing));
    }
    Ok(docs)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect()
}

fn update_tags(call: &mut Call, coll: Coll) -> ApiResult {
    let ids = id_list(&call.body, "ids");
    let add = strings(&call.body["add_tags"]);
    let remove = strings(&call.body["remove_tags"]);
    if ids.is_empty() {
        return Err(ApiError::validation(
            "No entity ids provided for editing tags",
        ));
    }
    if coll == Coll::Tasks {
        super::public_guard::all_writable(call.store, &ids)?;
    }
    if add.is_empty() && remove.is_empty() {
        return Err(ApiError::validation(
            "Either add tags or remove tags should be provided",
        ));
    }
    let docs = load_all(call, coll, &ids)?;
    let user = call.identity.user.clone();
    call.store.tx(|store| {
        // Counted as the real server counts: documents updated by the add, plus by the remove.
        let mut updated = 0;
        for mut doc in docs {
            let mut tags = strings(&doc["tags"]);
            if !add.is_empty() {
                for t in &add {
                    if !tags.contains(t) {
                        tags.push(t.clone());
                    }
                }
                updated += 1;
            }
            if !remove.is_empty() {
                tags.retain(|t| !remove.contains(t));
                updated += 1;
            }
            doc["tags"] = json!(tags);
            doc["last_change"] = json!(now());
            doc["last_changed_by"] = json!(user);
            store.put(coll, &doc)?;
        }
        Ok(json!({"updated": updated}))
    })
}

fn set_public(call: &mut Call, coll: Coll, public: bool) -> ApiResult {
    let ids = id_list(&call.body, "ids");
    let company = call.identity.company.clone();
    let user = call.identity.user.clone();
    let docs = load_all(call, coll, &ids)?;
    // Making private finds only what is public (and owned by this company).
    if !public {
        let missing: Vec<String> = docs
            .iter()
            .filter(|d| d["company"] != "" || d["company_origin"] != company.as_str())
            .filter_map(|d| d["id"].as_str().map(str::to_string))
            .collect();
        if !missing.is_empty() {
            return Err(invalid_ids(coll, &missing));
        }
    }
    call.store.tx(|store| {
        let mut updated = 0;
        for mut doc in docs {
            let Some(obj) = doc.as_object_mut() else {
                continue;
            };
            if public {
                obj.insert("company".into(), json!(""));
                obj.insert("company_origin".into(), json!(company));
            } else {
                obj.insert("company".into(), json!(company));
                obj.remove("company_origin");
            }
            if coll != Coll::Projects {
                obj.insert("last_change".into(), json!(now()));
                obj.insert("last_changed_by".into(), json!(user));
            }
            store.put(coll, &doc)?;
            updated += 1;
        }
        Ok(json!({"updated": updated}))
    })
}
