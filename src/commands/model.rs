use super::Ctx;
use crate::cli::ModelCommand;

pub async fn run(ctx: &Ctx, cmd: ModelCommand) -> anyhow::Result<()> {
    let _ = (ctx, cmd);
    anyhow::bail!("clearml model is not implemented yet")
}
