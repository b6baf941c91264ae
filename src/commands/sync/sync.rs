//! `sync --from A --to B`: copy projects between two servers.

use crate::cli::SyncArgs;
use crate::commands::Ctx;
use crate::sync::{self, ApiSource, Endpoint, Options};

pub async fn run(ctx: &Ctx, a: SyncArgs) -> anyhow::Result<()> {
    let timeout = ctx.global.request_timeout();
    let from = Endpoint::open(&a.from, "--from", timeout)?;
    let to = Endpoint::open(&a.to, "--to", timeout)?;
    let state_path = a.state.clone().unwrap_or_else(|| {
        sync::state::default_path(
            &to.config_file,
            from.client.api_host(),
            to.client.api_host(),
        )
    });
    let opts = Options {
        projects: a.select.projects.clone(),
        since: a.select.since,
        dry_run: a.dry_run,
        with_files: !a.select.metadata_only,
        state_path: state_path.clone(),
        concurrency: usize::from(a.parallel),
    };
    let progress = super::progress_printer(ctx);
    let report = sync::run(&ApiSource { end: &from }, &to, &opts, &progress).await?;
    super::finish(
        ctx,
        &report,
        a.dry_run,
        (!a.dry_run).then_some(state_path.as_path()),
    )
}
