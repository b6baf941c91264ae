//! `server rehost --from URL --to URL`: after the file server moved, point the stored
//! links at its new place. On a stopped `serve` data dir every kind of link is rewritten
//! in one transaction; on a running server through its API (models, task artifacts).

use serde_json::{Value, json};

use super::json::RehostRow;
use crate::api::Client;
use crate::cli::RehostArgs;
use crate::config::Settings;
use crate::error::CliError;
use crate::output::{Listing, escape_control, shape_value};
use clearml_cmd_core::Ctx;
use clearml_serve::admin::rewrite_prefix;

/// A file server URL as links start: scheme://host[:port][/path], no query, no trailing `/`.
fn normalize(flag: &str, text: &str) -> Result<String, CliError> {
    let shown = escape_control(&text.chars().take(200).collect::<String>());
    if text.chars().any(char::is_control) || text.chars().any(char::is_whitespace) {
        return Err(CliError::usage(format!(
            "{flag} {shown}: a URL has no spaces or control characters"
        )));
    }
    let url = url::Url::parse(text).map_err(|e| {
        CliError::usage(format!("{flag} {shown} is not a URL ({e})"))
            .with_hint(format!("e.g. {flag} http://files-host:8081"))
    })?;
    if url.cannot_be_a_base()
        || (url.host_str().is_none_or(str::is_empty) && url.scheme() != "file")
    {
        return Err(CliError::usage(format!(
            "{flag} {shown} names no host (e.g. http://files-host:8081, s3://bucket/folder)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(CliError::usage(format!(
            "{flag} {shown}: a file server URL has no ?query or #fragment"
        )));
    }
    Ok(text.trim_end_matches('/').to_string())
}

/// Both URLs checked: distinct, and neither inside the other (a rerun would move the
/// links it just moved again).
pub fn check_urls(from: &str, to: &str) -> Result<(String, String), CliError> {
    let from = normalize("--from", from)?;
    let to = normalize("--to", to)?;
    if from == to {
        return Err(CliError::usage("--from and --to are the same URL"));
    }
    if rewrite_prefix(&to, &from, "").is_some() || rewrite_prefix(&from, &to, "").is_some() {
        return Err(CliError::usage(format!(
            "{from} and {to}: one is inside the other, so a second run would move links again"
        ))
        .with_hint("rehost to a neutral URL first, then to the final one"));
    }
    Ok((from, to))
}

pub async fn run(ctx: &Ctx, a: RehostArgs) -> anyhow::Result<()> {
    let (from, to) = check_urls(&a.from, &a.to)?;
    let api_mode = a.data_dir.is_none();
    let rows = match &a.data_dir {
        Some(dir) => {
            let dir = dir.clone();
            let (f, t, dry) = (from.clone(), to.clone(), a.dry_run);
            tokio::task::spawn_blocking(move || {
                clearml_serve::admin::rehost_data_dir(&dir, &f, &t, dry)
            })
            .await??
            .into_iter()
            .map(|c| RehostRow {
                kind: c.kind.into(),
                project: c.project,
                project_id: c.project_id,
                links: c.links,
                rewritten: !a.dry_run,
            })
            .collect()
        }
        None => {
            let settings = Settings::load(&ctx.config)?;
            let client = Client::from_settings(&settings)?;
            let names = project_names(&client).await?;
            let mut rows = through_api(&client, &names, &from, &to, a.dry_run).await?;
            if a.stack {
                rows.extend(in_stack_events(ctx, &client, &names, &from, &to, a.dry_run).await?);
            }
            rows
        }
    };
    report(ctx, &rows, &from, &to, a.dry_run);
    if api_mode && !a.stack {
        ctx.out.warn(
            "debug images and plots live in the events store, which the API cannot edit: \
             for 'clearml server serve', stop it and run this with --data-dir; for this \
             host's Docker stack add --stack",
        );
    }
    Ok(())
}

