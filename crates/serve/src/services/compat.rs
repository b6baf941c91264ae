//! What the real server does differently for older clients, by the API version they ask
//! for (`Call::version`), applied around every handler in one place so the handlers
//! deal only with today's document shapes:
//!
//! - below 2.3, `tags` held user and system tags together: incoming tags without
//!   `system_tags` are split (`archived`, `development`... are system tags), and answers
//!   list the system tags inside `tags` again;
//! - `execution.parameters` and `execution.model_desc` (the pre-2.9 parameter and
//!   configuration fields) are stored as `hyperparams.Args` / `configuration` entries of
//!   type `legacy` at every version, and given back in the old places below 2.9;
//! - below 2.13, `execution.model` / `output.model` stand for the first input and last
//!   output model of `models`, and `execution.docker_cmd` for `container`.

use super::super::Call;
use super::super::endpoints::Version;
use serde_json::{Map, Value, json};

/// Tags and system tags were one list before this version.
const SPLIT_TAGS: Version = (2, 3);
/// `execution.parameters` / `model_desc` are answered in their old place below this.
const SECTIONED_PARAMS: Version = (2, 9);
/// `models.input/output` and `container` replaced single fields at this version.
const TASK_MODELS: Version = (2, 13);

/// The section legacy parameters go to (the real server's default section).
const LEGACY_SECTION: &str = "Args";
/// The one section whose parameters kept a `section/` prefix in the legacy flat form.
const TF_DEFINE: &str = "TF_DEFINE";
const LEGACY_TYPE: &str = "legacy";

/// Tags that are system tags for an entity, in the pre-2.3 single list (with `-` forms).
fn system_tag_names(service: &str) -> &'static [&'static str] {
    match service {
        "models" => &["active", "archived"],
        "projects" => &["archived", "public", "default"],
        "tasks" => &["active", "archived", "development"],
        "queues" => &["default"],
        _ => &[],
    }
}

fn is_system_tag(service: &str, tag: &str) -> bool {
    let bare = tag.strip_prefix('-').unwrap_or(tag);
    system_tag_names(service).contains(&bare)
        || (service == "tasks" && bare.to_lowercase().starts_with("annotat"))
}

/// Rewrite a request body before its handler runs.
pub fn before(call: &mut Call) {
    let Some((service, action)) = call.endpoint.split_once('.') else {
        return;
    };
    let (service, action) = (service.to_string(), action.to_string());
    if call.version < SPLIT_TAGS {
        split_tags(&service, &mut call.body);
    }
    if service == "tasks" && matches!(action.as_str(), "create" | "edit" | "validate") {
        let previous = match action.as_str() {
            "edit" => call
                .body
                .get("task")
                .and_then(Value::as_str)
                .and_then(|id| {
                    call.store
                        .get(super::super::store::Coll::Tasks, id)
                        .ok()
                        .flatten()
                }),
            _ => None,
        };
        legacy_params_in(&mut call.body, previous.as_ref());
        if call.version < TASK_MODELS {
            old_task_fields_in(&mut call.body);
        }
    }
}

/// Rewrite an answer after its handler ran.
pub fn after(call: &Call, data: &mut Value) {
    let Some(obj) = data.as_object_mut() else {
        return;
    };
    for key in [
        "tasks", "task", "models", "model", "projects", "project", "queues", "queue",
    ] {
        let docs: Vec<&mut Value> = match obj.get_mut(key) {
            Some(Value::Array(list)) => list.iter_mut().collect(),
            Some(doc @ Value::Object(_)) => vec![doc],
            _ => continue,
        };
        for doc in docs {
            if call.version < SPLIT_TAGS {
                merge_tags(doc);
            }
            if key.starts_with("task") {
                if call.version < TASK_MODELS {
                    old_task_fields_out(doc);
                }
                if call.version < SECTIONED_PARAMS {
                    legacy_params_out(doc);
                }
            }
        }
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect()
}

/// Before 2.3: `tags` without `system_tags` are split into the two.
fn split_tags(service: &str, body: &mut Value) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    let Some(tags) = obj.get("tags").filter(|t| t.is_array()) else {
        return;
    };
    let given_system = string_list(obj.get("system_tags"));
    if !given_system.is_empty() {
        return;
    }
    let (system, user): (Vec<String>, Vec<String>) = string_list(Some(tags))
        .into_iter()
        .partition(|t| is_system_tag(service, t));
    obj.insert("tags".into(), json!(user));
    obj.insert("system_tags".into(), json!(system));
}

/// Before 2.3: answers list system tags inside `tags` (sorted, once each).
fn merge_tags(doc: &mut Value) {
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    let system = string_list(obj.get("system_tags"));
    if system.is_empty() {
        return;
    }
    let mut all: std::collections::BTreeSet<String> =
        string_list(obj.get("tags")).into_iter().collect();
    all.extend(system);
    obj.insert("tags".into(), json!(all));
}

