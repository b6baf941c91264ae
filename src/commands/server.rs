//! `clearml server …`: dispatches to the stack (Docker), the built-in server, and the
//! checks of a configured server.
use super::{Ctx, ping, stack};
use crate::cli::ServerCommand;

pub async fn run(ctx: &Ctx, cmd: ServerCommand) -> anyhow::Result<()> {
    match cmd {
        ServerCommand::Serve(args) => crate::serve::run(&serve_options(&args), &ctx.out).await,
        ServerCommand::Ping => ping::ping(ctx).await,
        ServerCommand::Selftest => ping::selftest(ctx).await,
        other => stack::run(ctx, other).await,
    }
}

/// The serve flags as the built-in server takes them.
fn serve_options(a: &crate::cli::ServeArgs) -> crate::serve::ServeOptions {
    crate::serve::ServeOptions {
        data_dir: a.data_dir.clone(),
        host: a.host.clone(),
        api_port: a.api_port,
        files_port: a.files_port,
        web_port: a.web_port,
    }
}