fn report(ctx: &Ctx, rows: &[RehostRow], from: &str, to: &str, dry_run: bool) {
    let mut l = Listing::new(["kind", "project", "links", "rewritten"]);
    for r in rows {
        l.push(
            vec![
                r.kind.clone(),
                r.project.clone(),
                r.links.to_string(),
                if r.rewritten { "yes" } else { "no" }.into(),
            ],
            shape_value(r),
        );
    }
    ctx.out.listing(&l);
    let total: usize = rows.iter().map(|r| r.links).sum();
    let moved: usize = rows.iter().filter(|r| r.rewritten).map(|r| r.links).sum();
    if dry_run {
        ctx.out.info(format!(
            "dry run: {total} link(s) under {from} would move to {to}; nothing changed"
        ));
    } else if total == 0 {
        ctx.out
            .info(format!("no stored link starts with {from}: nothing to do"));
    } else {
        ctx.out.info(format!("{moved} link(s) now point at {to}"));
    }
}

/// Project id → name on the server.
pub(crate) async fn project_names(
    client: &Client,
) -> anyhow::Result<std::collections::HashMap<String, String>> {
    let projects = client
        .get_all(
            "projects.get_all",
            &json!({"only_fields": ["id", "name"], "search_hidden": true}),
            "projects",
            None,
        )
        .await?;
    Ok(projects
        .iter()
        .filter_map(|p| {
            Some((
                p["id"].as_str()?.to_string(),
                p["name"].as_str()?.to_string(),
            ))
        })
        .collect())
}

/// Through the configured server's API: model URIs (`models.edit`) and task artifacts
/// (`tasks.edit` with `force`, which the real server allows on finished tasks).
async fn through_api(
    client: &Client,
    names: &std::collections::HashMap<String, String>,
    from: &str,
    to: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<RehostRow>> {
    let mut counts: std::collections::BTreeMap<(usize, String), usize> = Default::default();
    let models = client
        .get_all(
            "models.get_all",
            &json!({"only_fields": ["id", "uri", "project"]}),
            "models",
            None,
        )
        .await?;
    for m in &models {
        let (Some(id), Some(uri)) = (m["id"].as_str(), m["uri"].as_str()) else {
            continue;
        };
        let Some(new) = rewrite_prefix(uri, from, to) else {
            continue;
        };
        if !dry_run {
            client
                .call("models.edit", &json!({"model": id, "uri": new}))
                .await
                .map_err(|e| e.context(format!("editing model {id}")))?;
        }
        let project = m["project"].as_str().unwrap_or("").to_string();
        *counts.entry((0, project)).or_default() += 1;
    }
    let tasks = client
        .get_all(
            "tasks.get_all",
            &json!({"only_fields": ["id", "project", "execution"], "search_hidden": true}),
            "tasks",
            None,
        )
        .await?;
    for t in &tasks {
        let Some(id) = t["id"].as_str() else { continue };
        // `tasks.edit` replaces `execution` whole (the real server fills what is missing
        // with defaults): the whole section goes back, only artifact links changed.
        let mut execution = t["execution"].clone();
        let Some(Value::Array(artifacts)) = execution.get_mut("artifacts") else {
            continue;
        };
        let mut n = 0;
        for a in artifacts.iter_mut() {
            if let Some(Value::String(uri)) = a.get_mut("uri")
                && let Some(new) = rewrite_prefix(uri, from, to)
            {
                *uri = new;
                n += 1;
            }
        }
        if n == 0 {
            continue;
        }
        if !dry_run {
            client
                .call(
                    "tasks.edit",
                    &json!({"task": id, "force": true, "execution": execution}),
                )
                .await
                .map_err(|e| e.context(format!("editing the artifacts of task {id}")))?;
        }
        let project = t["project"].as_str().unwrap_or("").to_string();
        *counts.entry((1, project)).or_default() += n;
    }
    let kinds = ["model", "artifact"];
    let mut rows: Vec<RehostRow> = counts
        .into_iter()
        .map(|((k, project_id), links)| RehostRow {
            kind: kinds[k].into(),
            project: names.get(&project_id).cloned().unwrap_or_default(),
            project_id,
            links,
            rewritten: !dry_run,
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.kind.clone(), a.project.clone()).cmp(&(b.kind.clone(), b.project.clone()))
    });
    Ok(rows)
}

