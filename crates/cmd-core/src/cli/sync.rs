//! `clearml sync, export, import`: the clap types.

use super::*;

pub(super) const SYNC_HELP: &str = "\
A side is a clearml.conf (its credentials and hosts, nothing from the environment) or an API
URL (credentials and CLEARML_FILES_HOST from the environment). A state file beside the
target's clearml.conf maps source ids to target ids: a second run copies only what is new or
changed, an interrupted run goes on where it stopped. Objects the target refuses are listed
with the reason; the rest is copied, and the exit code is then 1.";

/// What `sync` and `export` read.
#[derive(Debug, Clone, Args)]
pub struct SelectArgs {
    /// Project to copy with its sub-projects (repeatable; default: every project)
    #[arg(long = "project", short = 'p', value_name = "NAME")]
    pub projects: Vec<String>,
    /// Only tasks updated within this long (7d, 12h, 90m)
    #[arg(long, value_name = "DURATION", value_parser = parse_since)]
    pub since: Option<Duration>,
    /// Copy artifacts, models and debug images between the file servers (the default)
    #[arg(long, conflicts_with = "metadata_only")]
    pub with_files: bool,
    /// Copy no files: URIs keep pointing at the source's file server
    #[arg(long)]
    pub metadata_only: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Source: a clearml.conf or an API URL
    #[arg(long, value_name = "CONF_OR_URL")]
    pub from: String,
    /// Target: a clearml.conf or an API URL
    #[arg(long, value_name = "CONF_OR_URL")]
    pub to: String,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub copy: CopyArgs,
}

/// How `sync` and `import` copy into the target (`import` words two helps its own way).
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    /// Print what would be copied and its size; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// State file (default: clearml-sync-<source hash>.json beside the target's clearml.conf)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Tasks copied side by side
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub parallel: u16,
}

/// `import`'s own helps for two of [`CopyArgs`].
pub(super) const IMPORT_DRY_RUN_HELP: &str = "Print what would be copied; change nothing";
pub(super) const IMPORT_STATE_HELP: &str =
    "State file (default: beside the target's clearml.conf, one per exporting server)";

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Source: a clearml.conf or an API URL (default: the configuration in force)
    #[arg(long, value_name = "CONF_OR_URL")]
    pub from: Option<String>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Archive to write (.tar.zst)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Archive written by 'clearml export'
    #[arg(value_name = "FILE")]
    pub archive: PathBuf,
    /// Target: a clearml.conf or an API URL
    #[arg(long, value_name = "CONF_OR_URL")]
    pub to: String,
    /// Only these projects of the archive (with sub-projects; default: all)
    #[arg(long = "project", short = 'p', value_name = "NAME")]
    pub projects: Vec<String>,
    #[command(flatten)]
    pub copy: CopyArgs,
}

/// `--since`: how far back (a bare number is seconds).
pub(super) fn parse_since(text: &str) -> Result<Duration, String> {
    crate::duration::parse(text)
}
