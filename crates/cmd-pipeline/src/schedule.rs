//! `pipeline schedule`: a foreground cron scheduler of one pipeline file, for systemd, a
//! container or nohup. Each fire time starts a run driven exactly as `pipeline run` drives
//! it; a fire time that comes while a run is still going is skipped (never two at once).
//! On the server it is a `service` task as the SDK's TaskScheduler makes: its job in the
//! `schedule` configuration object, its fire log in the `state` artifact.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::client;
use super::json::ScheduleDryRun;
use super::run::{read_spec, report_problems, run_summary, run_text, step_line, warn_idle_queues};
use super::status::{fetch_runs, pipeline_projects};
use crate::api::Client;
use crate::cli::{Format, PipelineScheduleArgs};
use crate::config::Settings;
use crate::error::{CliError, Exit};
use crate::notify::Notifier;
use crate::output::{Output, shape_value};
use crate::pipeline::runner::{self, Note, Outcome, Runner};
use crate::pipeline::schedule::Schedule;
use crate::pipeline::spec::Spec;
use clearml_cmd_core::Ctx;

use crate::pipeline::scheduler_task::Registration;

/// How often the scheduler's task tells the server it is alive (a third of STALE_AFTER).
const HEARTBEAT: Duration = Duration::from_secs(30);

type RunFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<(Value, Outcome)>> + 'a>>;

pub async fn run(ctx: &Ctx, a: PipelineScheduleArgs) -> anyhow::Result<()> {
    let (file, text, spec) = read_spec(&a.file, &a.params)?;
    let sched = Schedule::parse(&a.cron, &a.tz).map_err(|e| {
        CliError::usage(e)
            .with_hint("e.g. --cron \"0 2 * * *\" --tz Europe/Moscow (see docs/pipelines.md)")
    })?;
    // Refused before anything else, with or without --dry-run: a dry run that lists no
    // fire time would pass a schedule the real run refuses.
    if sched.upcoming(Utc::now(), 1).is_empty() {
        return Err(never_fires(&sched));
    }
    let notifier = Notifier::from_flag(a.hook.notify.as_deref(), a.hook.notify_format)?;
    let (client, settings) = client(ctx)?;
    // Validate now, as `pipeline run --dry-run` does: a typo found at 02:00 is found too late.
    let plan = runner::prepare(&client, spec.clone(), a.queue.as_deref())
        .await?
        .map_err(|p| report_problems(&file, &text, &p, Exit::NotFound))?;
    warn_idle_queues(ctx, &plan);
    let upcoming = sched.upcoming(Utc::now(), 5);
    if a.dry_run {
        match ctx.out.format {
            Format::Json => ctx.out.json(&shape_value(&ScheduleDryRun {
                pipeline: spec.name.clone(),
                project: spec.project.clone(),
                cron: sched.expr.clone(),
                timezone: sched.tz.name().to_string(),
                next: upcoming
                    .iter()
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                    .collect(),
            })),
            _ => {
                for t in &upcoming {
                    println!("{}", t.to_rfc3339_opts(SecondsFormat::Secs, true));
                }
            }
        }
        return Ok(());
    }
    if upcoming.is_empty() {
        return Err(never_fires(&sched));
    }
    let mut reg = Registration::start(
        &client,
        &settings,
        &a.project,
        &spec,
        &sched,
        plan.spec.default_queue.clone(),
    )
    .await?;
    ctx.out.info(format!(
        "scheduler '{}' ({}) registered in project '{}'; next fire {}",
        reg.task_name,
        reg.task_id,
        a.project,
        upcoming[0].to_rfc3339_opts(SecondsFormat::Secs, true)
    ));
    let result = drive(
        ctx,
        &a,
        &client,
        &settings,
        &spec,
        &sched,
        notifier.as_ref(),
        &mut reg,
    )
    .await;
    if let Err(e) = reg.stop(&client).await {
        ctx.out.warn(format!(
            "could not mark the scheduler task {} stopped: {}",
            reg.task_id,
            crate::error::one_line(&e)
        ));
    }
    result
}

