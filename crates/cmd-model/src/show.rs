//! `model show`: one model in detail; finding a model by id or exact name.

use serde_json::{Map, Value, json};

use super::list::model_shape;
use crate::api::Client;
use crate::api::lookup::{self, exact_regex, looks_like_id};
use crate::cli::Format;
use crate::error::CliError;
use crate::output::Listing;
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::flat_listing;
use clearml_cmd_core::task::query::{fmt_time, ref_name};

const SHOW_FIELDS: &[&str] = &[
    "id",
    "name",
    "project.name",
    "framework",
    "ready",
    "tags",
    "task.name",
    "created",
    "last_update",
    "uri",
    "comment",
    "labels",
    "metadata",
    "user.name",
    "parent",
    "last_iteration",
];

/// A model by id or by exact name (latest created; with `published_only`, latest published).
pub(super) async fn find_model(
    client: &Client,
    id_or_name: &str,
    project: Option<&str>,
    published_only: bool,
) -> anyhow::Result<Value> {
    if looks_like_id(id_or_name) {
        let found = client
            .get_all(
                "models.get_all_ex",
                &json!({"id": [id_or_name], "only_fields": SHOW_FIELDS}),
                "models",
                Some(1),
            )
            .await?;
        if let Some(m) = found.into_iter().next() {
            return Ok(m);
        }
    }
    let mut body = json!({
        "name": exact_regex(id_or_name),
        "only_fields": SHOW_FIELDS,
        "order_by": ["-created"],
    });
    if published_only {
        body["ready"] = json!(true);
    }
    if let Some(p) = project {
        body["project"] = json!([lookup::project_id(client, p).await?]);
    }
    let found = client
        .get_all("models.get_all_ex", &body, "models", Some(2))
        .await?;
    if found.len() > 1 {
        lookup::warn_ambiguous("models", id_or_name, &found[0]);
    }
    found.into_iter().next().ok_or_else(|| {
        let what = if published_only {
            "no published model"
        } else {
            "no model"
        };
        CliError::not_found(format!("{what} with id or name '{id_or_name}'"))
            .with_hint("see 'clearml model list' (add --draft to see unpublished ones)")
            .into()
    })
}

/// The stable JSON of `model show`.
pub fn show_json(m: &Value) -> Value {
    super::json::to_value(&show_shape(m))
}

/// `model show`'s shape of one model.
pub fn show_shape(m: &Value) -> super::json::ModelShow {
    let mut metadata = Map::new();
    for (k, v) in m["metadata"].as_object().into_iter().flatten() {
        metadata.insert(
            k.clone(),
            v.get("value").cloned().unwrap_or_else(|| v.clone()),
        );
    }
    super::json::ModelShow {
        row: model_shape(m),
        comment: m["comment"].clone(),
        labels: m.get("labels").cloned().unwrap_or(json!({})),
        last_update: m["last_update"].clone(),
        user: m.get("user").map(ref_name),
        parent: m["parent"].clone(),
        metadata,
    }
}

/// The `field value` rows of `model show`: tags on one row, a multi-line comment as one
/// row per line (the table escapes a raw line break), empty fields left out.
pub fn show_rows(j: &Value) -> Vec<(String, String)> {
    let mut j = j.clone();
    if let Some(tags) = j.get("tags").and_then(Value::as_array) {
        let joined: Vec<String> = tags
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| t.to_string())
            })
            .collect();
        j["tags"] = json!(joined.join(", "));
    }
    let mut rows = Vec::new();
    for r in flat_listing(&j).rows {
        let (k, v) = (r[0].clone(), r[1].clone());
        if v.is_empty() {
            continue;
        }
        // The same time format as every other table.
        let v = match k.as_str() {
            "created" | "last_update" => fmt_time(&Value::String(v)),
            _ => v,
        };
        for (i, line) in v.lines().enumerate() {
            let key = if i == 0 { k.clone() } else { String::new() };
            rows.push((key, line.to_string()));
        }
    }
    rows
}

pub async fn run(
    ctx: &Ctx,
    client: &Client,
    model: &str,
    project: Option<&str>,
) -> anyhow::Result<()> {
    let m = find_model(client, model, project, false).await?;
    let j = show_json(&m);
    match ctx.out.format {
        Format::Json => ctx.out.json(&j),
        Format::Csv => print!("{}", flat_listing(&j).to_csv()),
        Format::Table => {
            let mut l = Listing::new(["field", "value"]);
            for (k, v) in show_rows(&j) {
                l.push(vec![k, v], Value::Null);
            }
            let text = l.to_table(false);
            println!("{}", text.lines().skip(1).collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_rows_join_tags_and_split_comments() {
        let j = show_json(&json!({
            "id": "m1", "name": "net", "tags": ["a", "b"], "comment": "line one\nline two",
            "ready": true, "created": null,
        }));
        let rows = show_rows(&j);
        assert!(rows.contains(&("tags".into(), "a, b".into())), "{rows:?}");
        assert!(
            !rows.iter().any(|(k, _)| k.starts_with("tags.")),
            "{rows:?}"
        );
        let at = rows.iter().position(|(k, _)| k == "comment").unwrap();
        assert_eq!(rows[at].1, "line one");
        assert_eq!(rows[at + 1], (String::new(), "line two".to_string()));
    }
}
