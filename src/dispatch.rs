//! Dispatch: each command group is a crate of its own (`crates/cmd-*`), on top of
//! `clearml-cmd-core` (the clap types, [`Ctx`], exit codes). Touching one command
//! recompiles its crate and relinks this binary, not the other groups.

use clearml_cmd_cleanup as cleanup;
use clearml_cmd_core::Ctx;
use clearml_cmd_dataset as dataset;
use clearml_cmd_model as model;
use clearml_cmd_pipeline as pipeline;
use clearml_cmd_server as server;
use clearml_cmd_setup::{config, credentials, init};
use clearml_cmd_sync as sync;
use clearml_cmd_task as task;
use clearml_cmd_task::queue;

use clap::CommandFactory;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx::new(cli.global);
    match cli.command {
        Command::Init(args) => init::run(&ctx, args).await,
        Command::Config(cmd) => config::run(&ctx, cmd).await,
        Command::Server(cmd) => server::run(&ctx, cmd).await,
        Command::Task(cmd) => task::run(&ctx, cmd).await,
        Command::Model(cmd) => model::run(&ctx, cmd).await,
        Command::Dataset(cmd) => dataset::run(&ctx, cmd).await,
        Command::Pipeline(cmd) => pipeline::run(&ctx, cmd).await,
        Command::Credentials(cmd) => credentials::run(&ctx, cmd).await,
        Command::Queue(crate::cli::QueueCommand::List) => queue::queues(&ctx).await,
        Command::Worker(crate::cli::WorkerCommand::List) => queue::workers(&ctx).await,
        Command::Sync(args) => sync::sync::run(&ctx, args).await,
        Command::Export(args) => sync::export::run(&ctx, args).await,
        Command::Import(args) => sync::import::run(&ctx, args).await,
        Command::Cleanup(args) => cleanup::run(&ctx, args).await,
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
    ) || matches!(
        command,
        Command::Pipeline(crate::cli::PipelineCommand::Schedule(a)) if !a.dry_run
    ) || matches!(
        command,
        Command::Server(crate::cli::ServerCommand::Upgrade(a)) if !a.dry_run
    )
}

/// After "interrupted": what a command cut short leaves behind and how to go on, for the
/// commands whose work is not all-or-nothing (files and config writes are: they leave
/// nothing under a final name).
pub fn interrupt_hint(command: &Command) -> Option<&'static str> {
    use crate::cli::ServerCommand as S;
    match command {
        Command::Server(S::Up(_)) => Some(
            "the containers made so far are left as they are: run 'clearml server up' again to finish, or 'clearml server down' to remove them",
        ),
        Command::Server(S::Down(_)) => {
            Some("some containers may still exist: run 'clearml server down' again")
        }
        Command::Cleanup(_) => Some(
            "the files of the tasks deleted so far are in the cleanup journal: run the same command again to finish",
        ),
        Command::Dataset(crate::cli::DatasetCommand::Get(_)) => {
            Some("the chunks fetched so far are kept: run the same command again to resume")
        }
        Command::Dataset(
            crate::cli::DatasetCommand::Upload(_) | crate::cli::DatasetCommand::Close(_),
        ) => Some(
            "the chunks uploaded so far are recorded in the dataset: run the same command again to upload the rest",
        ),
        Command::Sync(_) | Command::Import(_) => Some(
            "what was copied is kept and recorded: run the same command again to copy the rest",
        ),
        _ => None,
    }
}

/// One man page per command and subcommand (clearml.1, clearml-server-up.1, ...).
fn write_manpages(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let cmd = Cli::command();
    clap_mangen::generate_to(cmd, dir)?;
    Ok(())
}