/// The debug image and plot links in the Docker stack's Elasticsearch: counted per task
/// (then per project, through the API), rewritten with one `_update_by_query`. A rerun
/// finds nothing left; an interrupted run leaves each event either moved or not.
async fn in_stack_events(
    ctx: &Ctx,
    client: &Client,
    names: &std::collections::HashMap<String, String>,
    from: &str,
    to: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<RehostRow>> {
    use clearml_stack::{docker, es, events, lifecycle};
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&Default::default(), Some(&engine)).await?;
    let id = es::container(&engine, &stack).await?;
    let counts = events::count_links(&engine, &id, from).await?;
    let task_ids: Vec<&str> = counts.keys().map(|(_, t)| t.as_str()).collect();
    let mut project_of: std::collections::HashMap<String, String> = Default::default();
    if !task_ids.is_empty() {
        let tasks = client
            .get_all(
                "tasks.get_all",
                &json!({"id": task_ids, "only_fields": ["id", "project"], "search_hidden": true}),
                "tasks",
                None,
            )
            .await?;
        for t in &tasks {
            if let (Some(id), Some(p)) = (t["id"].as_str(), t["project"].as_str()) {
                project_of.insert(id.to_string(), p.to_string());
            }
        }
    }
    // (kind, project, rewritten) -> events; compressed plots are never rewritten.
    let mut by_project: std::collections::BTreeMap<(String, String, bool), usize> =
        Default::default();
    for ((kind, task), n) in &counts {
        let project = project_of.get(task).cloned().unwrap_or_default();
        let moved = n.events - n.compressed.min(n.events);
        if moved > 0 {
            *by_project
                .entry((kind.clone(), project.clone(), !dry_run))
                .or_default() += moved;
        }
        if n.compressed > 0 {
            *by_project
                .entry((kind.clone(), project, false))
                .or_default() += n.compressed;
        }
    }
    let compressed: usize = counts.values().map(|c| c.compressed).sum();
    if compressed > 0 {
        ctx.out.warn(format!(
            "{compressed} plot(s) with links under {from} are stored compressed (100,000 characters and more), which Elasticsearch's scripts cannot rewrite: they stay as they are (rows with rewritten 'no')"
        ));
    }
    if !dry_run && counts.values().any(|c| c.events > c.compressed) {
        let (updated, _) = events::rehost(&engine, &id, from, to).await?;
        ctx.out
            .info(format!("Elasticsearch rewrote {updated} event(s)"));
    }
    Ok(by_project
        .into_iter()
        .map(|((kind, project_id, rewritten), links)| RehostRow {
            kind,
            project: names.get(&project_id).cloned().unwrap_or_default(),
            project_id,
            links,
            rewritten,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::check_urls;

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            check_urls("http://h:8081/", "https://files.example.com").unwrap(),
            (
                "http://h:8081".to_string(),
                "https://files.example.com".to_string()
            )
        );
        assert!(check_urls("s3://bucket/folder", "http://h:8081").is_ok());
        for (f, t) in [
            ("http://h:8081", "http://h:8081/"),
            ("http://h:8081", "http://h:8081/sub"),
            ("http://h:8081/a/b", "http://h:8081/a"),
            ("not a url", "http://h:8081"),
            ("http://h:8081", "http://h:8082/x?y=1"),
            ("http://h:8081\n", "http://h:8082"),
            ("http://h:8081", "mailto:x@y"),
            ("", "http://h:8082"),
        ] {
            assert!(check_urls(f, t).is_err(), "{f} -> {t}");
        }
    }
}