/// `execution.parameters` (`name` or `TF_DEFINE/name` → value) and `execution.model_desc`
/// (`name` → value) become `legacy` entries of `hyperparams` and `configuration`. When the
/// body brings no `hyperparams`/`configuration` of its own, the task's current ones are
/// kept, less their old legacy entries (the legacy form replaces those).
fn legacy_params_in(body: &mut Value, previous: Option<&Value>) {
    for (old, new, sectioned) in [
        ("parameters", "hyperparams", true),
        ("model_desc", "configuration", false),
    ] {
        let Some(legacy) = body
            .get_mut("execution")
            .and_then(Value::as_object_mut)
            .and_then(|e| e.remove(old))
        else {
            continue;
        };
        let Some(legacy) = legacy.as_object().cloned() else {
            continue;
        };
        let given = body
            .get(new)
            .is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty()));
        if !given {
            let mut kept = previous
                .and_then(|p| p.get(new))
                .cloned()
                .filter(Value::is_object)
                .unwrap_or_else(|| json!({}));
            drop_legacy(&mut kept, sectioned);
            body[new] = kept;
        }
        if !body.get(new).is_some_and(Value::is_object) {
            body[new] = json!({});
        }
        for (full_name, value) in legacy {
            let value = match value {
                Value::String(s) => s,
                other => python_str(&other),
            };
            if sectioned {
                let (section, name) = match full_name.split_once('/') {
                    Some((TF_DEFINE, name)) if !name.is_empty() => (TF_DEFINE, name.to_string()),
                    _ => (LEGACY_SECTION, full_name.clone()),
                };
                let entry =
                    json!({"section": section, "name": name, "type": LEGACY_TYPE, "value": value});
                let sec = body[new]
                    .as_object_mut()
                    .expect("made an object above")
                    .entry(section)
                    .or_insert_with(|| json!({}));
                if !sec.is_object() {
                    *sec = json!({});
                }
                sec[name.as_str()] = entry;
            } else {
                body[new][full_name.as_str()] =
                    json!({"name": full_name, "type": LEGACY_TYPE, "value": value});
            }
        }
    }
}

