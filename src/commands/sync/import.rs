//! `import FILE --to CONF`: copy an exported archive into a server (checked first).

use crate::cli::ImportArgs;
use crate::commands::Ctx;
use crate::sync::{self, Endpoint, Options, archive::ArchiveSource};

pub async fn run(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<()> {
    let to = Endpoint::open(&a.to, "--to", ctx.global.request_timeout())?;
    let archive = a.archive.clone();
    let source = tokio::task::spawn_blocking(move || ArchiveSource::open(&archive)).await??;
    let state_path = a.state.clone().unwrap_or_else(|| {
        sync::state::default_path(
            &to.config_file,
            sync::Source::origin(&source),
            to.client.api_host(),
        )
    });
    let opts = Options {
        projects: a.projects.clone(),
        since: None,
        dry_run: a.dry_run,
        with_files: true,
        state_path: state_path.clone(),
        concurrency: usize::from(a.parallel),
    };
    let progress = super::progress_printer(ctx);
    let report = sync::run(&source, &to, &opts, &progress).await?;
    super::finish(
        ctx,
        &report,
        a.dry_run,
        (!a.dry_run).then_some(state_path.as_path()),
    )
}
