//! The whole command surface, in one place: clap types and nothing else.
//! Command implementations live in `commands/`, one file per group.

mod cleanup;
mod config;
mod credentials;
mod dataset;
mod init;
mod model;
mod pipeline;
mod queue;
mod server;
mod sync;
mod task;

pub use cleanup::*;
pub use config::*;
pub use credentials::*;
pub use dataset::*;
pub use init::*;
pub use model::*;
pub use pipeline::*;
pub use queue::*;
pub use server::*;
pub use sync::*;
pub use task::*;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::wire::{TASK_STATUSES, TASK_TYPES};

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    failure (including a degraded stack or a failed check)
  2    usage error (bad flags or arguments, a missing --config FILE, init over an existing file without --force)
  3    server unreachable (DNS, refused, TLS, timeout, Docker not reachable)
  4    authentication refused (bad key/secret, expired token)
  5    not found (task, model, project, file)
  6    a waited-for task or pipeline failed or was stopped
  130  interrupted (Ctrl-C)
  141  stdout's reader went away (`| head`), quietly, as a filter killed by SIGPIPE

Environment (same names and precedence as the Python SDK; flags win over them):
  CLEARML_CONFIG_FILE, CLEARML_API_HOST, CLEARML_WEB_HOST, CLEARML_FILES_HOST,
  CLEARML_API_ACCESS_KEY, CLEARML_API_SECRET_KEY, CLEARML_API_HOST_VERIFY_CERT
  (and their TRAINS_* aliases), NO_COLOR; CLEARML_REQUEST_TIMEOUT (--request-timeout).";

#[derive(Debug, Parser)]
#[command(
    name = "clearml",
    version,
    about = "Set up, run and administer ClearML: the init wizard, the server stack, a built-in server, experiments and models",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// API server URL, overriding CLEARML_API_HOST and the file
    #[arg(long, global = true, value_name = "URL")]
    pub api_host: Option<String>,
    /// Output format for results on stdout
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// Shorthand for --format json
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,
    /// Shorthand for --format csv
    #[arg(long, global = true, conflicts_with_all = ["format", "json"])]
    pub csv: bool,
    /// Print only results and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr (-v requests, -vv debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No colour (also when NO_COLOR is set or output is not a terminal)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Do not verify the server's TLS certificate
    #[arg(long, global = true)]
    pub insecure: bool,
    /// CA bundle (PEM) to verify the server's TLS certificate with
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,
    /// Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the
    /// longest time without progress
    #[arg(long, global = true, value_name = "DURATION", env = "CLEARML_REQUEST_TIMEOUT",
          value_parser = parse_timeout)]
    pub request_timeout: Option<Duration>,
}

/// A duration: a bare number is seconds (`45`, `2.5`), else humantime (`90s`, `2m`, `1h 30m`).
/// Zero is refused: it would fail every request.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = crate::duration::parse(text)?;
    if d.is_zero() {
        return Err("the timeout must be more than 0".into());
    }
    Ok(d)
}

impl GlobalArgs {
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
            .unwrap_or(crate::api::DEFAULT_REQUEST_TIMEOUT)
    }

    pub fn output_format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else {
            self.format.unwrap_or(Format::Table)
        }
    }
}

pub use crate::output::Format;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write ~/clearml.conf: paste the credentials block from the web UI, or pass flags (CI)
    Init(InitArgs),
    /// Inspect the configuration in force
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run and administer a ClearML server (official Docker stack or built-in)
    #[command(subcommand)]
    Server(ServerCommand),
    /// List, inspect, compare, wait for and act on experiments (tasks)
    #[command(subcommand)]
    Task(TaskCommand),
    /// List, publish and download models
    #[command(subcommand)]
    Model(ModelCommand),
    /// Versioned datasets in the SDK's format: list, fetch, verify, create, upload, delete
    #[command(subcommand)]
    Dataset(DatasetCommand),
    /// Run a pipeline from a TOML file on ClearML agents; its status and past runs
    #[command(subcommand)]
    Pipeline(PipelineCommand),
    /// List the server's queues
    #[command(subcommand)]
    Queue(QueueCommand),
    /// List the workers (agents) registered with the server
    #[command(subcommand)]
    Worker(WorkerCommand),
    /// Make, list and revoke API key pairs (for CI bots and colleagues, without the web UI)
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Copy projects (tasks, events, models, files, pipeline runs) from one server to another
    #[command(after_help = SYNC_HELP)]
    Sync(SyncArgs),
    /// Write projects to one .tar.zst archive, for a server with no network path to this one
    Export(ExportArgs),
    /// Copy an archive written by 'clearml export' into a server
    // mut_arg moves the argument to the end of the list: `parallel` goes after the two
    // so the completions keep sync's order.
    #[command(
        mut_arg("dry_run", |a| a.help(IMPORT_DRY_RUN_HELP)),
        mut_arg("state", |a| a.help(IMPORT_STATE_HELP)),
        mut_arg("parallel", |a| a)
    )]
    Import(ImportArgs),
    /// Delete old experiments with their models, artifacts, logs and files on the file
    /// server; published tasks and models other tasks use are kept
    #[command(after_help = CLEANUP_HELP)]
    Cleanup(CleanupArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write man pages into a directory (used by `make docs`)
    #[command(hide = true)]
    Manpages {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
