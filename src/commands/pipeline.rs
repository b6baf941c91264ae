//! `pipeline run|status|list`: a TOML pipeline run on ClearML agents, and the runs the
//! server holds (ours and the SDK's PipelineController's alike).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde_json::{Value, json};

use super::task::query::{fmt_time, ref_name};
use super::{Ctx, lookup};
use crate::api::Client;
use crate::api::lookup::looks_like_id;
use crate::cli::{Format, PipelineCommand, PipelineListArgs, PipelineRunArgs, PipelineStatusArgs};
use crate::config::Settings;
use crate::error::{CliError, Exit};
use crate::output::{Listing, escape_control};
use crate::pipeline::runner::{self, Note, Outcome, Plan, Runner, StepView};
use crate::pipeline::spec::{self, Problem};

pub async fn run(ctx: &Ctx, cmd: PipelineCommand) -> anyhow::Result<()> {
    match cmd {
        PipelineCommand::Run(a) => run_file(ctx, a).await,
        PipelineCommand::Status(a) => status(ctx, a).await,
        PipelineCommand::List(a) => list(ctx, a).await,
    }
}

fn client(ctx: &Ctx) -> anyhow::Result<(Client, Settings)> {
    let settings = Settings::load(&ctx.config)?;
    Ok((Client::from_settings(&settings)?, settings))
}

// ---------------------------------------------------------------- run

async fn run_file(ctx: &Ctx, a: PipelineRunArgs) -> anyhow::Result<()> {
    let file = a.file.display().to_string();
    let text = std::fs::read_to_string(&a.file).map_err(|e| {
        CliError::usage(format!("cannot read the pipeline file {file}: {e}"))
            .with_hint("give the path of a TOML pipeline file (see docs/pipelines.md)")
    })?;
    let mut overrides = Vec::new();
    for p in &a.params {
        let Some((k, v)) = p.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(CliError::usage(format!("--param '{p}' is not NAME=VALUE"))
                .with_hint("e.g. --param dataset=s3://bucket/raw.csv")
                .into());
        };
        overrides.push((k.trim().to_string(), v.to_string()));
    }
    if let Some(url) = &a.notify {
        super::task::check_notify_url(url)?;
    }
    let spec = spec::parse(&text, &overrides)
        .map_err(|p| report_problems(&file, &text, &p, Exit::Usage))?;
    let (client, settings) = client(ctx)?;
    let plan = runner::prepare(&client, spec, a.queue.as_deref())
        .await?
        .map_err(|p| report_problems(&file, &text, &p, Exit::NotFound))?;
    for q in &plan.idle_queues {
        ctx.out.warn(format!(
            "no worker listens on queue '{q}': its steps will stay queued until one does \
             (clearml-agent daemon --queue {q})"
        ));
    }
    if a.dry_run {
        print_plan(ctx, &plan);
        return Ok(());
    }
    let web = settings.web_host.value.trim_end_matches('/').to_string();
    let mut r = Runner::launch(&client, plan, web.clone()).await?;
    ctx.out.info(format!(
        "pipeline '{}' ({}) started, version {}: {web}/projects/{}/experiments/{}",
        r.run_name, r.controller_id, r.version, r.project_id, r.controller_id
    ));
    let live = ctx.out.progress && std::io::stderr().is_terminal();
    let mut drawn = 0usize;
    let outcome = r
        .run(
            |note, views| {
                if live {
                    if let Note::Warning(w) | Note::Unreachable(w) = note {
                        clear_lines(drawn);
                        drawn = 0;
                        ctx.out.warn(w);
                    }
                    if matches!(note, Note::Reachable) {
                        clear_lines(drawn);
                        drawn = 0;
                        ctx.out.info("the server answers again");
                    }
                    clear_lines(drawn);
                    let table = steps_table(views).to_table(false);
                    eprintln!("{table}");
                    drawn = table.lines().count();
                } else {
                    match note {
                        Note::Step(name) => {
                            if let Some(v) = views.iter().find(|v| &v.name == name) {
                                ctx.out.info(step_line(v));
                            }
                        }
                        Note::Warning(w) => ctx.out.warn(w),
                        Note::Unreachable(e) => ctx.out.warn(format!(
                            "{e}; the pipeline goes on once the server answers (for up to {})",
                            humantime::format_duration(runner::OUTAGE_LIMIT)
                        )),
                        Note::Reachable => ctx.out.info("the server answers again"),
                    }
                }
            },
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        )
        .await?;
    let views = r.views();
    let summary = run_summary(&r, outcome, &views);
    match ctx.out.format {
        Format::Json => ctx.out.json(&summary),
        Format::Csv => print!("{}", steps_table(&views).to_csv()),
        Format::Table => {
            if !live {
                println!("{}", steps_table(&views).to_table(ctx.out.color));
            }
        }
    }
    if let Some(url) = &a.notify {
        match client.post_json(url, &summary).await {
            Ok(s) if (200..300).contains(&s) => ctx.out.info(format!("notified {url}")),
            Ok(s) => ctx.out.warn(format!("--notify {url} answered HTTP {s}")),
            Err(e) => ctx.out.warn(format!("--notify failed: {e}")),
        }
    }
    match outcome {
        Outcome::Completed => {
            ctx.out.info(format!(
                "pipeline '{}' completed in {}",
                r.run_name,
                fmt_duration(r.elapsed())
            ));
            Ok(())
        }
        Outcome::Failed => Err(CliError::new(
            Exit::WaitedTaskFailed,
            format!(
                "pipeline '{}' failed: {}",
                r.run_name,
                r.failures().join(", ")
            ),
        )
        .into()),
        Outcome::Stopped => Err(CliError::new(
            Exit::Interrupted,
            format!(
                "interrupted: the running steps were stopped and '{}' marked stopped",
                r.run_name
            ),
        )
        .into()),
    }
}

