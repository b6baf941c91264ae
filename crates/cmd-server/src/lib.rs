//! `clearml server …`: dispatches to the stack (Docker), the built-in server, and the
//! checks of a configured server.
pub mod json;
pub mod rehost;
pub mod upgrade;
pub mod usage;
pub mod users;

pub mod ping;
mod selftest;
pub mod stack;

use clearml_cmd_core::{api, cli, config, error, files, output};

use crate::cli::ServerCommand;
use clearml_cmd_core::Ctx;

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
            let notices = clearml_serve::Notices {
                quiet: ctx.out.quiet,
            };
            clearml_serve::run(&serve_options(&args), &notices).await
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
fn serve_options(a: &crate::cli::ServeArgs) -> clearml_serve::ServeOptions {
    clearml_serve::ServeOptions {
        data_dir: a.data_dir.clone(),
        host: a.host.clone(),
        api_port: a.api_port,
        files_port: a.files_port,
        web_port: a.web_port,
    }
}
