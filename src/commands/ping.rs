//! `server ping` and `server selftest`: checks of the configured server.
use super::Ctx;

pub async fn ping(ctx: &Ctx) -> anyhow::Result<()> {
    let _ = ctx;
    anyhow::bail!("clearml server ping is not implemented yet")
}

pub async fn selftest(ctx: &Ctx) -> anyhow::Result<()> {
    let _ = ctx;
    anyhow::bail!("clearml server selftest is not implemented yet")
}