/// Every problem on stderr as `FILE:LINE:COL: ...`; the error says nothing was created.
fn report_problems(file: &str, text: &str, problems: &[Problem], exit: Exit) -> anyhow::Error {
    for p in problems {
        eprintln!("{}", p.render(file, text));
    }
    let n = problems.len();
    CliError::new(
        exit,
        format!(
            "{n} problem{} in {file}; nothing was created on the server",
            if n == 1 { "" } else { "s" }
        ),
    )
    .into()
}

fn print_plan(ctx: &Ctx, plan: &Plan) {
    let spec = &plan.spec;
    let mut l = Listing::new(["step", "parents", "base task", "queue", "parameters"]);
    for &i in &spec.order {
        let s = &spec.steps[i];
        let params = spec.static_parameters(s);
        let base = &plan.bases[i];
        l.push(
            vec![
                s.name.clone(),
                s.parents.join(", "),
                format!(
                    "{} ({})",
                    base["id"].as_str().unwrap_or(""),
                    base["name"].as_str().unwrap_or("")
                ),
                plan.queues[i].0.clone(),
                params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ],
            json!({
                "name": s.name, "parents": s.parents,
                "base_task_id": base["id"], "base_task_name": base["name"],
                "queue": plan.queues[i].0,
                "parameters": params.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "time_limit_s": s.time_limit.map(|d| d.as_secs()),
                "retry_on_failure": s.retry_on_failure,
                "continue_on_fail": s.continue_on_fail,
                "cache_executed_step": s.cache_executed_step,
            }),
        );
    }
    match ctx.out.format {
        Format::Json => ctx.out.json(&json!({
            "name": spec.name, "project": spec.project, "version": spec.version,
            "default_queue": spec.default_queue,
            "parameters": spec.parameters.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "steps": l.json,
        })),
        _ => ctx.out.listing(&l),
    }
}

fn steps_table(views: &[StepView]) -> Listing {
    let mut l = Listing::new(["step", "status", "queue", "worker", "duration", "task id"]);
    for v in views {
        let mut status = v.status.to_string();
        if v.attempts > 1 {
            status.push_str(&format!(" (try {})", v.attempts));
        }
        l.push(
            vec![
                v.name.clone(),
                status,
                v.queue.clone(),
                v.worker.clone().unwrap_or_default(),
                v.duration.map(fmt_duration).unwrap_or_default(),
                v.task_id.clone().unwrap_or_default(),
            ],
            step_json(v),
        );
    }
    l
}

