//! The whole command surface, in one place: clap types and nothing else.
//! Command implementations live in `commands/`, one file per group.

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
    pub format: Option<FormatArg>,
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
            self.format.map_or(Format::Table, Format::from)
        }
    }
}

pub use crate::output::Format;

/// `--format table|json|csv`: clap's spelling of the output layer's [`Format`] (a
/// type of another crate, so clap's trait is implemented on this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
        }
    }
}

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

// ---------------------------------------------------------------- sync, export, import

const SYNC_HELP: &str = "\
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
    /// Print what would be copied; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// State file (default: beside the target's clearml.conf, one per exporting server)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Tasks copied side by side
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub parallel: u16,
}

/// `--since`: how far back (a bare number is seconds).
fn parse_since(text: &str) -> Result<Duration, String> {
    crate::duration::parse(text)
}

// ---------------------------------------------------------------- cleanup

const CLEANUP_HELP: &str = "\
Without --status, archived tasks are selected. Published, running and queued tasks are never
deleted. Files are deleted from the file server (artifacts, draft output models, debug
images); a file elsewhere (S3, another host) is listed as kept. Before each batch of tasks is
deleted, its files are written to a journal: an interrupted cleanup is finished by the next
run. --models also deletes archived models (with --project/--older-than) and their files;
published models and models a task takes as input are kept. --orphans deletes, instead,
the files in the file server's folder that no task or model refers to (the folder is read
on this machine: --data-dir of 'server serve' or of 'server up'). Exit 1 when a task, a
model or a file could not be deleted (the rest is done).";

#[derive(Debug, Clone, Args)]
pub struct CleanupArgs {
    /// Only tasks last updated longer ago than this (e.g. 30d, 12h)
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,
    /// Tasks of these statuses, archived or not, instead of the archived ones (comma
    /// separated or repeated; e.g. failed,stopped)
    #[arg(long, value_delimiter = ',', value_parser = TASK_STATUSES)]
    pub status: Vec<String>,
    /// Only this project and its sub-projects
    #[arg(long)]
    pub project: Option<String>,
    /// Keep the N most recently updated of the selected tasks in each project
    #[arg(long, value_name = "N")]
    pub keep_last: Option<usize>,
    /// Leave the files on the file server; delete only tasks, models and events
    #[arg(long)]
    pub no_files: bool,
    /// Print what would be deleted and the bytes it holds; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before deleting
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Journal of files still to delete [default: clearml-cleanup-<server hash>.json beside
    /// clearml.conf]
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Also delete archived models (narrowed by --project and --older-than) with their files
    #[arg(long, conflicts_with = "orphans")]
    pub models: bool,
    /// Instead of tasks: delete the files in the file server's folder that no task or
    /// model refers to (--dry-run lists them with their sizes)
    #[arg(long, conflicts_with_all = ["status", "keep_last", "no_files", "older_than", "project"])]
    pub orphans: bool,
    /// With --orphans: the data dir of 'server serve' (its files/) or of 'server up' (its
    /// data/fileserver/) [default: serve's ($CLEARML_SERVE_DATA_DIR, else
    /// ~/.local/share/clearml/serve) when it is the configured server]
    #[arg(long, value_name = "DIR", requires = "orphans")]
    pub data_dir: Option<PathBuf>,
}

// ---------------------------------------------------------------- credentials

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Make a new key pair for the user of the configured credentials and print it as the
    /// web UI shows it (a clearml.conf api block: `clearml init --credentials -` takes it);
    /// the secret is shown only this once
    Create {
        /// A label to tell the pair apart later (e.g. "ci-bot")
        #[arg(long)]
        label: Option<String>,
        /// Say what would be made; make nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The key pairs of the configured user: access key, label, last use (never secrets)
    List,
    /// Revoke key pairs: they stop logging in, and their tokens stop working
    Revoke {
        /// Access keys to revoke (every one must exist, else nothing is revoked)
        #[arg(value_name = "ACCESS_KEY", required = true)]
        access_keys: Vec<String>,
        /// Also revoke the pair this command authenticates with (it locks this
        /// clearml.conf out)
        #[arg(long)]
        force: bool,
        /// Say what would be revoked; revoke nothing
        #[arg(long)]
        dry_run: bool,
    },
}

// ---------------------------------------------------------------- init

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// File to write (default: the SDK's choice: $CLEARML_CONFIG_FILE, else ~/clearml.conf)
    #[arg(long, short = 'F', value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Web application URL (e.g. http://localhost:8080)
    #[arg(long, value_name = "URL")]
    pub web_host: Option<String>,
    /// File server URL (e.g. http://localhost:8081)
    #[arg(long, value_name = "URL")]
    pub files_host: Option<String>,
    /// Access key (from the web UI's "Create new credentials")
    #[arg(long, value_name = "KEY")]
    pub access_key: Option<String>,
    /// Secret key on the command line (visible to other users via ps; prefer --secret-key-stdin)
    #[arg(long, value_name = "SECRET")]
    pub secret_key: Option<String>,
    /// Read the secret key from the first line of stdin
    #[arg(long, conflicts_with = "secret_key")]
    pub secret_key_stdin: bool,
    /// The pasted credentials block from the web UI, from FILE or '-' for stdin
    #[arg(long, value_name = "FILE|-")]
    pub credentials: Option<String>,
    /// Do not check the credentials against the server before writing
    #[arg(long)]
    pub no_verify: bool,
    /// Never prompt (also implied when stdin is not a terminal)
    #[arg(long)]
    pub non_interactive: bool,
    /// Replace the api block of an existing file without asking (a .bak copy is kept); without
    /// it, non-interactive mode refuses an existing file (exit 2)
    #[arg(long)]
    pub force: bool,
}