fn never_fires(sched: &Schedule) -> anyhow::Error {
    CliError::usage(format!("--cron '{}' never fires", sched.expr))
        .with_hint("check the day of month against the month (e.g. no 30 February)")
        .into()
}

/// The loop: sleep to the next fire time, start a run or log a skip, report each end.
#[allow(clippy::too_many_arguments)]
async fn drive(
    ctx: &Ctx,
    a: &PipelineScheduleArgs,
    client: &Client,
    settings: &Settings,
    spec: &Spec,
    sched: &Schedule,
    notifier: Option<&Notifier>,
    reg: &mut Registration,
) -> anyhow::Result<()> {
    let web = settings.web_host.value.trim_end_matches('/').to_string();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut current: Option<(RunFuture<'_>, DateTime<Utc>)> = None;
    let mut next = sched.next_after(Utc::now());
    if a.catch_up
        && let Some(missed) = missed_fire_time(client, spec, sched).await?
    {
        ctx.out.info(format!(
            "catching up: the fire time {} (and any after it) passed while the scheduler was down",
            missed.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
        next = Some(missed);
    }
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    loop {
        let Some(at) = next else {
            ctx.out.info("the cron expression fires no more; exiting");
            return Ok(());
        };
        let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {
                // From now, not from `at`: a caught-up fire time in the past fires once.
                next = sched.next_after(at.max(Utc::now()));
                let stamp = at.to_rfc3339_opts(SecondsFormat::Secs, true);
                if let Some((_, started)) = &current {
                    ctx.out.info(format!(
                        "skipped {stamp}: the run fired at {} is still going",
                        started.to_rfc3339_opts(SecondsFormat::Secs, true)
                    ));
                    continue;
                }
                ctx.out.info(format!("fired {stamp}"));
                let rx = stop_rx.clone();
                let fut = one_run(client, spec.clone(), a.queue.clone(), web.clone(), ctx.out.clone(), rx);
                current = Some((Box::pin(fut), at));
                if let Err(e) = reg.fired(client, at, sched).await {
                    ctx.out.warn(format!("could not update the scheduler's state on the server: {}", crate::error::one_line(&e)));
                }
            }
            res = async { current.as_mut().expect("guarded").0.as_mut().await }, if current.is_some() => {
                let (_, started) = current.take().expect("guarded");
                run_ended(ctx, client, notifier, reg, sched, started, res).await;
            }
            _ = heartbeat.tick() => {
                if let Err(e) = reg.heartbeat(client).await {
                    ctx.out.warn(format!("heartbeat: {}", crate::error::one_line(&e)));
                }
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
        }
    }
    if let Some((fut, _)) = current.take() {
        leave_in_flight(ctx, a.stop_running_on_exit, fut, &stop_tx).await;
    }
    ctx.out.info("scheduler stopped");
    Ok(())
}

/// A run ended: log it, record it in the scheduler's state, notify in the background.
async fn run_ended(
    ctx: &Ctx,
    client: &Client,
    notifier: Option<&Notifier>,
    reg: &mut Registration,
    sched: &Schedule,
    started: DateTime<Utc>,
    res: anyhow::Result<(Value, Outcome)>,
) {
    match res {
        Ok((summary, outcome)) => {
            ctx.out.info(format!(
                "run {} finished: {} in {}s",
                summary["name"].as_str().unwrap_or(""),
                outcome.as_str(),
                summary["duration_s"]
            ));
            let id = summary["id"].as_str().map(str::to_string);
            if let Err(e) = reg.finished(client, id, sched).await {
                ctx.out.warn(format!(
                    "could not update the scheduler's state on the server: {}",
                    crate::error::one_line(&e)
                ));
            }
            if let Some(n) = notifier {
                // In the background: a slow receiver delays neither the next
                // fire time nor SIGTERM.
                let (n, http, out) = (n.clone(), client.http().clone(), ctx.out.clone());
                tokio::spawn(async move {
                    n.send_logged(&http, &out, &summary, &run_text(&summary))
                        .await;
                });
            }
        }
        // A run that could not even start (server down, base task deleted) is
        // logged; the next fire time tries again.
        Err(e) => {
            ctx.out.warn(format!(
                "the run fired at {} failed to run: {}",
                started.to_rfc3339_opts(SecondsFormat::Secs, true),
                crate::error::one_line(&e)
            ));
            if let Err(e) = reg.finished(client, None, sched).await {
                ctx.out.warn(format!(
                    "could not update the scheduler's state on the server: {}",
                    crate::error::one_line(&e)
                ));
            }
        }
    }
}

/// On exit, the run still going: stopped (bounded wait) or left running on the server.
async fn leave_in_flight(
    ctx: &Ctx,
    stop_running_on_exit: bool,
    mut fut: RunFuture<'_>,
    stop_tx: &tokio::sync::watch::Sender<bool>,
) {
    if stop_running_on_exit {
        ctx.out
            .info("stopping the run in flight (--stop-running-on-exit)");
        let _ = stop_tx.send(true);
        // Bounded: a server gone away must not keep systemd waiting forever.
        match tokio::time::timeout(Duration::from_secs(30), fut.as_mut()).await {
            Ok(Ok((summary, _))) => ctx.out.info(format!(
                "run {} stopped",
                summary["name"].as_str().unwrap_or("")
            )),
            Ok(Err(e)) => ctx
                .out
                .warn(format!("stopping the run: {}", crate::error::one_line(&e))),
            Err(_) => ctx
                .out
                .warn("the run did not stop within 30s; left as it is"),
        }
    } else {
        ctx.out.info(
            "the run in flight is left running on the server (--stop-running-on-exit stops it)",
        );
    }
}

/// With --catch-up: the first fire time after this pipeline's newest run was created (ours
/// or the SDK's) if it has passed; None when nothing was missed or it never ran.
async fn missed_fire_time(
    client: &Client,
    spec: &Spec,
    sched: &Schedule,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let Some(_) = crate::api::lookup::find_project(client, &spec.project).await? else {
        return Ok(None);
    };
    let filter = json!({
        "project": pipeline_projects(client, &spec.project).await?,
        "name": format!("^{}(| #\\d+)$", regex::escape(&spec.name)),
    });
    let runs = fetch_runs(client, &filter, 1).await?;
    let Some(last) = runs
        .first()
        .and_then(|r| r["created"].as_str())
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    else {
        return Ok(None);
    };
    // The first missed one: however many were missed, one run makes up for them.
    Ok(sched
        .next_after(last.with_timezone(&Utc))
        .filter(|n| *n <= Utc::now()))
}

/// One run, as `pipeline run` makes it, with one line per step change on stderr.
async fn one_run(
    client: &Client,
    spec: Spec,
    queue: Option<String>,
    web: String,
    out: Output,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<(Value, Outcome)> {
    let plan = runner::prepare(client, spec, queue.as_deref())
        .await?
        .map_err(|p| {
            CliError::new(
                Exit::NotFound,
                p.iter()
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    let mut r = Runner::launch(client, plan, web.clone()).await?;
    out.info(format!(
        "run '{}' ({}) started: {web}/projects/{}/experiments/{}",
        r.run_name, r.controller_id, r.project_id, r.controller_id
    ));
    let outcome = r
        .run(
            |note, views| match note {
                Note::Step(name) => {
                    if let Some(v) = views.iter().find(|v| &v.name == name) {
                        out.info(step_line(v));
                    }
                }
                Note::Warning(w) | Note::Unreachable(w) => out.warn(w),
                Note::Reachable => out.info("the server answers again"),
            },
            async move {
                let _ = stop.wait_for(|s| *s).await;
            },
        )
        .await?;
    let views = r.views();
    Ok((run_summary(&r, outcome, &views), outcome))
}
