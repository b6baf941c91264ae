//! One file per command group; glue between settings, the client and output.

pub mod config;
pub mod init;
pub(crate) mod lookup;
pub mod model;
pub mod ping;
pub mod pipeline;
pub mod queue;
mod selftest;
pub mod server;
pub mod stack;
pub mod task;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::output::Output;

/// What every command gets: the global flags and the output settings.
pub struct Ctx {
    pub global: crate::cli::GlobalArgs,
    pub out: Output,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        out: Output::from_global(&cli.global),
        global: cli.global,
    };
    match cli.command {
        Command::Init(args) => init::run(&ctx, args).await,
        Command::Config(cmd) => config::run(&ctx, cmd).await,
        Command::Server(cmd) => server::run(&ctx, cmd).await,
        Command::Task(cmd) => task::run(&ctx, cmd).await,
        Command::Model(cmd) => model::run(&ctx, cmd).await,
        Command::Pipeline(cmd) => pipeline::run(&ctx, cmd).await,
        Command::Queue(crate::cli::QueueCommand::List) => queue::queues(&ctx).await,
        Command::Worker(crate::cli::WorkerCommand::List) => queue::workers(&ctx).await,
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "clearml", &mut std::io::stdout());
            Ok(())
        }
        Command::Manpages { dir } => write_manpages(&dir),
    }
}

/// Commands that handle Ctrl-C themselves (to clean up on the server before exit 130).
pub fn handles_interrupt(command: &Command) -> bool {
    matches!(
        command,
        Command::Pipeline(crate::cli::PipelineCommand::Run(a)) if !a.dry_run
    )
}

/// One man page per command and subcommand (clearml.1, clearml-server-up.1, ...).
fn write_manpages(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let cmd = Cli::command();
    clap_mangen::generate_to(cmd, dir)?;
    Ok(())
}