// ---------------------------------------------------------------- config

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Each value in force and where it came from (flag, env, file:line, default); secrets masked
    Show,
    /// The clearml.conf path in use
    Path,
    /// The configuration file(s) as read (merged, before environment overrides), as JSON
    /// (--csv: key,value rows); credentials masked
    Dump,
}

// ---------------------------------------------------------------- server

#[derive(Debug, Clone, Args)]
pub struct PingArgs {
    /// Check again every INTERVAL (e.g. 30s), one health line each on stdout, until Ctrl-C
    #[arg(long, value_name = "INTERVAL")]
    pub watch: Option<String>,
    /// With --watch: exit on the first failed check, with its exit code (3 unreachable, 1 a
    /// web or files host down)
    #[arg(long, requires = "watch")]
    pub exit_on_fail: bool,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Start the official server stack in Docker and wait until it is ready
    Up(UpArgs),
    /// Stop and remove the stack's containers and networks (data stays unless --purge)
    Down(DownArgs),
    /// A row per service: state, readiness, restarts, image, ports, uptime
    Status(StackArgs),
    /// Service logs, prefixed by service name
    Logs(LogsArgs),
    /// Check the API, web and files hosts of the configured server
    Ping(PingArgs),
    /// Preflight checks for the host (Docker, ports, vm.max_map_count, disk, memory, ...), and
    /// of a running stack: Elasticsearch indices made read-only when the disk filled up
    Doctor(DoctorArgs),
    /// Run a built-in ClearML-compatible server (API + file server, SQLite) in the foreground
    ///
    /// The first start generates a key pair, stores it in DATA_DIR/credentials.json (0600)
    /// and prints it on stdout as a clearml.conf block (`clearml init --credentials FILE`
    /// takes it), again on every start until the pair first logs in; then starts only say
    /// on stderr where it is. One server per data dir.
    Serve(ServeArgs),
    /// Archive the stack's data and config (stops and restarts the stack)
    Backup(BackupArgs),
    /// Restore a backup made by `server backup`
    Restore(RestoreArgs),
    /// Print the stack as a docker-compose.yml or Helm values file
    Render(RenderArgs),
    /// End-to-end check of the configured server: task, scalars, file round-trip
    Selftest,
    /// After the file server moved (host, port, https, a bucket): point every stored link
    /// at the new place: model URIs, task artifacts, debug images and plots
    #[command(after_help = REHOST_HELP)]
    Rehost(RehostArgs),
    /// Where the disk went: file server bytes and events per project or task, largest first
    #[command(after_help = USAGE_HELP)]
    Usage(UsageArgs),
    /// The open-source server's users (the API server's fixed users, in the stack's data
    /// dir): list, add, remove, change a password; the API server restarts and the login
    /// is checked
    #[command(subcommand, after_help = USERS_HELP)]
    Users(UsersCommand),
    /// Upgrade the Docker stack to another server version: a verified backup first, the
    /// required steps in order, then the data counts compared; on failure the backup is
    /// restored and the old version started again
    #[command(after_help = UPGRADE_HELP)]
    Upgrade(UpgradeArgs),
}

const UPGRADE_HELP: &str = "\
The stack is stopped and backed up (the same archive as 'server backup', read back and
checked against its manifest) before anything changes. A server older than 1.17 goes to
1.17.1 first, then to the target. Every image must already be on this host (nothing is
pulled). After each step the stack must become ready (the API server migrates its data
before it answers); then the projects, tasks and models are counted through the API and
compared with the counts taken before. On any failure the backup is restored, the old
version started again, and the command exits 1.";

#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    /// Where the stack keeps its data, logs and config
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The server version to go to, e.g. 2.3.0
    #[arg(long, value_name = "VERSION")]
    pub to: String,
    /// The target version's image for one service (repeatable), e.g. --image
    /// apiserver=mymirror/clearml-server:2.3.0 [default: clearml/server:VERSION]
    #[arg(long = "image", value_name = "SERVICE=IMAGE")]
    pub images: Vec<String>,
    /// The backup archive to write [default: beside the data dir, named after both versions]
    #[arg(long, value_name = "FILE")]
    pub backup: Option<PathBuf>,
    /// How long each step may take to become ready
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub timeout: String,
    /// Print the plan (versions, images, backup file) and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

