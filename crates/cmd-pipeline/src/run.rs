//! `pipeline run`: check the file, plan, launch the steps on agents and watch them.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde_json::Value;

use super::{client, json};
use crate::cli::{Format, PipelineRunArgs};
use crate::error::{CliError, Exit};
use crate::output::{Listing, escape_control};
use crate::pipeline::runner::{self, Note, Outcome, Plan, Runner, StepView};
use crate::pipeline::spec::{self, Problem};
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, a: PipelineRunArgs) -> anyhow::Result<()> {
    let notifier =
        crate::notify::Notifier::from_flag(a.hook.notify.as_deref(), a.hook.notify_format)?;
    let (file, text, spec) = read_spec(&a.file, &a.params)?;
    let (client, settings) = client(ctx)?;
    let plan = runner::prepare(&client, spec, a.queue.as_deref())
        .await?
        .map_err(|p| report_problems(&file, &text, &p, Exit::NotFound))?;
    warn_idle_queues(ctx, &plan);
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
    let mut progress = Progress { live, drawn: 0 };
    let outcome = r
        .run(|note, views| progress.observe(ctx, note, views), async {
            let _ = tokio::signal::ctrl_c().await;
        })
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
    if let Some(n) = &notifier {
        n.send_logged(client.http(), &ctx.out, &summary, &run_text(&summary))
            .await;
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
        Outcome::Failed => {
            explain_failed_steps(ctx, &client, &views, a.log_lines).await;
            Err(CliError::new(
                Exit::WaitedTaskFailed,
                format!(
                    "pipeline '{}' failed: {}",
                    r.run_name,
                    r.failures().join(", ")
                ),
            )
            .into())
        }
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

/// What the run reports while it goes: a redrawn step table on a terminal, else a line
/// per change.
struct Progress {
    live: bool,
    /// Lines of the table drawn last, to clear before the next.
    drawn: usize,
}

impl Progress {
    fn observe(&mut self, ctx: &Ctx, note: &Note, views: &[StepView]) {
        if self.live {
            if let Note::Warning(w) | Note::Unreachable(w) = note {
                clear_lines(self.drawn);
                self.drawn = 0;
                ctx.out.warn(w);
            }
            if matches!(note, Note::Reachable) {
                clear_lines(self.drawn);
                self.drawn = 0;
                ctx.out.info("the server answers again");
            }
            clear_lines(self.drawn);
            let table = steps_table(views).to_table(false);
            eprintln!("{table}");
            self.drawn = table.lines().count();
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
    }
}

/// Each failed or aborted step's task: its status reason, last console lines and the
/// command that shows the rest (a step that never got a task has nothing to show).
async fn explain_failed_steps(
    ctx: &Ctx,
    client: &crate::api::Client,
    views: &[StepView],
    log_lines: usize,
) {
    let ids: Vec<&str> = views
        .iter()
        .filter(|v| matches!(v.status, "failed" | "aborted"))
        .filter_map(|v| v.task_id.as_deref())
        .collect();
    if ids.is_empty() {
        return;
    }
    let found = client
        .get_all(
            "tasks.get_all_ex",
            &serde_json::json!({"id": ids, "only_fields": ["id", "name", "status", "status_reason"]}),
            "tasks",
            None,
        )
        .await;
    match found {
        Ok(tasks) => {
            for id in ids {
                if let Some(t) = tasks.iter().find(|t| t["id"].as_str() == Some(id)) {
                    clearml_cmd_core::task::logs::explain_failure(ctx, client, t, log_lines).await;
                }
            }
        }
        Err(e) => ctx.out.warn(format!(
            "cannot read the failed steps' tasks: {}",
            crate::error::one_line(&e)
        )),
    }
}

/// Steps sent to a queue nobody serves would wait forever without a word: say so (and
/// what reading the step scripts found).
pub fn warn_idle_queues(ctx: &Ctx, plan: &Plan) {
    for w in &plan.warnings {
        ctx.out.warn(w);
    }
    for q in &plan.idle_queues {
        ctx.out.warn(format!(
            "no worker listens on queue '{q}': its steps will stay queued until one does \
             (clearml-agent daemon --queue {q})"
        ));
    }
}

/// Read and check a pipeline file with its `--param NAME=VALUE` overrides: (display name,
/// text, spec). Problems go to stderr as `FILE:LINE:COL: ...` (exit 2).
pub fn read_spec(
    path: &std::path::Path,
    params: &[String],
) -> anyhow::Result<(String, String, spec::Spec)> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!("cannot read the pipeline file {file}: {e}"))
            .with_hint("give the path of a TOML pipeline file (see docs/pipelines.md)")
    })?;
    let mut overrides = Vec::new();
    for p in params {
        let Some((k, v)) = p.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(CliError::usage(format!("--param '{p}' is not NAME=VALUE"))
                .with_hint("e.g. --param dataset=s3://bucket/raw.csv")
                .into());
        };
        overrides.push((k.trim().to_string(), v.to_string()));
    }
    let mut spec = spec::parse(&text, &overrides)
        .map_err(|p| report_problems(&file, &text, &p, Exit::Usage))?;
    // `script` and `requirements` paths are relative to the file's folder.
    spec.dir = Some(match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    });
    Ok((file, text, spec))
}

