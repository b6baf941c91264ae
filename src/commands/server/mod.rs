//! `clearml server …`: dispatches to the stack (Docker), the built-in server, and the
//! checks of a configured server.
pub mod json;
pub mod rehost;
pub mod upgrade;
pub mod usage;
pub mod users;

use super::{Ctx, ping, stack};
use crate::cli::ServerCommand;

pub async fn run(ctx: &Ctx, cmd: ServerCommand) -> anyhow::Result<()> {
    match cmd {
        ServerCommand::Up(args) => stack::up(ctx, args).await,
        ServerCommand::Down(args) => stack::down(ctx, args).await,
        ServerCommand::Status(args) => stack::status(ctx, args).await,
        ServerCommand::Logs(args) => stack::logs(args).await,
        ServerCommand::Doctor(args) => stack::doctor(ctx, args).await,
        ServerCommand::Backup(args) => stack::backup(ctx, args).await,
        ServerCommand::Restore(args) => stack::restore(ctx, args).await,
        ServerCommand::Render(args) => stack::render(args),
        ServerCommand::Serve(args) => {
            let notices = crate::serve::Notices {
                quiet: ctx.out.quiet,
            };
            crate::serve::run(&serve_options(&args), &notices).await
        }
        ServerCommand::Ping(a) => ping::ping(ctx, a).await,
        ServerCommand::Selftest => ping::selftest(ctx).await,
        ServerCommand::Rehost(a) => rehost::run(ctx, a).await,
        ServerCommand::Usage(a) => usage::run(ctx, a).await,
        ServerCommand::Users(c) => users::run(ctx, c).await,
        ServerCommand::Upgrade(a) => upgrade::run(ctx, a).await,
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
