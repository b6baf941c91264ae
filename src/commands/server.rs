//! `clearml server …`: dispatches to the stack (Docker), the built-in server, and the
//! checks of a configured server.
use super::{Ctx, ping, stack};
use crate::cli::ServerCommand;

pub async fn run(ctx: &Ctx, cmd: ServerCommand) -> anyhow::Result<()> {
    match cmd {
        ServerCommand::Serve(args) => crate::serve::run(&args, &ctx.out).await,
        ServerCommand::Ping => ping::ping(ctx).await,
        ServerCommand::Selftest => ping::selftest(ctx).await,
        other => stack::run(ctx, other).await,
    }
}