/// Every problem on stderr as `FILE:LINE:COL: ...`; the error says nothing was created.
pub fn report_problems(file: &str, text: &str, problems: &[Problem], exit: Exit) -> anyhow::Error {
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
    let mut steps = Vec::new();
    for &i in &spec.order {
        let s = &spec.steps[i];
        let params = spec.static_parameters(s);
        let base = &plan.bases[i];
        let step = json::PlannedStep {
            name: s.name.clone(),
            parents: s.parents.clone(),
            base_task_id: base["id"].clone(),
            base_task_name: base["name"].clone(),
            queue: plan.queues[i].0.clone(),
            parameters: string_map(&params),
            time_limit_s: s.time_limit.map(|d| d.as_secs()),
            retry_on_failure: s.retry_on_failure,
            continue_on_fail: s.continue_on_fail,
            cache_executed_step: s.cache_executed_step,
        };
        l.push(
            vec![
                s.name.clone(),
                s.parents.join(", "),
                format!(
                    "{} ({})",
                    // A script step's base task that the run will create.
                    base["id"].as_str().unwrap_or("new"),
                    base["name"].as_str().unwrap_or("")
                ),
                plan.queues[i].0.clone(),
                params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ],
            json::to_value(&step),
        );
        steps.push(step);
    }
    match ctx.out.format {
        Format::Json => ctx.out.json(&json::to_value(&json::Plan {
            name: spec.name.clone(),
            project: spec.project.clone(),
            version: spec.version.clone(),
            default_queue: spec.default_queue.clone(),
            parameters: string_map(&spec.parameters),
            steps,
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

/// NAME=VALUE pairs as a JSON object, in their order.
fn string_map(pairs: &[(String, String)]) -> serde_json::Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

fn step_state(v: &StepView) -> json::StepState {
    json::StepState {
        name: v.name.clone(),
        status: v.status.to_string(),
        task_id: v.task_id.clone(),
        queue: v.queue.clone(),
        worker: v.worker.clone(),
        attempts: v.attempts,
        duration_s: v.duration.map(|d| (d.as_secs_f64() * 10.0).round() / 10.0),
    }
}

fn step_json(v: &StepView) -> Value {
    json::to_value(&step_state(v))
}

pub fn step_line(v: &StepView) -> String {
    let mut s = format!("{}: {}", escape_control(&v.name), v.status);
    if let Some(id) = &v.task_id {
        s.push_str(&format!(" (task {id}, queue {})", v.queue));
    }
    if v.attempts > 1 {
        s.push_str(&format!(" try {}", v.attempts));
    }
    s
}

/// What `pipeline run` prints with --json and POSTs to --notify (`pipeline schedule` too).
pub fn run_summary(r: &Runner, outcome: Outcome, views: &[StepView]) -> Value {
    json::to_value(&json::RunSummary {
        event: "clearml.pipeline.run".into(),
        id: r.controller_id.clone(),
        name: r.run_name.clone(),
        pipeline: r.plan().spec.name.clone(),
        project: r.plan().spec.project.clone(),
        version: r.version.clone(),
        status: outcome.as_str().to_string(),
        duration_s: (r.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        failed_steps: r.failures(),
        url: format!(
            "{}/projects/{}/experiments/{}",
            r.web_url(),
            r.project_id,
            r.controller_id
        ),
        steps: views.iter().map(step_state).collect(),
    })
}

/// The one line a Slack notification of a pipeline run carries.
pub fn run_text(summary: &Value) -> String {
    let failed: Vec<&str> = summary["failed_steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    format!(
        "pipeline '{}' {} in {}s{}: {}",
        summary["name"].as_str().unwrap_or(""),
        summary["status"].as_str().unwrap_or(""),
        summary["duration_s"],
        if failed.is_empty() {
            String::new()
        } else {
            format!(" ({})", failed.join(", "))
        },
        summary["url"].as_str().unwrap_or("")
    )
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