const USERS_HELP: &str = "\
The users are auth.fixed_users in DATA_DIR/config/apiserver.conf, the file the API server
reads at start. Passwords are stored as the server checks them with pass_hashed: base64 of
a bcrypt hash (plain passwords already in the file are hashed on the first change). Each
change keeps the old file as apiserver.conf.bak (both 0600), restarts only the API server
and logs the user in (auth.login) to prove it. Passwords come from a prompt or, with
--password-stdin, from the first line of stdin; never from a flag.";

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// The users, their display names and how each password is stored (never the password)
    List(StackArgs),
    /// Add a user who can log in to the web UI (and enable fixed users)
    Add(UserAddArgs),
    /// Change a user's password
    Passwd(UserPasswdArgs),
    /// Remove users (the last one stays: nobody could log in)
    Remove(UserRemoveArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    /// Login name (no ':', no control characters)
    pub username: String,
    /// Display name [default: the username]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub edit: UserEditArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UserPasswdArgs {
    pub username: String,
    #[command(flatten)]
    pub edit: UserEditArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UserRemoveArgs {
    #[arg(required = true, value_name = "USERNAME")]
    pub usernames: Vec<String>,
    /// Say what would change; write and restart nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub stack: StackArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UserEditArgs {
    /// Read the password from the first line of stdin instead of a prompt
    #[arg(long)]
    pub password_stdin: bool,
    /// Say what would change; ask for no password, write and restart nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub stack: StackArgs,
}

const USAGE_HELP: &str = "\
Reads a 'clearml server serve' data dir (the server may be running): the files under files/
are walked and given to the task whose upload folder (<project>/<task name>.<task id>/) holds
them; events are counted and measured in the database. The totals are the data dir's own
(disk: allocated blocks, as du counts them). Files no task owns are one row with an empty
task.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum UsageBy {
    #[default]
    Project,
    Task,
}

#[derive(Debug, Clone, Args)]
pub struct UsageArgs {
    /// The 'clearml server serve' data dir [default: serve's: $CLEARML_SERVE_DATA_DIR, else
    /// $XDG_DATA_HOME/clearml/serve or ~/.local/share/clearml/serve]
    #[arg(long, value_name = "DIR", env = "CLEARML_SERVE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Only this project and its sub-projects
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// One row per project (the default) or per task
    #[arg(long, value_enum, default_value_t = UsageBy::Project)]
    pub by: UsageBy,
    /// Only the N largest rows
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

const REHOST_HELP: &str = "\
With --data-dir (a 'clearml server serve' data dir; that server must be stopped), every kind
of link is rewritten in one database transaction: an interrupted run changes nothing, and a
second run finds nothing left to do. Without it, the configured server is changed through
its API (models.edit, tasks.edit): model URIs and task artifacts; debug images and plots
live in the events store, which the API cannot edit (they are counted and reported). A link
is moved only when --from is the whole link or is followed by '/'; --from and --to may not
be prefixes of each other (a second run would move links again).";

#[derive(Debug, Clone, Args)]
pub struct RehostArgs {
    /// The old file server URL, as stored links start (e.g. http://old-host:8081)
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The new file server URL (e.g. https://files.example.com)
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// A stopped 'clearml server serve' data dir to rewrite directly (all kinds of links)
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Count what would change, per kind and per project; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Choices that define the stack; also read from clearml-server.toml in the data dir.
#[derive(Debug, Clone, Args, Default)]
pub struct StackArgs {
    /// Where the stack keeps its data, logs and config
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// clearml/server image tag
    #[arg(long = "version", value_name = "TAG")]
    pub server_version: Option<String>,
    /// Replace one service's image (repeatable), e.g. --image mongo=mymirror/mongo:6
    #[arg(long = "image", value_name = "SERVICE=IMAGE")]
    pub images: Vec<String>,
    /// Pull every image from this registry prefix (a private mirror)
    #[arg(long, value_name = "HOST/PREFIX")]
    pub registry: Option<String>,
    /// Address the published ports bind to
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Change a published port (repeatable), e.g. --port webserver=9080
    #[arg(long = "port", value_name = "SERVICE=N")]
    pub ports: Vec<String>,
    /// Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all
    #[arg(long = "env", value_name = "[SERVICE:]KEY=VALUE")]
    pub env: Vec<String>,
    /// Also run the services agent
    #[arg(long)]
    pub with_agent_services: bool,
}

pub use crate::stack::PullPolicy;

/// `--notify URL [--notify-format json|slack]` of `task wait`, `pipeline run` and
/// `pipeline schedule`.
#[derive(Debug, Clone, Args)]
pub struct NotifyArgs {
    /// When it ends, POST a JSON summary to this http(s) URL (4 attempts with backoff on
    /// errors, 429 and 5xx; a notification that cannot be delivered is only a warning)
    #[arg(long, value_name = "URL")]
    pub notify: Option<String>,
    /// Body of --notify: our JSON summary, or Slack's incoming-webhook {"text": ...}
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "json",
        requires = "notify"
    )]
    pub notify_format: crate::notify::Format,
}

/// `--notify-format json|slack`: the notifier's own type, named here for clap.
impl ValueEnum for crate::notify::Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[crate::notify::Format::Json, crate::notify::Format::Slack]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            crate::notify::Format::Json => "json",
            crate::notify::Format::Slack => "slack",
        }))
    }
}

/// `--pull missing|always|never`: clap's spelling of the stack's [`PullPolicy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PullArg {
    Missing,
    Always,
    Never,
}

