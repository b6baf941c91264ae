//! `task edit`: parameters, name, comment and tags of one task.

use serde_json::{Value, json};

use super::json::EditResult;
use super::select;
use crate::api::{Client, lookup};
use crate::cli::TaskEditArgs;
use crate::error::CliError;
use crate::output::Format;
use clearml_cmd_core::Ctx;

/// One `--set Section/name=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSet {
    pub section: String,
    pub name: String,
    pub value: String,
}

/// `--set` values: `Section/name=value` (the value may contain '=' and '/').
pub fn parse_sets(specs: &[String]) -> Result<Vec<ParamSet>, CliError> {
    specs
        .iter()
        .map(|spec| {
            let bad = || {
                CliError::usage(format!("bad --set '{spec}'"))
                    .with_hint("write Section/name=value, e.g. --set Args/lr=0.01")
            };
            let (key, value) = spec.split_once('=').ok_or_else(bad)?;
            let (section, name) = key.split_once('/').ok_or_else(bad)?;
            if section.trim().is_empty() || name.trim().is_empty() {
                return Err(bad());
            }
            Ok(ParamSet {
                section: section.trim().to_string(),
                name: name.trim().to_string(),
                value: value.to_string(),
            })
        })
        .collect()
}

/// Add or update parameters, leaving the others as they are (`replace_hyperparams: none`).
/// The server refuses a task that is not a draft unless `force`.
pub async fn set_params(
    client: &Client,
    task: &str,
    params: &[ParamSet],
    force: bool,
) -> anyhow::Result<()> {
    let items: Vec<Value> = params
        .iter()
        .map(|p| json!({"section": p.section, "name": p.name, "value": p.value}))
        .collect();
    let mut body = json!({"task": task, "hyperparams": items, "replace_hyperparams": "none"});
    if force {
        body["force"] = json!(true);
    }
    client
        .call("tasks.edit_hyper_params", &body)
        .await
        .map(|_| ())
        .map_err(|e| hint_force(e, force))
}

/// A draft-only refusal gets the flag that overrides it.
fn hint_force(e: anyhow::Error, force: bool) -> anyhow::Error {
    let refused_status = crate::error::api_error_of(&e)
        .and_then(|a| a.codes())
        .is_some_and(|(code, sub)| code == 400 && sub == 110);
    if refused_status && !force {
        let msg = crate::error::one_line(&e);
        return CliError::failure(msg)
            .with_hint("the task is not a draft: pass --force to edit it anyway, or clone it")
            .into();
    }
    e
}

pub async fn run(ctx: &Ctx, client: &Client, a: TaskEditArgs) -> anyhow::Result<()> {
    let params = parse_sets(&a.set)?;
    if let Some(n) = &a.name {
        lookup::check_name("task", n)?;
    }
    if params.is_empty()
        && a.name.is_none()
        && a.comment.is_none()
        && a.tags.is_empty()
        && a.remove_tags.is_empty()
    {
        return Err(CliError::usage("nothing to change")
            .with_hint("give --set Section/name=value, --name, --comment, --tag or --remove-tag")
            .into());
    }
    let task = select::one(client, &a.task).await?;
    let mut changed = Vec::new();
    if !params.is_empty() {
        set_params(client, &task.id, &params, a.force).await?;
        changed.push("params".to_string());
    }
    // tasks.update changes name and comment in any status (as the web UI does).
    if a.name.is_some() || a.comment.is_some() {
        let mut body = json!({"task": task.id});
        if let Some(n) = &a.name {
            body["name"] = json!(n);
            changed.push("name".into());
        }
        if let Some(c) = &a.comment {
            body["comment"] = json!(c);
            changed.push("comment".into());
        }
        client.call("tasks.update", &body).await?;
    }
    if !a.tags.is_empty() || !a.remove_tags.is_empty() {
        client
            .call(
                "tasks.update_tags",
                &json!({"ids": [task.id], "add_tags": a.tags, "remove_tags": a.remove_tags}),
            )
            .await?;
        changed.push("tags".into());
    }
    let result = EditResult {
        id: task.id.clone(),
        changed: changed.clone(),
    };
    if ctx.out.format == Format::Json {
        ctx.out.json(&super::json::to_value(&result));
    }
    ctx.out.info(format!(
        "edited '{}' ({}): {}",
        task.name,
        task.short_id(),
        changed.join(", ")
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_split_at_the_first_slash_and_equals() {
        let p = parse_sets(&["Args/lr=0.01".into(), "General/путь=a/b=c".into()]).unwrap();
        assert_eq!(
            p[1],
            ParamSet {
                section: "General".into(),
                name: "путь".into(),
                value: "a/b=c".into()
            }
        );
        assert_eq!(p[0].value, "0.01");
        for bad in ["lr=0.01", "Args/lr", "/lr=1", "Args/=1"] {
            let e = parse_sets(&[bad.into()]).unwrap_err();
            assert!(e.to_string().contains("Section/name=value"), "{bad}: {e}");
        }
    }
}
