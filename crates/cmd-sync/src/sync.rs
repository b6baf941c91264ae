//! `sync --from A --to B`: copy projects between two servers.

use super::Selection;
use crate::cli::SyncArgs;
use clearml_cmd_core::Ctx;
use clearml_sync::{ApiSource, Endpoint};

pub async fn run(ctx: &Ctx, a: SyncArgs) -> anyhow::Result<()> {
    let timeout = ctx.global.request_timeout();
    let from = Endpoint::open(&a.from, "--from", timeout)?;
    let to = Endpoint::open(&a.to, "--to", timeout)?;
    let pick = Selection {
        projects: a.select.projects.clone(),
        since: a.select.since,
        with_files: !a.select.metadata_only,
    };
    let default_state = || {
        clearml_sync::state::default_path(
            &to.config_file,
            from.client.api_host(),
            to.client.api_host(),
        )
    };
    let source = ApiSource { end: &from };
    super::copy_into(ctx, &source, &to, &a.copy, pick, default_state).await
}
