//! `server up|down|status|logs|doctor|backup|restore|render`: the official stack.
use super::Ctx;
use crate::cli::ServerCommand;

pub async fn run(ctx: &Ctx, cmd: ServerCommand) -> anyhow::Result<()> {
    let _ = (ctx, cmd);
    anyhow::bail!("this clearml server command is not implemented yet")
}
