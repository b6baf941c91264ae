//! One file per command group; glue between settings, the client and output.

pub mod cleanup;
pub mod config;
pub mod credentials;
pub mod dataset;
pub mod init;
pub(crate) use crate::api::lookup;
pub mod model;
pub mod ping;
pub mod pipeline;
pub mod queue;
mod selftest;
pub mod server;
pub mod stack;
pub mod sync;
pub mod task;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::output::{self, Output};

impl From<&crate::cli::GlobalArgs> for crate::config::Inputs {
    fn from(g: &crate::cli::GlobalArgs) -> Self {
        crate::config::Inputs {
            config: g.config.clone(),
            api_host: g.api_host.clone(),
            insecure: g.insecure,
            ca_bundle: g.ca_bundle.clone(),
            request_timeout: g.request_timeout,
        }
    }
}

fn output_options(g: &crate::cli::GlobalArgs) -> output::Options {
    output::Options {
        format: g.output_format(),
        quiet: g.quiet,
        verbose: g.verbose,
        no_color: g.no_color,
    }
}

/// What every command gets: the global flags, the configuration inputs and the output
/// settings made from them.
pub struct Ctx {
    pub global: crate::cli::GlobalArgs,
    pub config: crate::config::Inputs,
    pub out: Output,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        out: Output::new(output_options(&cli.global)),
        config: (&cli.global).into(),
        global: cli.global,
    };
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

/// A duration flag's value (see [`crate::duration::parse`]); `flag` names the option in
/// the usage error.
pub fn parse_duration(
    flag: &str,
    text: &str,
) -> Result<std::time::Duration, crate::error::CliError> {
    crate::duration::parse(text).map_err(|e| {
        crate::error::CliError::usage(format!("{flag} {e}"))
            .with_hint(format!("e.g. {flag} 90 (seconds), {flag} 90s or {flag} 5m"))
    })
}

#[cfg(test)]
mod duration_tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn bare_numbers_are_seconds_and_units_still_work() {
        assert_eq!(
            parse_duration("--timeout", "120").unwrap(),
            Duration::from_secs(120)
        );
        assert_eq!(
            parse_duration("--timeout", "1.5").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            parse_duration("--timeout", "5m").unwrap(),
            Duration::from_secs(300)
        );
        assert_eq!(
            parse_duration("--timeout", " 90s ").unwrap(),
            Duration::from_secs(90)
        );
        for bad in ["-1", "NaN", "inf", "5 parsecs", ""] {
            let e = parse_duration("--timeout", bad).unwrap_err();
            assert!(e.to_string().contains("--timeout"), "{bad}: {e}");
        }
    }
}
