use super::Ctx;
use crate::cli::TaskCommand;

pub async fn run(ctx: &Ctx, cmd: TaskCommand) -> anyhow::Result<()> {
    let _ = (ctx, cmd);
    anyhow::bail!("clearml task is not implemented yet")
}
