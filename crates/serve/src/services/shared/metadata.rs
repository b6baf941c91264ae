//! Metadata of models and queues: a map from key to `{key, type, value}`. Clients send it
//! either as that map or as a list of items; `update`/`edit`/`create` replace the whole map,
//! `add_or_update_metadata` sets each given key (the whole item, type included) and
//! `delete_metadata` removes keys, as the real server's metadata helper does.

use super::super::super::envelope::ApiError;
use super::super::{id_list, now, opt_bool};
use serde_json::{Map, Value, json};

/// The map form of metadata as sent (a map keyed by key, or a list of items); `None` for
/// anything else. Items without a string `key` are refused as the server's model refuses
/// them (`key`, `type` and `value` are required strings there).
pub fn from_api(v: &Value) -> Result<Option<Map<String, Value>>, ApiError> {
    let items: Vec<(Option<String>, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, it)| (Some(k.clone()), it)).collect(),
        Value::Array(a) => a.iter().map(|it| (None, it)).collect(),
        Value::Null => return Ok(None),
        _ => return Err(ApiError::validation("metadata: expected a list or a map")),
    };
    let mut out = Map::new();
    for (map_key, item) in items {
        let key = item
            .get("key")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or(map_key)
            .ok_or_else(|| ApiError::validation("metadata item: key is required"))?;
        let mut it = item.clone();
        if !it.is_object() {
            return Err(ApiError::validation(format!(
                "metadata item {key}: expected an object"
            )));
        }
        it["key"] = json!(key);
        out.insert(key, it);
    }
    Ok(Some(out))
}

/// `add_or_update_metadata` / `delete_metadata` on a document: returns 1 (updated).
pub fn apply(doc: &mut Value, body: &Value, remove: bool) -> Result<i64, ApiError> {
    if !doc["metadata"].is_object() {
        doc["metadata"] = json!({});
    }
    if remove {
        let keys = id_list(body, "keys");
        if keys.is_empty() {
            return Err(ApiError::validation("keys: at least one key is required"));
        }
        if let Some(m) = doc["metadata"].as_object_mut() {
            for k in keys {
                m.remove(&k);
            }
        }
    } else {
        let items = from_api(body.get("metadata").unwrap_or(&Value::Null))?
            .filter(|m| !m.is_empty())
            .ok_or_else(|| ApiError::validation("metadata: at least one item is required"))?;
        if opt_bool(body, "replace_metadata") {
            doc["metadata"] = json!({});
        }
        if let Some(m) = doc["metadata"].as_object_mut() {
            m.extend(items);
        }
    }
    let t = now();
    doc["last_update"] = json!(t);
    Ok(1)
}

/// Replace `doc.metadata` from a request field when present; returns the stored map.
pub fn replace_from(doc: &mut Value, body: &Value) -> Result<Option<Value>, ApiError> {
    match body.get("metadata").map(from_api).transpose()?.flatten() {
        Some(m) => {
            doc["metadata"] = Value::Object(m);
            Ok(Some(doc["metadata"].clone()))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_and_map_forms_give_the_same_map_and_updates_replace_whole_items() {
        let list = json!([{"key": "k", "type": "str", "value": "v"}]);
        let map = json!({"k": {"key": "k", "type": "str", "value": "v"}});
        assert_eq!(from_api(&list).unwrap(), from_api(&map).unwrap());
        let mut doc = json!({"metadata": map});
        let body = json!({"metadata": [{"key": "k", "type": "int", "value": "10"},
            {"key": "ключ", "type": "str", "value": "значение"}]});
        apply(&mut doc, &body, false).unwrap();
        assert_eq!(doc["metadata"]["k"]["type"], "int");
        assert_eq!(doc["metadata"]["ключ"]["value"], "значение");
        apply(&mut doc, &json!({"keys": ["k"]}), true).unwrap();
        assert_eq!(
            doc["metadata"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["ключ"]
        );
    }
}