/// `str(value)` as the real server (Python) stores a non-string legacy value.
fn python_str(v: &Value) -> String {
    match v {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

fn drop_legacy(params: &mut Value, sectioned: bool) {
    let is_legacy = |p: &Value| p.get("type").and_then(Value::as_str) == Some(LEGACY_TYPE);
    let Some(map) = params.as_object_mut() else {
        return;
    };
    if sectioned {
        for section in map.values_mut() {
            if let Some(s) = section.as_object_mut() {
                s.retain(|_, p| !is_legacy(p));
            }
        }
        map.retain(|_, s| s.as_object().is_none_or(|s| !s.is_empty()));
    } else {
        map.retain(|_, p| !is_legacy(p));
    }
}

/// Below 2.9: the `legacy` entries are given back as `execution.parameters` and
/// `execution.model_desc`.
fn legacy_params_out(doc: &mut Value) {
    let is_legacy = |p: &Value| p.get("type").and_then(Value::as_str) == Some(LEGACY_TYPE);
    let mut parameters = Map::new();
    for section in doc["hyperparams"].as_object().into_iter().flatten() {
        for p in section.1.as_object().into_iter().flatten().map(|(_, p)| p) {
            if is_legacy(p) {
                let name = p["name"].as_str().unwrap_or_default();
                let full = if p["section"] == TF_DEFINE {
                    format!("{TF_DEFINE}/{name}")
                } else {
                    name.to_string()
                };
                parameters.insert(full, p["value"].clone());
            }
        }
    }
    let mut model_desc = Map::new();
    for (_, p) in doc["configuration"].as_object().into_iter().flatten() {
        if is_legacy(p) {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            model_desc.insert(name, p["value"].clone());
        }
    }
    for (field, values) in [("parameters", parameters), ("model_desc", model_desc)] {
        if values.is_empty() {
            continue;
        }
        if !doc.get("execution").is_some_and(Value::is_object) {
            doc["execution"] = json!({});
        }
        doc["execution"][field] = Value::Object(values);
    }
}

/// Below 2.13: `execution.model` → input model `Input Model`, `output.model` → output
/// model `Output Model`, `execution.docker_cmd` → `container.image` + `arguments`.
fn old_task_fields_in(body: &mut Value) {
    for (parent, kind, name) in [
        ("execution", "input", "Input Model"),
        ("output", "output", "Output Model"),
    ] {
        let Some(model) = body
            .get_mut(parent)
            .and_then(Value::as_object_mut)
            .and_then(|p| p.remove("model"))
        else {
            continue;
        };
        let list = match model.as_str() {
            Some(id) if !id.is_empty() => {
                json!([{"name": name, "model": id, "updated": super::now()}])
            }
            _ => json!([]),
        };
        if !body.get("models").is_some_and(Value::is_object) {
            body["models"] = json!({});
        }
        body["models"][kind] = list;
    }
    let docker_cmd = body
        .get_mut("execution")
        .and_then(Value::as_object_mut)
        .and_then(|e| e.remove("docker_cmd"));
    if let Some(cmd) = docker_cmd.as_ref().and_then(Value::as_str) {
        let (image, arguments) = cmd.split_once(' ').unwrap_or((cmd, ""));
        if !body.get("container").is_some_and(Value::is_object) {
            body["container"] = json!({});
        }
        body["container"]["image"] = json!(image);
        body["container"]["arguments"] = json!(arguments);
    }
}

/// Below 2.13: the first input and last output model, and the container as a command.
fn old_task_fields_out(doc: &mut Value) {
    let model_of = |list: Option<&Value>, first: bool| {
        let list = list?.as_array()?;
        let m = if first { list.first() } else { list.last() }?;
        m.get("model").cloned()
    };
    if let Some(m) = model_of(doc.pointer("/models/input"), true) {
        if !doc.get("execution").is_some_and(Value::is_object) {
            doc["execution"] = json!({});
        }
        doc["execution"]["model"] = m;
    }
    if let Some(m) = model_of(doc.pointer("/models/output"), false) {
        if !doc.get("output").is_some_and(Value::is_object) {
            doc["output"] = json!({});
        }
        doc["output"]["model"] = m;
    }
    let image = doc
        .pointer("/container/image")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !image.is_empty() {
        let args = doc
            .pointer("/container/arguments")
            .and_then(Value::as_str)
            .unwrap_or("");
        let cmd = [image, args]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if !doc.get("execution").is_some_and(Value::is_object) {
            doc["execution"] = json!({});
        }
        doc["execution"]["docker_cmd"] = json!(cmd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_tags_split_into_system_tags_and_merge_back() {
        let mut body = json!({"tags": ["archived", "mine", "-development", "annotation x"]});
        split_tags("tasks", &mut body);
        assert_eq!(body["tags"], json!(["mine"]));
        assert_eq!(
            body["system_tags"],
            json!(["archived", "-development", "annotation x"])
        );
        let mut doc = json!({"tags": ["b"], "system_tags": ["archived", "a"]});
        merge_tags(&mut doc);
        assert_eq!(doc["tags"], json!(["a", "archived", "b"]));
    }

    #[test]
    fn legacy_parameters_become_sections_and_come_back() {
        let mut body = json!({"execution": {"parameters": {"lr": 0.1, "TF_DEFINE/x": "1", "ß": "ü"}, "model_desc": {"net": "{}"}}});
        legacy_params_in(&mut body, None);
        assert!(body["execution"].get("parameters").is_none());
        assert_eq!(
            body["hyperparams"]["Args"]["lr"],
            json!({"section": "Args", "name": "lr", "type": "legacy", "value": "0.1"})
        );
        assert_eq!(body["hyperparams"]["TF_DEFINE"]["x"]["value"], "1");
        assert_eq!(body["configuration"]["net"]["type"], "legacy");
        let mut doc = body.clone();
        legacy_params_out(&mut doc);
        assert_eq!(
            doc["execution"]["parameters"],
            json!({"lr": "0.1", "TF_DEFINE/x": "1", "ß": "ü"})
        );
        assert_eq!(doc["execution"]["model_desc"], json!({"net": "{}"}));
    }

    #[test]
    fn legacy_parameters_replace_only_the_legacy_entries_of_a_task() {
        let previous = json!({"hyperparams": {
            "Args": {"old": {"name": "old", "type": "legacy", "value": "1"}},
            "General": {"keep": {"name": "keep", "value": "2"}}}});
        let mut body = json!({"execution": {"parameters": {"new": "3"}}});
        legacy_params_in(&mut body, Some(&previous));
        assert!(body["hyperparams"]["Args"].get("old").is_none());
        assert_eq!(body["hyperparams"]["Args"]["new"]["value"], "3");
        assert_eq!(body["hyperparams"]["General"]["keep"]["value"], "2");
    }

    #[test]
    fn pre_2_13_model_and_docker_fields_map_to_models_and_container() {
        let mut body = json!({"execution": {"model": "m1", "docker_cmd": "python:3 -e X=1"}, "output": {"model": "m2"}});
        old_task_fields_in(&mut body);
        assert_eq!(body["models"]["input"][0]["model"], "m1");
        assert_eq!(body["models"]["input"][0]["name"], "Input Model");
        assert_eq!(body["models"]["output"][0]["name"], "Output Model");
        assert_eq!(
            body["container"],
            json!({"image": "python:3", "arguments": "-e X=1"})
        );
        let mut doc = body.clone();
        old_task_fields_out(&mut doc);
        assert_eq!(doc["execution"]["model"], "m1");
        assert_eq!(doc["output"]["model"], "m2");
        assert_eq!(doc["execution"]["docker_cmd"], "python:3 -e X=1");
    }
}