fn step_json(v: &StepView) -> Value {
    json!({
        "name": v.name, "status": v.status, "task_id": v.task_id, "queue": v.queue,
        "worker": v.worker, "attempts": v.attempts,
        "duration_s": v.duration.map(|d| (d.as_secs_f64() * 10.0).round() / 10.0),
    })
}

fn step_line(v: &StepView) -> String {
    let mut s = format!("{}: {}", escape_control(&v.name), v.status);
    if let Some(id) = &v.task_id {
        s.push_str(&format!(" (task {id}, queue {})", v.queue));
    }
    if v.attempts > 1 {
        s.push_str(&format!(" try {}", v.attempts));
    }
    s
}

fn run_summary(r: &Runner, outcome: Outcome, views: &[StepView]) -> Value {
    json!({
        "event": "clearml.pipeline.run",
        "id": r.controller_id,
        "name": r.run_name,
        "pipeline": r.plan().spec.name,
        "project": r.plan().spec.project,
        "version": r.version,
        "status": outcome.as_str(),
        "duration_s": (r.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        "steps": views.iter().map(step_json).collect::<Vec<_>>(),
    })
}

fn clear_lines(n: usize) {
    if n > 0 {
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\x1b[{n}A\x1b[J");
        let _ = e.flush();
    }
}

pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

// ---------------------------------------------------------------- status

const RUN_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "status_reason",
    "project.name",
    "created",
    "started",
    "completed",
    "configuration",
    "runtime",
    "hyperparams",
];

async fn status(ctx: &Ctx, a: PipelineStatusArgs) -> anyhow::Result<()> {
    let (client, _) = client(ctx)?;
    let run = find_run(&client, &a.run, a.project.as_deref()).await?;
    let id = run["id"].as_str().unwrap_or_default().to_string();
    let live = a.watch && ctx.out.format == Format::Table && std::io::stdout().is_terminal();
    let mut last = String::new();
    let mut drawn = 0;
    loop {
        let run = fetch_runs(&client, &json!({"id": [id]}), 1)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| CliError::not_found(format!("pipeline run {id} disappeared")))?;
        let view = run_view(&client, &run).await?;
        let finished = matches!(
            run["status"].as_str().unwrap_or(""),
            "completed" | "failed" | "stopped" | "published" | "closed"
        );
        if !a.watch || finished || ctx.out.format != Format::Table {
            if a.watch && !finished {
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            match ctx.out.format {
                Format::Json => ctx.out.json(&view),
                Format::Csv => print!("{}", status_listing(&view).to_csv()),
                Format::Table => {
                    if live {
                        clear_stdout(drawn);
                    }
                    print!("{}", status_text(&view, ctx.out.color));
                }
            }
            if a.watch && matches!(run["status"].as_str(), Some("failed" | "stopped")) {
                return Err(CliError::new(
                    Exit::WaitedTaskFailed,
                    format!(
                        "pipeline run '{}' {}",
                        view["name"].as_str().unwrap_or(""),
                        view["status"].as_str().unwrap_or("")
                    ),
                )
                .into());
            }
            return Ok(());
        }
        let text = status_text(&view, ctx.out.color);
        if text != last {
            if live {
                clear_stdout(drawn);
            }
            print!("{text}");
            let _ = std::io::stdout().flush();
            drawn = text.lines().count();
            last = text;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn clear_stdout(n: usize) {
    if n > 0 {
        print!("\x1b[{n}A\x1b[J");
    }
}

/// A run by id, `NAME #N`, or a pipeline name (its newest run).
async fn find_run(client: &Client, run: &str, project: Option<&str>) -> anyhow::Result<Value> {
    if looks_like_id(run)
        && let Some(t) = fetch_runs(client, &json!({"id": [run]}), 1)
            .await?
            .into_iter()
            .next()
    {
        return Ok(t);
    }
    let numbered = regex::Regex::new(r" #\d+$").expect("regex").is_match(run);
    let name = if numbered {
        crate::api::lookup::exact_regex(run)
    } else {
        format!("^{}(| #\\d+)$", regex::escape(run))
    };
    let mut filter = json!({"name": name});
    if let Some(p) = project {
        filter["project"] = json!(pipeline_projects(client, p).await?);
    }
    fetch_runs(client, &filter, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            CliError::not_found(format!("no pipeline run '{run}'"))
                .with_hint("see 'clearml pipeline list'")
                .into()
        })
}

/// The ids of the hidden pipeline projects under project `p`.
async fn pipeline_projects(client: &Client, p: &str) -> anyhow::Result<Vec<String>> {
    lookup::project_id(client, p).await?;
    let found = client
        .get_all(
            "projects.get_all",
            &json!({
                "name": format!("^{}/{}/", regex::escape(p), regex::escape(runner::PIPELINES_DIR)),
                "search_hidden": true, "only_fields": ["id"],
            }),
            "projects",
            None,
        )
        .await?;
    let ids: Vec<String> = found
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    if ids.is_empty() {
        return Err(CliError::not_found(format!("project '{p}' has no pipelines")).into());
    }
    Ok(ids)
}

/// Controller tasks (ours and the SDK's), newest first, with `filter` merged in.
async fn fetch_runs(client: &Client, filter: &Value, limit: usize) -> anyhow::Result<Vec<Value>> {
    let mut body = json!({
        "type": ["controller"],
        "system_tags": [runner::PIPELINE_TAG],
        "search_hidden": true,
        "order_by": ["-created"],
        "only_fields": RUN_FIELDS,
    });
    for (k, v) in filter.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    client
        .get_all("tasks.get_all_ex", &body, "tasks", Some(limit))
        .await
}

/// The DAG stored on a controller, with its step tasks' live state.
async fn run_view(client: &Client, run: &Value) -> anyhow::Result<Value> {
    let dag: serde_json::Map<String, Value> = run["configuration"]["Pipeline"]["value"]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let ids: Vec<&str> = dag.values().filter_map(|n| n["job_id"].as_str()).collect();
    let tasks = if ids.is_empty() {
        Vec::new()
    } else {
        client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": ids, "search_hidden": true,
                        "only_fields": ["id", "status", "started", "completed", "last_worker"]}),
                "tasks",
                None,
            )
            .await?
    };
    let now = chrono::Utc::now();
    let secs = |a: &Value, b: Option<&Value>| -> Option<f64> {
        let start = chrono::DateTime::parse_from_rfc3339(a.as_str()?).ok()?;
        let end = match b.and_then(Value::as_str) {
            Some(e) => chrono::DateTime::parse_from_rfc3339(e)
                .ok()?
                .with_timezone(&chrono::Utc),
            None => now,
        };
        Some(
            ((end - start.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 100.0).round()
                / 10.0,
        )
    };
    let steps: Vec<Value> = dag
        .iter()
        .map(|(name, n)| {
            let task = n["job_id"]
                .as_str()
                .and_then(|id| tasks.iter().find(|t| t["id"].as_str() == Some(id)));
            let dag_status = n["status"].as_str().unwrap_or("pending");
            let status = match (dag_status, task.and_then(|t| t["status"].as_str())) {
                ("cached" | "skipped", _) | (_, None) => dag_status,
                (_, Some("queued" | "created")) => "queued",
                (_, Some("in_progress")) => "running",
                (_, Some("completed" | "published" | "closed")) => "completed",
                (_, Some("failed")) => "failed",
                (_, Some("stopped")) => "aborted",
                (_, Some(_)) => dag_status,
            };
            let duration = task.and_then(|t| {
                let running = t["status"] == "in_progress";
                secs(
                    &t["started"],
                    if running { None } else { Some(&t["completed"]) },
                )
            });
            json!({
                "name": name, "status": status, "task_id": n["job_id"], "parents": n["parents"],
                "queue": n["queue"], "worker": task.and_then(|t| t["last_worker"].as_str()),
                "duration_s": duration,
            })
        })
        .collect();
    let finished = !matches!(
        run["status"].as_str(),
        Some("in_progress" | "queued" | "created")
    );
    Ok(json!({
        "id": run["id"], "name": run["name"], "status": run["status"],
        "project": owner_project(&ref_name(&run["project"])),
        "version": run["runtime"]["version"].as_str()
            .or(run["hyperparams"]["properties"]["version"]["value"].as_str()),
        "started": run["started"], "completed": if finished { run["completed"].clone() } else { Value::Null },
        "duration_s": secs(&run["started"], if finished { Some(&run["completed"]) } else { None }),
        "steps": steps,
    }))
}

/// `P/.pipelines/NAME` -> `P`.
fn owner_project(full: &str) -> String {
    match full.rsplit_once(&format!("/{}/", runner::PIPELINES_DIR)) {
        Some((p, _)) => p.to_string(),
        None => full.to_string(),
    }
}

fn status_listing(view: &Value) -> Listing {
    let mut l = Listing::new(["step", "status", "parents", "duration", "task id"]);
    for s in view["steps"].as_array().into_iter().flatten() {
        let parents: Vec<&str> = s["parents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        l.push(
            vec![
                s["name"].as_str().unwrap_or("").into(),
                s["status"].as_str().unwrap_or("").into(),
                parents.join(", "),
                s["duration_s"]
                    .as_f64()
                    .map(|d| fmt_duration(Duration::from_secs_f64(d.max(0.0))))
                    .unwrap_or_default(),
                s["task_id"].as_str().unwrap_or("").into(),
            ],
            s.clone(),
        );
    }
    l
}

fn status_text(view: &Value, color: bool) -> String {
    let dur = view["duration_s"]
        .as_f64()
        .map(|d| fmt_duration(Duration::from_secs_f64(d.max(0.0))))
        .unwrap_or_default();
    format!(
        "{} ({})  {}  project {}  version {}  started {}  {}\n{}\n",
        escape_control(view["name"].as_str().unwrap_or("")),
        view["id"].as_str().unwrap_or(""),
        view["status"].as_str().unwrap_or(""),
        escape_control(view["project"].as_str().unwrap_or("")),
        view["version"].as_str().unwrap_or("-"),
        fmt_time(&view["started"]),
        dur,
        status_listing(view).to_table(color)
    )
}

// ---------------------------------------------------------------- list

async fn list(ctx: &Ctx, a: PipelineListArgs) -> anyhow::Result<()> {
    let (client, _) = client(ctx)?;
    let mut filter = json!({});
    if let Some(p) = &a.project {
        filter["project"] = json!(pipeline_projects(&client, p).await?);
    }
    if let Some(n) = &a.name {
        filter["name"] = json!(format!("^{}(| #\\d+)$", regex::escape(n)));
    }
    let runs = fetch_runs(&client, &filter, a.limit).await?;
    let mut l = Listing::new([
        "id", "name", "project", "status", "started", "duration", "steps",
    ]);
    for run in &runs {
        let dag: serde_json::Map<String, Value> = run["configuration"]["Pipeline"]["value"]
            .as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let done = dag
            .values()
            .filter(|n| matches!(n["status"].as_str(), Some("completed" | "cached")))
            .count();
        let finished = !matches!(
            run["status"].as_str(),
            Some("in_progress" | "queued" | "created")
        );
        let duration = chrono::DateTime::parse_from_rfc3339(run["started"].as_str().unwrap_or(""))
            .ok()
            .map(|s| {
                let end = if finished {
                    chrono::DateTime::parse_from_rfc3339(run["completed"].as_str().unwrap_or(""))
                        .map(|e| e.with_timezone(&chrono::Utc))
                        .unwrap_or_else(|_| chrono::Utc::now())
                } else {
                    chrono::Utc::now()
                };
                (end - s.with_timezone(&chrono::Utc))
                    .num_milliseconds()
                    .max(0) as f64
                    / 1000.0
            });
        let project = owner_project(&ref_name(&run["project"]));
        l.push(
            vec![
                run["id"].as_str().unwrap_or("").into(),
                run["name"].as_str().unwrap_or("").into(),
                project.clone(),
                run["status"].as_str().unwrap_or("").into(),
                fmt_time(&run["started"]),
                duration.map(|d| fmt_duration(Duration::from_secs_f64(d))).unwrap_or_default(),
                format!("{done}/{}", dag.len()),
            ],
            json!({
                "id": run["id"], "name": run["name"], "project": project, "status": run["status"],
                "started": run["started"], "completed": if finished { run["completed"].clone() } else { Value::Null },
                "duration_s": duration.map(|d| (d * 10.0).round() / 10.0),
                "steps_done": done, "steps_total": dag.len(),
                "version": run["runtime"]["version"],
            }),
        );
    }
    ctx.out.listing(&l);
    Ok(())
}
