//! `export --project P -o FILE.tar.zst`: the data a sync would copy, as one archive.

use crate::cli::ExportArgs;
use crate::output::Format;
use clearml_cmd_core::Ctx;
use clearml_sync::Endpoint;
use clearml_sync::archive::{ExportOptions, export};

use super::json::Exported;

pub async fn run(ctx: &Ctx, a: ExportArgs) -> anyhow::Result<()> {
    let timeout = ctx.global.request_timeout();
    let from = match &a.from {
        Some(spec) => Endpoint::open(spec, "--from", timeout)?,
        None => {
            let settings = crate::config::Settings::load(&ctx.config)?;
            Endpoint {
                client: crate::api::Client::from_settings(&settings)?,
                files_host: settings.files_host.value.trim_end_matches('/').to_string(),
                config_file: settings.config_file,
            }
        }
    };
    let opts = ExportOptions {
        projects: a.select.projects.clone(),
        since: a.select.since,
        with_files: !a.select.metadata_only,
    };
    let started = std::time::Instant::now();
    let progress = super::progress_printer(ctx);
    let counts = export(&from, &opts, &a.output, &progress).await?;
    let done = Exported {
        archive: a.output.display().to_string(),
        tasks: counts.tasks_copied,
        models: counts.models_copied,
        events: counts.events,
        files: counts.files,
        bytes: counts.bytes,
        archive_bytes: std::fs::metadata(&a.output).map(|m| m.len()).unwrap_or(0),
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    };
    match ctx.out.format {
        Format::Json => ctx.out.json(&crate::output::shape_value(&done)),
        _ => println!(
            "{}: {} task(s), {} model(s), {} event(s), {} file(s) ({}); archive {}",
            done.archive,
            done.tasks,
            done.models,
            done.events,
            done.files,
            super::human_bytes(done.bytes),
            super::human_bytes(done.archive_bytes)
        ),
    }
    Ok(())
}
