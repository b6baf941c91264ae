//! `server selftest`: an end-to-end check of the configured server.
use super::Ctx;

pub async fn selftest(ctx: &Ctx) -> anyhow::Result<()> {
    let _ = ctx;
    anyhow::bail!("clearml server selftest is not implemented yet")
}
