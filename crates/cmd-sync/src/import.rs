//! `import FILE --to CONF`: copy an exported archive into a server (checked first).

use super::Selection;
use crate::cli::ImportArgs;
use clearml_cmd_core::Ctx;
use clearml_sync::{Endpoint, archive::ArchiveSource};

pub async fn run(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<()> {
    let to = Endpoint::open(&a.to, "--to", ctx.global.request_timeout())?;
    let archive = a.archive.clone();
    let source = tokio::task::spawn_blocking(move || ArchiveSource::open(&archive)).await??;
    let pick = Selection {
        projects: a.projects.clone(),
        since: None,
        with_files: true,
    };
    let default_state = || {
        clearml_sync::state::default_path(
            &to.config_file,
            clearml_sync::Source::origin(&source),
            to.client.api_host(),
        )
    };
    super::copy_into(ctx, &source, &to, &a.copy, pick, default_state).await
}