impl From<PullArg> for PullPolicy {
    fn from(p: PullArg) -> Self {
        match p {
            PullArg::Missing => PullPolicy::Missing,
            PullArg::Always => PullPolicy::Always,
            PullArg::Never => PullPolicy::Never,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// When to pull images
    #[arg(long, value_enum, default_value_t = PullArg::Missing)]
    pub pull: PullArg,
    /// How long to wait for readiness
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub timeout: String,
    /// Start even if a preflight check fails
    #[arg(long)]
    pub skip_doctor: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Also delete the data directory (asks for confirmation unless --yes)
    #[arg(long)]
    pub purge: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Services to show (default: all)
    pub services: Vec<String>,
    /// Keep following the logs
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Lines from the end of each service's log
    #[arg(long, value_name = "N")]
    pub tail: Option<u64>,
    /// Only lines newer than this (e.g. 10m, 2h)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Create missing data directories and give them to uid 1000; unlock Elasticsearch
    /// indices made read-only at the flood-stage watermark (once the disk has room)
    #[arg(long)]
    pub fix: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Where the database and uploaded files live [default: $XDG_DATA_HOME/clearml/serve,
    /// else ~/.local/share/clearml/serve; or set CLEARML_SERVE_DATA_DIR]
    #[arg(long, value_name = "DIR", env = "CLEARML_SERVE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// API port (0: the port of this data dir's last run if free, else a free one)
    #[arg(long, default_value_t = 8008)]
    pub api_port: u16,
    /// File server port (0: the port of this data dir's last run if free, else a free one;
    /// stored model/artifact URLs name this port, so keep it stable for data you keep)
    #[arg(long, default_value_t = 8081)]
    pub files_port: u16,
    /// Port of the read-only web UI (0: as for --api-port); the three hosts stay distinct
    /// and derive from each other as clearml-init expects
    #[arg(long, default_value_t = 8080)]
    pub web_port: u16,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Archive to write (.tar.gz)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// After the backup, keep only the N newest archives of its series in its folder (names
    /// starting like FILE's up to its first digit and ending in .tar.gz; e.g.
    /// --out /backups/clearml-$(date +%F).tar.gz --keep 7), deleting the older ones
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,
    /// Say what would be written and which archives --keep would delete; stop nothing,
    /// write and delete nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Archive made by `server backup`
    pub file: PathBuf,
    /// Do not ask for confirmation before replacing the data dir
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum RenderFormat {
    #[default]
    Compose,
    HelmValues,
}

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// What to print
    #[arg(long = "as", value_enum, default_value_t = RenderFormat::Compose)]
    pub render_format: RenderFormat,
}

// ---------------------------------------------------------------- task

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// List tasks, with filters; follows pages past the server's 500-item cap with --all
    List(TaskListArgs),
    /// One task in detail: status, parameters, metrics, artifacts, models
    Show {
        /// Task id or name
        task: String,
        /// Project to look the name up in
        #[arg(long)]
        project: Option<String>,
    },
    /// Compare tasks side by side: parameters and metrics
    Compare(TaskCompareArgs),
    /// Wait until tasks reach a final status (exit 6 if any failed or stopped)
    Wait(TaskWaitArgs),
    /// Put tasks in a queue for an agent to run (draft, stopped or failed tasks)
    #[command(after_help = TASK_SELECT_HELP)]
    Enqueue {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Queue name or id (default: the server's default queue)
        #[arg(long, value_name = "QUEUE")]
        queue: Option<String>,
    },
    /// Take queued tasks out of their queue (back to the status they had)
    #[command(after_help = TASK_SELECT_HELP)]
    Dequeue {
        #[command(flatten)]
        select: TaskSelectArgs,
    },
    /// Stop running or queued tasks; a task an agent runs is stopped by the agent
    /// (its status stays in_progress until the agent acknowledges)
    #[command(after_help = TASK_SELECT_HELP)]
    Abort {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Ask the server to stop tasks whose status does not allow it
        #[arg(long)]
        force: bool,
    },
    /// Reset tasks to drafts: their results, logs and output models are deleted
    #[command(after_help = TASK_SELECT_HELP)]
    Reset {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Reset tasks whose status the server protects (published)
        #[arg(long)]
        force: bool,
        /// Also clear the script and execution sections
        #[arg(long)]
        clear_all: bool,
    },
    /// Archive tasks (a queued task is dequeued first)
    #[command(after_help = TASK_SELECT_HELP)]
    Archive {
        #[command(flatten)]
        select: TaskSelectArgs,
    },
    /// Restore archived tasks (filters select archived tasks)
    #[command(after_help = TASK_SELECT_HELP)]
    Unarchive {
        #[command(flatten)]
        select: TaskSelectArgs,
    },
    /// Publish finished tasks and their output models
    #[command(after_help = TASK_SELECT_HELP)]
    Publish {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Publish tasks that have not stopped or completed
        #[arg(long)]
        force: bool,
    },
    /// Delete tasks with their logs, metrics and unused output models (their files stay on
    /// the file server: `clearml cleanup` removes those too)
    #[command(after_help = TASK_SELECT_HELP)]
    Delete {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Delete tasks that are neither drafts nor archived (the server asks for it)
        #[arg(long)]
        force: bool,
    },
    /// Add or remove tags
    #[command(after_help = TASK_SELECT_HELP)]
    Tag {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Tag to add (repeatable)
        #[arg(long = "add", value_name = "TAG")]
        add: Vec<String>,
        /// Tag to remove (repeatable)
        #[arg(long = "remove", value_name = "TAG")]
        remove: Vec<String>,
    },
    /// Move tasks to another project (created if missing)
    #[command(after_help = TASK_SELECT_HELP)]
    Move {
        #[command(flatten)]
        select: TaskSelectArgs,
        /// Target project (full path, e.g. parent/child)
        #[arg(long, value_name = "PROJECT")]
        to: String,
    },
    /// A task's console output, as `docker logs` prints a container's; -f follows it until
    /// the task ends (exit 6 if it failed or was stopped, as `task wait`)
    Logs(TaskLogsArgs),
    /// Copy a task as a new draft, override parameters, and optionally enqueue it
    Clone(TaskCloneArgs),
    /// Change one task: parameters, name, comment, tags
    Edit(TaskEditArgs),
    /// Make a script into a task an agent can run (its git repository, commit and
    /// uncommitted changes, or its text), and enqueue it with --queue
    #[command(after_help = TASK_LAUNCH_HELP)]
    Launch(TaskLaunchArgs),
}

const TASK_LAUNCH_HELP: &str = "\
Inside a git repository the task names the remote (without credentials), branch, commit,
working directory and entry point, and carries the uncommitted changes (and the script, if
it is not committed) as a diff: push the commit first, the agent clones it. Outside a
repository (or with --single-file) the script's text is the task's code. Options go before
SCRIPT: everything after it is passed to the script. Without --queue the task stays a draft
(a base task to clone, e.g. for a pipeline step). Exit 5 when the script, the requirements
file or the queue does not exist.";

#[derive(Debug, Clone, Args)]
pub struct TaskLaunchArgs {
    /// The script (.py; .sh runs with bash)
    #[arg(value_name = "SCRIPT")]
    pub script: PathBuf,
    /// Arguments passed to the script
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub script_args: Vec<String>,
    /// Project of the task (created if missing)
    #[arg(long)]
    pub project: String,
    /// Name of the task (default: the script's file name)
    #[arg(long)]
    pub name: Option<String>,
    /// Tags (repeatable, or comma separated)
    #[arg(long = "tags", value_name = "TAG", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// A parameter of the Args section (repeatable), e.g. --args lr=0.01
    #[arg(long = "args", value_name = "NAME=VALUE")]
    pub args: Vec<String>,
    /// Requirements file (pip syntax) the agent installs
    #[arg(long, value_name = "FILE")]
    pub requirements: Option<PathBuf>,
    /// Packages the agent installs (repeatable, or comma separated), e.g. --packages numpy
    #[arg(long, value_name = "PACKAGE", value_delimiter = ',')]
    pub packages: Vec<String>,
    /// Container image the agent runs the task in (agents in docker mode)
    #[arg(long, value_name = "IMAGE")]
    pub docker: Option<String>,
    /// Arguments of `docker run` for that container
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    pub docker_args: Option<String>,
    /// Working directory relative to the repository root (default: the script's folder)
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<String>,
    /// Task type
    #[arg(long, default_value = "training", value_parser = TASK_TYPES)]
    pub task_type: String,
    /// Do not add `Task.init()` to a Python script that does not call it
    #[arg(long)]
    pub skip_task_init: bool,
    /// Ignore the git repository: the script's text is the task's code
    #[arg(long)]
    pub single_file: bool,
    /// Enqueue the task in this queue (name or id); without it the task stays a draft
    #[arg(long, value_name = "QUEUE")]
    pub queue: Option<String>,
    /// Print the task that would be created (JSON); create nothing
    #[arg(long)]
    pub dry_run: bool,
}

const TASK_SELECT_HELP: &str = "\
Tasks are given by id, by a unique id prefix (the 8-character short id), by exact name (every
task of that name), or by the filters of 'task list' (--project, --status, --older-than, ...).
More than one task: the list is shown and confirmed on a terminal; --yes skips the question,
and without a terminal --yes is required (else exit 2, nothing changed). --dry-run prints the
selection and changes nothing. Every task is tried; the exit code is 1 if any was refused.";

/// Which tasks an action touches: ids, id prefixes, names, or `task list`'s filters.
#[derive(Debug, Clone, Args, Default)]
pub struct TaskSelectArgs {
    /// Task ids, unique id prefixes, or exact names
    #[arg(value_name = "TASK")]
    pub tasks: Vec<String>,
    /// Project (full path); with TASK names, where to look them up
    #[arg(long)]
    pub project: Option<String>,
    /// Include sub-projects of --project
    #[arg(long)]
    pub recursive: bool,
    /// Status filter (repeatable)
    #[arg(long, value_parser = TASK_STATUSES)]
    pub status: Vec<String>,
    /// Tag filter (repeatable; prefix '-' to exclude)
    #[arg(long, allow_hyphen_values = true)]
    pub tag: Vec<String>,
    /// Name regex
    #[arg(long)]
    pub name: Option<String>,
    /// User name, or 'me'
    #[arg(long)]
    pub user: Option<String>,
    /// Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")
    #[arg(long)]
    pub since: Option<String>,
    /// Created at or before
    #[arg(long)]
    pub until: Option<String>,
    /// Last updated longer ago than this (e.g. 30d, 12h)
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,
    /// Filters select archived tasks instead of active ones
    #[arg(long)]
    pub archived: bool,
    /// Do not ask before acting on more than one task
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the tasks that would be touched; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct TaskLogsArgs {
    /// Task id, unique id prefix, or name
    pub task: String,
    /// Keep printing new lines until the task ends
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Only the last N lines
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
    /// Only lines since this time (RFC 3339, a date, or a duration like 10m meaning "ago")
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Prefix each line with its time (UTC)
    #[arg(long, short = 't')]
    pub timestamps: bool,
}

#[derive(Debug, Clone, Args)]
pub struct TaskCloneArgs {
    /// Task id, unique id prefix, or name
    pub task: String,
    /// Name of the new task
    #[arg(long)]
    pub name: String,
    /// Project of the new task (created if missing; default: the original's)
    #[arg(long)]
    pub project: Option<String>,
    /// Override a parameter (repeatable), e.g. --set Args/lr=0.01
    #[arg(long = "set", value_name = "SECTION/NAME=VALUE")]
    pub set: Vec<String>,
    /// Tag of the new task (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Enqueue the new task in this queue (name or id)
    #[arg(long, value_name = "QUEUE")]
    pub queue: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct TaskEditArgs {
    /// Task id, unique id prefix, or name
    pub task: String,
    /// Set a parameter (repeatable), e.g. --set Args/lr=0.01
    #[arg(long = "set", value_name = "SECTION/NAME=VALUE")]
    pub set: Vec<String>,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// New comment (description)
    #[arg(long)]
    pub comment: Option<String>,
    /// Tag to add (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Tag to remove (repeatable)
    #[arg(long = "remove-tag", value_name = "TAG")]
    pub remove_tags: Vec<String>,
    /// Edit parameters of a task that is not a draft (the server refuses it otherwise)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct TaskListArgs {
    /// Project name (full path, e.g. parent/child)
    #[arg(long)]
    pub project: Option<String>,
    /// Include sub-projects of --project
    #[arg(long)]
    pub recursive: bool,
    /// Status filter (repeatable)
    #[arg(long, value_parser = TASK_STATUSES)]
    pub status: Vec<String>,
    /// Task type filter (repeatable)
    #[arg(long = "type", value_parser = TASK_TYPES)]
    pub task_type: Vec<String>,
    /// Tag filter (repeatable; prefix '-' to exclude)
    #[arg(long, allow_hyphen_values = true)]
    pub tag: Vec<String>,
    /// User name, or 'me'
    #[arg(long)]
    pub user: Option<String>,
    /// Name regex
    #[arg(long)]
    pub name: Option<String>,
    /// Full-text search
    #[arg(long)]
    pub search: Option<String>,
    /// Show archived tasks instead of active ones
    #[arg(long)]
    pub archived: bool,
    /// Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")
    #[arg(long)]
    pub since: Option<String>,
    /// Created at or before
    #[arg(long)]
    pub until: Option<String>,
    /// Sort field, '-' prefix for descending (default -last_update)
    #[arg(long, allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// At most N tasks
    #[arg(long, default_value_t = 100, conflicts_with = "all",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
    /// Every matching task (pages past the 500 cap)
    #[arg(long)]
    pub all: bool,
    /// Columns, comma separated; also metric:Title/Series and param:Section/name
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct TaskCompareArgs {
    /// Task ids or names
    pub tasks: Vec<String>,
    /// Pick tasks from this project instead
    #[arg(long)]
    pub project: Option<String>,
    /// With --project: status filter
    #[arg(long, value_parser = TASK_STATUSES)]
    pub status: Vec<String>,
    /// With --project: the N most recent
    #[arg(long)]
    pub last: Option<usize>,
    /// Show only rows whose values differ
    #[arg(long)]
    pub diff_only: bool,
    /// Which direction is better per metric, e.g. loss=min,accuracy=max
    #[arg(long, value_delimiter = ',')]
    pub better: Vec<String>,
    /// Draw the scalar curves of this metric (title or title/series) in the terminal
    #[arg(long)]
    pub plot: Option<String>,
    /// Write the curves of --plot as an SVG chart
    #[arg(long, value_name = "FILE", requires = "plot")]
    pub svg: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct TaskWaitArgs {
    /// Task ids or names
    #[arg(required = true)]
    pub tasks: Vec<String>,
    /// Give up after this long (e.g. 30m); exit 1 on timeout (6 if a task failed). The
    /// server may be unreachable for this long (without it: 10 minutes) before exit 3
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    #[command(flatten)]
    pub hook: NotifyArgs,
    /// Poll interval (at least 1s)
    #[arg(long, default_value = "5s", value_name = "DURATION")]
    pub interval: String,
    /// Console lines shown for a task that failed or was stopped (0: none)
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub log_lines: usize,
}

// ---------------------------------------------------------------- dataset

/// Which dataset version a read command means.
#[derive(Debug, Clone, Args)]
pub struct DatasetRef {
    /// Dataset id, or name (the highest version of that name)
    pub dataset: String,
    /// Look the name up in this project only
    #[arg(long)]
    pub project: Option<String>,
    /// This version of the named dataset (e.g. 1.0.2)
    #[arg(long)]
    pub version: Option<String>,
}

/// The dataset a write command works on.
#[derive(Debug, Clone, Args)]
pub struct DatasetId {
    /// Dataset id (default: the dataset 'clearml dataset create' made last on this machine)
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// List datasets (the latest version of each, or every version)
    List(DatasetListArgs),
    /// One version: status, parents, file count and size, changes against its parents
    Show {
        #[command(flatten)]
        which: DatasetRef,
        /// Also list every file (path, size, sha256, version it comes from)
        #[arg(long)]
        files: bool,
    },
    /// Download a version (with its parents' files) into a folder, verified, resumable
    Get(DatasetGetArgs),
    /// Re-hash a local copy against a version's file list
    Verify {
        #[command(flatten)]
        which: DatasetRef,
        /// The local copy
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Files added, removed and changed from version A to version B
    Diff {
        /// The older version (id, or name for the latest version)
        a: String,
        /// The newer version (id, or name for the latest version)
        b: String,
        #[arg(long)]
        project: Option<String>,
    },
    /// Delete a version (or all versions of a name), with its chunks on the file server
    Delete(DatasetDeleteArgs),
    /// Start a new dataset version; prints its id
    Create(DatasetCreateArgs),
    /// Add files or folders to the dataset (hashed now, uploaded by 'upload')
    Add(DatasetAddArgs),
    /// Remove files (paths or wildcards inside the dataset)
    Remove(DatasetRemoveArgs),
    /// Make the dataset match a folder: add new files, replace modified ones, remove missing ones
    Sync(DatasetSyncArgs),
    /// Upload the pending files in compressed chunks (resumable)
    Upload(DatasetUploadArgs),
    /// Finalize the version (uploading what is pending first); it becomes read-only
    Close(DatasetCloseArgs),
    /// Publish a closed version
    Publish {
        #[command(flatten)]
        id: DatasetId,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatasetListArgs {
    /// Only datasets of this project (and its subprojects)
    #[arg(long)]
    pub project: Option<String>,
    /// Name regex
    #[arg(long)]
    pub name: Option<String>,
    /// Every version, not only the latest of each name
    #[arg(long)]
    pub all_versions: bool,
    /// Include versions still being written (not closed)
    #[arg(long)]
    pub include_drafts: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetGetArgs {
    #[command(flatten)]
    pub which: DatasetRef,
    /// Folder to put the files in (created; files of the version are written over)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Chunks downloaded at once
    #[arg(long, default_value_t = 4, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub parallel: usize,
    /// Extract into the SDK's dataset cache and link DIR's files there, so a later
    /// Dataset.get_local_copy() is a cache hit
    #[arg(long)]
    pub link: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetDeleteArgs {
    #[command(flatten)]
    pub which: DatasetRef,
    /// Every version of the dataset's name
    #[arg(long)]
    pub all_versions: bool,
    /// Also delete the chunks (and state) from the file server
    #[arg(long)]
    pub with_files: bool,
    /// Delete even when other versions use it as a parent
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetCreateArgs {
    /// Project (the version lives in its hidden .datasets subproject, as the SDK keeps it)
    #[arg(long)]
    pub project: Option<String>,
    /// Dataset name
    #[arg(long)]
    pub name: String,
    /// Parent versions (ids) whose files the new version starts from
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub parents: Vec<String>,
    /// Version string (default: the latest of this name plus one, else 1.0.0)
    #[arg(long)]
    pub version: Option<String>,
    /// Tags, comma separated
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Description
    #[arg(long)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetAddArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Files or folders (a folder's files keep their paths relative to it)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only files matching this wildcard (repeatable), e.g. '*.jpg'
    #[arg(long)]
    pub wildcard: Vec<String>,
    /// Put the files under this folder inside the dataset
    #[arg(long, value_name = "FOLDER")]
    pub dataset_folder: Option<String>,
    /// Do not descend into subfolders
    #[arg(long)]
    pub non_recursive: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetRemoveArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Paths inside the dataset, or wildcards ('images/*.png')
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// A wildcard matches in subfolders too only with this off
    #[arg(long)]
    pub non_recursive: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetSyncArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// The folder the dataset should match
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Match this folder inside the dataset instead of its root
    #[arg(long, value_name = "FOLDER")]
    pub dataset_folder: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetUploadArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Target size of one chunk, in MiB of input
    #[arg(long, default_value_t = 512, value_name = "MIB",
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..))]
    pub chunk_size: u64,
    /// Chunks compressed and uploaded at once
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=32))]
    pub parallel: usize,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetCloseArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Target size of one chunk for what is still pending, in MiB
    #[arg(long, default_value_t = 512, value_name = "MIB",
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..))]
    pub chunk_size: u64,
}

// ---------------------------------------------------------------- model

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// List models
    List(ModelListArgs),
    /// One model in detail
    Show {
        /// Model id or name
        model: String,
        #[arg(long)]
        project: Option<String>,
    },
    /// Upload a weights file and register + publish it, or publish an existing draft by id
    Publish(ModelPublishArgs),
    /// Download a model's weights (latest published by name, or by id)
    Pull(ModelPullArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ModelListArgs {
    /// Project name (full path, e.g. parent/child)
    #[arg(long)]
    pub project: Option<String>,
    /// Name regex
    #[arg(long)]
    pub name: Option<String>,
    /// Tag filter (repeatable; prefix '-' to exclude)
    #[arg(long, allow_hyphen_values = true)]
    pub tag: Vec<String>,
    /// Framework (e.g. PyTorch)
    #[arg(long)]
    pub framework: Option<String>,
    /// Only published models
    #[arg(long, conflicts_with = "draft")]
    pub published: bool,
    /// Only draft models
    #[arg(long)]
    pub draft: bool,
    /// Models created by this task id
    #[arg(long)]
    pub task: Option<String>,
    /// At most N models
    #[arg(long, default_value_t = 100, conflicts_with = "all",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
    /// Every model (pages past the server's 500 cap)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ModelPublishArgs {
    /// Weights file to upload, or the id of an existing draft model
    pub target: String,
    /// Model name (default: the file name without extension)
    #[arg(long)]
    pub name: Option<String>,
    /// Project to register the model in (created if missing; needed with a file)
    #[arg(long)]
    pub project: Option<String>,
    /// Framework (e.g. PyTorch, TensorFlow, ONNX)
    #[arg(long)]
    pub framework: Option<String>,
    /// Task that produced the model
    #[arg(long)]
    pub task: Option<String>,
    /// Tags, comma separated (e.g. --tags best,v2)
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Free-text comment (description) of the model
    #[arg(long)]
    pub comment: Option<String>,
    /// Label enumeration entry (repeatable), name=int
    #[arg(long = "label", value_name = "NAME=INT")]
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ModelPullArgs {
    /// Model id
    pub id: Option<String>,
    /// Model name: the newest published model of that name, else the newest draft
    #[arg(long, conflicts_with = "id")]
    pub name: Option<String>,
    /// With --name: only a published model will do
    #[arg(long, requires = "name")]
    pub published_only: bool,
    /// Look the name up in this project only
    #[arg(long)]
    pub project: Option<String>,
    /// Where to put the file (default: the SDK's cache, shared with Model.get_local_copy)
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Download again even if a cached copy exists
    #[arg(long)]
    pub force: bool,
}

// ---------------------------------------------------------------- pipeline

#[derive(Debug, Subcommand)]
pub enum PipelineCommand {
    /// Run a pipeline file: the controller and its steps appear on the server as the SDK's
    /// PipelineController makes them, and clearml-agent workers execute the steps (exit 6
    /// if it fails or is stopped, 2 for a bad file, 5 for a missing base task or queue)
    Run(PipelineRunArgs),
    /// One run's DAG: each step's status, task id and duration
    Status(PipelineStatusArgs),
    /// Pipeline runs with status, start, duration and steps done
    List(PipelineListArgs),
    /// Run a pipeline file at each cron fire time, in the foreground (systemd, a container,
    /// nohup): never two runs at once (a fire time during a run is skipped and logged), no
    /// replay of fire times missed while down; one line per decision on stderr; SIGTERM or
    /// Ctrl-C exits 0. Registers a `service` task (as the SDK's TaskScheduler) in --project
    Schedule(PipelineScheduleArgs),
    /// Per pipeline: runs, completed/failed/stopped, success rate, duration mean/p50/p95,
    /// last run and a duration sparkline; per step: runs, failure rate, mean/p95 duration,
    /// time queued versus running, the step that fails most. SDK-made runs count too
    Stats(PipelineStatsArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PipelineStatsArgs {
    /// Only the pipeline with this name
    pub name: Option<String>,
    /// Only pipelines of this project
    #[arg(long)]
    pub project: Option<String>,
    /// The N newest runs of each pipeline
    #[arg(long, conflicts_with = "since",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub last: Option<usize>,
    /// Runs created within this long (e.g. 30d, 12h)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Write run durations over time, coloured by status, as an SVG chart
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct PipelineScheduleArgs {
    /// The pipeline file (TOML; see docs/pipelines.md)
    pub file: PathBuf,
    /// Cron expression: 5 fields ("0 2 * * *") or @hourly/@daily/@weekly/@monthly/@yearly.
    /// A leading sixth field of seconds is accepted ("*/2 * * * * *", meant for tests)
    #[arg(long, value_name = "EXPR")]
    pub cron: String,
    /// Time zone the cron expression is read in (IANA name, e.g. Europe/Moscow)
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Override a pipeline parameter (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Queue for the steps without execution_queue (overrides default_queue)
    #[arg(long, value_name = "QUEUE")]
    pub queue: Option<String>,
    /// Project of the scheduler's own service task
    #[arg(long, default_value = "DevOps", value_name = "PROJECT")]
    pub project: String,
    /// Check the file (as `pipeline run --dry-run`) and print the next five fire times
    #[arg(long)]
    pub dry_run: bool,
    /// At start, run once if a fire time passed since this pipeline's newest run began (by
    /// default fire times missed while the scheduler was down are not replayed)
    #[arg(long)]
    pub catch_up: bool,
    /// On exit, stop the run in flight (by default it is left running on the server)
    #[arg(long)]
    pub stop_running_on_exit: bool,
    #[command(flatten)]
    pub hook: NotifyArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PipelineRunArgs {
    /// The pipeline file (TOML; see docs/pipelines.md)
    pub file: PathBuf,
    /// Override a pipeline parameter (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Queue for the steps without execution_queue (overrides default_queue)
    #[arg(long, value_name = "QUEUE")]
    pub queue: Option<String>,
    /// Check everything and print the DAG in launch order; create nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub hook: NotifyArgs,
    /// Console lines shown for each step that failed (0: none)
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub log_lines: usize,
}

#[derive(Debug, Clone, Args)]
pub struct PipelineStatusArgs {
    /// Run id, "NAME #N", or a pipeline name (its newest run)
    pub run: String,
    /// Refresh until the run ends
    #[arg(long)]
    pub watch: bool,
    /// Look the name up under this project only
    #[arg(long)]
    pub project: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct PipelineListArgs {
    /// Only pipelines of this project
    #[arg(long)]
    pub project: Option<String>,
    /// Only runs of the pipeline with this name
    #[arg(long)]
    pub name: Option<String>,
    /// At most N runs, newest first
    #[arg(long, default_value_t = 50,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
}

// ---------------------------------------------------------------- queue, worker

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Queues with their pending tasks and the workers listening
    List,
}

#[derive(Debug, Subcommand)]
pub enum WorkerCommand {
    /// Workers with their queues, current task and when last seen
    List,
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
