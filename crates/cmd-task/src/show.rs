//! `task show`: one task in detail, as a stable JSON document and as sections of text.

use serde_json::{Map, Value, json};

use super::json;
use super::query::{flat_listing, fmt_number, fmt_time, ref_id, ref_name};
use crate::api::Client;
use crate::api::lookup;
use crate::cli::Format;
use crate::output::Listing;
use clearml_cmd_core::Ctx;

const SHOW_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "status_message",
    "status_reason",
    "type",
    "comment",
    "created",
    "started",
    "completed",
    "last_update",
    "parent",
    "project.name",
    "user.name",
    "execution.queue",
    "execution.artifacts",
    "models",
    "hyperparams",
    "configuration",
    "last_metrics",
    "last_iteration",
    "tags",
];

/// The stable JSON of `task show` (as a value, for the text and CSV forms too).
pub fn show_json(t: &Value) -> Value {
    json::to_value(&show_shape(t))
}

/// `task show`'s shape from a task document (get_all_ex or get_by_id).
pub fn show_shape(t: &Value) -> json::TaskShow {
    let field = |key: &str| t.get(key).cloned().unwrap_or(Value::Null);
    let mut params = Map::new();
    if let Some(sections) = t.get("hyperparams").and_then(Value::as_object) {
        for (section, names) in sections {
            for (name, p) in names.as_object().into_iter().flatten() {
                params.insert(
                    format!("{section}/{name}"),
                    p.get("value").cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    let configuration: Vec<String> = t
        .get("configuration")
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let pass = |e: &Value, key: &str| e.get(key).cloned().unwrap_or(Value::Null);
    let mut metrics: Vec<json::Metric> = t
        .get("last_metrics")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_object)
        .flat_map(|v| v.values())
        .map(|e| json::Metric {
            title: pass(e, "metric"),
            series: pass(e, "variant"),
            last: pass(e, "value"),
            min: pass(e, "min_value"),
            max: pass(e, "max_value"),
        })
        .collect();
    metrics.sort_by_key(|m| (m.title.to_string(), m.series.to_string()));
    let artifacts: Vec<json::Artifact> = match t.pointer("/execution/artifacts") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Object(o)) => o.values().cloned().collect(),
        _ => vec![],
    }
    .iter()
    .map(|a| json::Artifact {
        key: pass(a, "key"),
        artifact_type: pass(a, "type"),
        mode: pass(a, "mode"),
        uri: pass(a, "uri"),
        size: pass(a, "content_size"),
        hash: pass(a, "hash"),
    })
    .collect();
    let models = |kind: &str| -> Vec<json::ModelEntry> {
        t.pointer(&format!("/models/{kind}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            // get_all_ex gives `model` as a reference `{"id"}`, get_all/get_by_id as the id.
            .map(|m| json::ModelEntry {
                name: pass(m, "name"),
                id: m.get("model").and_then(ref_id),
                model_name: None,
            })
            .collect()
    };
    let id_name = |v: Option<&Value>| json::IdName {
        id: v.and_then(ref_id),
        name: v.map(ref_name),
    };
    json::TaskShow {
        id: field("id"),
        name: field("name"),
        status: field("status"),
        status_message: field("status_message"),
        status_reason: field("status_reason"),
        task_type: field("type"),
        comment: field("comment"),
        project: id_name(t.get("project")),
        user: id_name(t.get("user")),
        created: field("created"),
        started: field("started"),
        completed: field("completed"),
        last_update: field("last_update"),
        parent: t.get("parent").and_then(ref_id),
        queue: t.pointer("/execution/queue").and_then(ref_id),
        last_iteration: field("last_iteration"),
        tags: t.get("tags").cloned().unwrap_or(json!([])),
        params,
        configuration,
        metrics,
        artifacts,
        models: json::Models {
            input: models("input"),
            output: models("output"),
        },
    }
}

/// The human form of `task show`: a header block, then one small table per section.
pub fn show_text(j: &Value) -> String {
    let s = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut head = Listing::new(["field", "value"]);
    let mut add = |k: &str, v: String| {
        if !v.is_empty() {
            head.push(vec![k.to_string(), v], Value::Null);
        }
    };
    add("id", s(&j["id"]));
    add("name", s(&j["name"]));
    let mut status = s(&j["status"]);
    if let Some(m) = j["status_message"].as_str().filter(|m| !m.is_empty()) {
        status.push_str(&format!(" ({m})"));
    }
    add("status", status);
    add("type", s(&j["type"]));
    add("project", s(&j["project"]["name"]));
    add("user", s(&j["user"]["name"]));
    add("created", fmt_time(&j["created"]));
    add("started", fmt_time(&j["started"]));
    add("completed", fmt_time(&j["completed"]));
    add("updated", fmt_time(&j["last_update"]));
    add("parent", s(&j["parent"]));
    add("queue", s(&j["queue"]));
    add("iteration", fmt_number(&j["last_iteration"]));
    let tags: Vec<String> = j["tags"].as_array().into_iter().flatten().map(&s).collect();
    add("tags", tags.join(", "));
    add("comment", s(&j["comment"]));
    let mut out = head
        .to_table(false)
        .lines()
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    let mut section = |title: &str, l: Listing| {
        if !l.rows.is_empty() {
            out.push_str(&format!("\n{title}\n{}\n", indent(&l.to_table(false))));
        }
    };
    let mut params = Listing::new(["parameter", "value"]);
    for (k, v) in j["params"].as_object().into_iter().flatten() {
        params.push(vec![k.clone(), s(v)], Value::Null);
    }
    section("Parameters", params);
    let mut conf = Listing::new(["name"]);
    for n in j["configuration"].as_array().into_iter().flatten() {
        conf.push(vec![s(n)], Value::Null);
    }
    section("Configuration", conf);
    let mut metrics = Listing::new(["metric", "last", "min", "max"]);
    for m in j["metrics"].as_array().into_iter().flatten() {
        metrics.push(
            vec![
                format!("{}/{}", s(&m["title"]), s(&m["series"])),
                fmt_number(&m["last"]),
                fmt_number(&m["min"]),
                fmt_number(&m["max"]),
            ],
            Value::Null,
        );
    }
    section("Metrics", metrics);
    let mut arts = Listing::new(["artifact", "type", "size", "uri"]);
    for a in j["artifacts"].as_array().into_iter().flatten() {
        arts.push(
            vec![
                s(&a["key"]),
                s(&a["type"]),
                fmt_number(&a["size"]),
                s(&a["uri"]),
            ],
            Value::Null,
        );
    }
    section("Artifacts", arts);
    let mut models = Listing::new(["direction", "model", "entry", "model id"]);
    for dir in ["input", "output"] {
        for m in j["models"][dir].as_array().into_iter().flatten() {
            models.push(
                vec![
                    dir.to_string(),
                    s(&m["model_name"]),
                    s(&m["name"]),
                    s(&m["id"]),
                ],
                Value::Null,
            );
        }
    }
    section("Models", models);
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn run(
    ctx: &Ctx,
    client: &Client,
    task: &str,
    project: Option<&str>,
) -> anyhow::Result<()> {
    let t = lookup::find_task(client, task, project, SHOW_FIELDS).await?;
    let mut shape = show_shape(&t);
    add_model_names(client, &mut shape.models).await?;
    let j = json::to_value(&shape);
    match ctx.out.format {
        Format::Json => ctx.out.json(&j),
        Format::Csv => print!("{}", flat_listing(&j).to_csv()),
        Format::Table => print!("{}", show_text(&j)),
    }
    Ok(())
}

/// The task's model entries carry the entry name (`w0`); add each model's own name
/// (`model_name`, as `model list` shows it) with one lookup.
async fn add_model_names(client: &Client, models: &mut json::Models) -> anyhow::Result<()> {
    let ids: Vec<String> = models
        .input
        .iter()
        .chain(&models.output)
        .filter_map(|m| m.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found = client
        .get_all(
            "models.get_all_ex",
            &json!({"id": ids, "only_fields": ["id", "name"]}),
            "models",
            None,
        )
        .await?;
    for m in models.input.iter_mut().chain(models.output.iter_mut()) {
        let name = found
            .iter()
            .find(|f| {
                f["id"]
                    .as_str()
                    .is_some_and(|id| m.id.as_deref() == Some(id))
            })
            .map(|f| f["name"].clone())
            .unwrap_or(Value::Null);
        m.model_name = Some(name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk_task() -> Value {
        json!({
            "id": "660ef06f17194eabbe7ac8391f0d1955", "name": "train", "status": "completed",
            "type": "training", "project": {"id": "p1", "name": "Demo"},
            "user": {"id": "u1", "name": "Default User"},
            "created": "2026-11-27T01:08:03.886000+00:00",
            "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": "0.001"}}},
            "configuration": {"General": {"name": "General", "value": "{}"}},
            "last_metrics": {"a": {"b": {"metric": "loss", "variant": "train", "value": 0.5, "min_value": 0.5, "max_value": 2}}},
            "execution": {"artifacts": [{"key": "data", "type": "custom", "mode": "output", "uri": "http://f/x", "content_size": 10}]},
            "models": {"input": [{"name": "in", "model": {"id": "m0"}}], "output": [{"name": "model", "model": "m1"}]},
            "last_iteration": 99, "tags": ["a"]
        })
    }

    #[test]
    fn show_json_is_flat_and_stable() {
        let j = show_json(&sdk_task());
        assert_eq!(j["params"]["Args/lr"], "0.001");
        assert_eq!(j["configuration"], json!(["General"]));
        assert_eq!(
            j["metrics"][0],
            json!({"title": "loss", "series": "train", "last": 0.5, "min": 0.5, "max": 2})
        );
        assert_eq!(j["artifacts"][0]["size"], 10);
        assert_eq!(
            j["models"]["output"][0],
            json!({"name": "model", "id": "m1"})
        );
        // get_all_ex's reference shape gives the same plain id.
        assert_eq!(j["models"]["input"][0], json!({"name": "in", "id": "m0"}));
        assert_eq!(j["project"], json!({"id": "p1", "name": "Demo"}));
    }

    #[test]
    fn show_text_has_sections() {
        let text = show_text(&show_json(&sdk_task()));
        assert!(text.starts_with("id"), "{text}");
        assert!(text.contains("status     completed"), "{text}");
        assert!(
            text.contains("\nParameters\n  PARAMETER  VALUE\n  Args/lr    0.001\n"),
            "{text}"
        );
        assert!(text.contains("  loss/train  0.5   0.5  2"), "{text}");
        assert!(text.contains("\nModels\n"), "{text}");
        assert!(!text.contains("Artifacts\n\n"));
    }

    #[test]
    fn flat_listing_for_csv() {
        let l = flat_listing(&json!({"a": {"b": 1}, "c": [true, null]}));
        assert_eq!(l.to_csv(), "key,value\na.b,1\nc.0,true\nc.1,\n");
    }
}
