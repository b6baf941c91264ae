use super::Ctx;
use crate::cli::ConfigCommand;

pub async fn run(ctx: &Ctx, cmd: ConfigCommand) -> anyhow::Result<()> {
    let _ = (ctx, cmd);
    anyhow::bail!("clearml config is not implemented yet")
}
