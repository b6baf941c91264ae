//! `model list`: filters and the table/JSON rows of models.

use serde_json::{Map, Value, json};

use crate::api::Client;
use crate::api::lookup::{self};
use crate::cli::ModelListArgs;
use crate::output::Listing;
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::{fmt_time, ref_id, ref_name};

const LIST_FIELDS: &[&str] = &[
    "id",
    "name",
    "project.name",
    "framework",
    "ready",
    "tags",
    "task.name",
    "created",
    "uri",
];

/// The request body of `models.get_all_ex` for `model list` (ids already resolved).
pub fn list_body(a: &ModelListArgs, project_id: Option<String>) -> Value {
    let mut b = Map::new();
    b.insert("only_fields".into(), json!(LIST_FIELDS));
    b.insert("order_by".into(), json!(["-created"]));
    b.insert("system_tags".into(), json!(["-archived"]));
    if let Some(p) = project_id {
        b.insert("project".into(), json!([p]));
    }
    if let Some(n) = &a.name {
        b.insert("name".into(), json!(n));
    }
    if !a.tag.is_empty() {
        b.insert("tags".into(), json!(a.tag));
    }
    if let Some(f) = &a.framework {
        b.insert("framework".into(), json!([f]));
    }
    if a.published {
        b.insert("ready".into(), json!(true));
    } else if a.draft {
        b.insert("ready".into(), json!(false));
    }
    if let Some(t) = &a.task {
        b.insert("task".into(), json!([t]));
    }
    Value::Object(b)
}

/// One model as a listing row and its stable JSON (`model list --json`):
/// `{id, name, project, framework, status: "published"|"draft", ready, task: {id, name},
/// tags, created, uri}`.
pub fn model_row(m: &Value) -> (Vec<String>, Value) {
    let ready = m["ready"].as_bool().unwrap_or(false);
    let status = if ready { "published" } else { "draft" };
    let tags: Vec<String> = m["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    let task_name = m.get("task").map(ref_name).unwrap_or_default();
    let row = vec![
        m["id"].as_str().unwrap_or("").to_string(),
        m["name"].as_str().unwrap_or("").to_string(),
        m.get("project").map(ref_name).unwrap_or_default(),
        m["framework"].as_str().unwrap_or("").to_string(),
        status.to_string(),
        task_name.clone(),
        tags.join(","),
        fmt_time(&m["created"]),
    ];
    (row, super::json::to_value(&model_shape(m)))
}

/// `model list`'s shape of one model.
pub fn model_shape(m: &Value) -> super::json::ModelRow {
    let ready = m["ready"].as_bool().unwrap_or(false);
    super::json::ModelRow {
        id: m["id"].clone(),
        name: m["name"].clone(),
        project: m.get("project").map(ref_name),
        framework: m["framework"].clone(),
        status: if ready { "published" } else { "draft" }.to_string(),
        ready,
        task: m
            .get("task")
            .filter(|t| !t.is_null())
            .map(|t| super::json::TaskRef {
                id: ref_id(t),
                name: ref_name(t),
            }),
        tags: m["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        created: m["created"].clone(),
        uri: m["uri"].clone(),
    }
}

pub async fn run(ctx: &Ctx, client: &Client, a: ModelListArgs) -> anyhow::Result<()> {
    if let Some(regex) = &a.name {
        clearml_cmd_core::task::query::check_name_regex(regex)?;
    }
    let pid = match &a.project {
        Some(p) => Some(lookup::project_id(client, p).await?),
        None => None,
    };
    let mut a = a;
    if let Some(t) = &a.task {
        // A task name (or id), resolved as `task show` does; the filter takes only ids.
        let found = lookup::find_task(client, t, None, &["id"]).await?;
        a.task = found["id"].as_str().map(str::to_string);
    }
    let body = list_body(&a, pid);
    let limit = if a.all { None } else { Some(a.limit) };
    let models = client
        .get_all("models.get_all_ex", &body, "models", limit)
        .await?;
    let mut l = Listing::new([
        "id",
        "name",
        "project",
        "framework",
        "status",
        "task",
        "tags",
        "created",
    ]);
    for m in &models {
        let (row, json) = model_row(m);
        l.push(row, json);
    }
    ctx.out.listing(&l);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_body_filters() {
        let a = ModelListArgs {
            project: None,
            name: Some("^res".into()),
            tag: vec!["x".into()],
            framework: Some("PyTorch".into()),
            published: true,
            draft: false,
            task: Some("t1".into()),
            limit: 10,
            all: false,
        };
        let b = list_body(&a, Some("p1".into()));
        assert_eq!(b["project"], json!(["p1"]));
        assert_eq!(b["ready"], true);
        assert_eq!(b["framework"], json!(["PyTorch"]));
        assert_eq!(b["task"], json!(["t1"]));
        assert_eq!(b["name"], "^res");
    }

    #[test]
    fn rows_from_a_real_shaped_model() {
        let m = json!({"id": "2318", "name": "demo-model", "project": {"id": "p", "name": "Demo"},
            "task": {"id": "660e", "name": "t1-demo"}, "framework": "custom", "ready": true,
            "tags": [], "created": "2026-11-27T01:08:03.886000+00:00",
            "uri": "http://127.0.0.1:8081/Demo/t1-demo.660e/models/model.bin"});
        let (row, j) = model_row(&m);
        assert_eq!(
            row,
            [
                "2318",
                "demo-model",
                "Demo",
                "custom",
                "published",
                "t1-demo",
                "",
                "2026-11-27 01:08:03Z"
            ]
        );
        assert_eq!(j["task"], json!({"id": "660e", "name": "t1-demo"}));
        assert_eq!(j["status"], "published");
    }
}
