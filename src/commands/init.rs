use super::Ctx;
use crate::cli::InitArgs;

pub async fn run(ctx: &Ctx, args: InitArgs) -> anyhow::Result<()> {
    let _ = (ctx, args);
    anyhow::bail!("clearml init is not implemented yet")
}
