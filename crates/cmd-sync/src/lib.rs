//! `sync`, `export`, `import`: one file per verb; the copy itself is `crate::sync`.

pub mod export;
pub mod import;
pub mod json;
#[allow(clippy::module_inception)] // the verb's file is named as the verb
pub mod sync;

use clearml_cmd_core::human_bytes;
use clearml_cmd_core::{api, cli, config, error, output};

use std::time::Duration;

use crate::cli::CopyArgs;
use crate::output::Format;
use clearml_cmd_core::Ctx;
use clearml_sync::{Counts, Endpoint, Options, Report, Source};

/// What `sync` and `import` select from their source.
pub struct Selection {
    pub projects: Vec<String>,
    pub since: Option<Duration>,
    pub with_files: bool,
}

/// `sync` and `import` alike: copy `pick` from `source` into `to` as `copy` says (its
/// state file, else `default_state`), then print the summary.
pub async fn copy_into<S: Source>(
    ctx: &Ctx,
    source: &S,
    to: &Endpoint,
    copy: &CopyArgs,
    pick: Selection,
    default_state: impl FnOnce() -> std::path::PathBuf,
) -> anyhow::Result<()> {
    let state_path = copy.state.clone().unwrap_or_else(default_state);
    let opts = Options {
        projects: pick.projects,
        since: pick.since,
        dry_run: copy.dry_run,
        with_files: pick.with_files,
        state_path: state_path.clone(),
        concurrency: usize::from(copy.parallel),
    };
    let progress = progress_printer(ctx);
    let report = clearml_sync::run(source, to, &opts, &progress).await?;
    finish(
        ctx,
        &report,
        copy.dry_run,
        (!copy.dry_run).then_some(state_path.as_path()),
    )
}

/// One progress line on stderr: objects, events, files and their rate.
pub fn progress_line(c: &Counts, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(0.001);
    let done = c.tasks_copied + c.tasks_updated + c.tasks_unchanged;
    format!(
        "tasks {done}/{}, events {}, files {} ({}), {:.0} objects/s, {}/s",
        c.tasks_total,
        c.events,
        c.files,
        human_bytes(c.bytes),
        (done + c.events + c.files) as f64 / secs,
        human_bytes((c.bytes as f64 / secs) as u64)
    )
}

/// The progress callback for a command: stderr, unless quiet or JSON output.
pub fn progress_printer(ctx: &Ctx) -> impl Fn(&Counts, Duration) + '_ {
    move |c, elapsed| {
        if ctx.out.format == Format::Table {
            ctx.out.info(progress_line(c, elapsed));
        }
    }
}

/// Print a run's outcome (a summary table or `--json`), then exit 1 when anything was
/// skipped.
pub fn finish(
    ctx: &Ctx,
    report: &Report,
    dry_run: bool,
    state: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let summary = json::Summary::from_report(report, dry_run, state);
    match ctx.out.format {
        Format::Json => ctx.out.json(&crate::output::shape_value(&summary)),
        _ => print!("{}", summary.text()),
    }
    if report.skipped.is_empty() {
        Ok(())
    } else {
        Err(crate::error::CliError::failure(format!(
            "{} object(s) skipped (listed above with the reason)",
            report.skipped.len()
        ))
        .with_hint("fix what is listed (the target's refusals, files the source could not give) and run again: only what is missing is copied")
        .into())
    }
}
