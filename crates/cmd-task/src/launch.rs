//! `task launch`: a script made into a task an agent can run (`clearml-task` without
//! Python), a draft or enqueued.

use serde_json::json;

use super::bulk;
use super::json::LaunchResult;
use crate::api::{Client, lookup};
use crate::cli::TaskLaunchArgs;
use crate::output::Format;
use clearml_cmd_core::Ctx;
use clearml_launch::Request;

pub async fn run(ctx: &Ctx, client: &Client, a: TaskLaunchArgs) -> anyhow::Result<()> {
    let req = Request {
        script: a.script.clone(),
        script_args: a.script_args.clone(),
        args: clearml_launch::parse_args(&a.args)?,
        requirements: a.requirements.clone(),
        packages: a.packages.clone(),
        cwd: a.cwd.clone(),
        docker: a.docker.clone(),
        docker_args: a.docker_args.clone(),
        task_init: !a.skip_task_init,
        task_type: a.task_type.clone(),
        single_file: a.single_file,
    };
    let name = match &a.name {
        Some(n) => n.clone(),
        None => a
            .script
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    // Everything local is checked before the server is asked anything.
    lookup::check_name("task", &name)?;
    lookup::check_name("project", &a.project)?;
    let src = clearml_launch::source(&req)?;
    for w in &src.warnings {
        ctx.out.warn(w);
    }
    let mut result = LaunchResult {
        id: None,
        name: name.clone(),
        project: a.project.clone(),
        repository: src.repository.clone(),
        branch: src.branch.clone(),
        commit: src.commit.clone(),
        working_dir: src.working_dir.clone(),
        entry_point: src.entry_point.clone(),
        diff_bytes: src.diff.len(),
        queue: None,
        warnings: src.warnings.clone(),
        request: None,
    };
    if a.dry_run {
        let body = clearml_launch::create_body(&src, &req, &name, "<project id>", &a.tags);
        result.request = Some(body.clone());
        if ctx.out.format == Format::Json {
            ctx.out.json(&super::json::to_value(&result));
        } else {
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
        }
        ctx.out.info("dry run: nothing was created");
        return Ok(());
    }
    let queue = match &a.queue {
        Some(q) => Some(bulk::queue_id(client, q).await?),
        None => None,
    };
    let project_id = lookup::ensure_project(client, &a.project).await?;
    let body = clearml_launch::create_body(&src, &req, &name, &project_id, &a.tags);
    let id = clearml_launch::create(client, &body).await?;
    if let Some(q) = &queue {
        client
            .call("tasks.enqueue", &json!({"task": id, "queue": q}))
            .await?;
    }
    result.id = Some(id.clone());
    result.queue = queue;
    if ctx.out.format == Format::Json {
        ctx.out.json(&super::json::to_value(&result));
    } else {
        println!("{id}");
    }
    let from = if src.in_repository() {
        format!(
            "{} at {}{}",
            src.repository,
            &src.commit[..src.commit.len().min(8)],
            if src.diff.is_empty() {
                String::new()
            } else {
                format!(" + {} bytes of uncommitted changes", src.diff.len())
            }
        )
    } else {
        "the script's text".to_string()
    };
    ctx.out.info(format!(
        "created task '{name}' ({}) from {from}{}",
        &id[..id.len().min(8)],
        match &a.queue {
            Some(q) => format!(", queued in '{q}'"),
            None => ", a draft (enqueue it with 'clearml task enqueue')".to_string(),
        }
    ));
    Ok(())
}
