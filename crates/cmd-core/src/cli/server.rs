//! `clearml server`: the clap types.

use super::*;

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

pub(super) const UPGRADE_HELP: &str = "\
The stack is stopped and backed up (the same archive as 'server backup', read back and
checked against its manifest) before anything changes. A server older than 1.17 goes to
1.17.1 first, then to the target. Every image must already be on this host (nothing is
pulled). After each step the stack must become ready (the API server migrates its data
before it answers); then the projects, tasks and models are counted through the API (and
the events in the stack's Elasticsearch) and compared with the counts taken before. On any
failure the backup is restored, the old version started again, and the command exits 1.
Ctrl-C after the stack stopped is rolled back the same way (exit 130).";

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

pub(super) const USERS_HELP: &str = "\
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

pub(super) const USAGE_HELP: &str = "\
Reads a 'clearml server serve' data dir (the server may be running): the files under files/
are walked and given to the task whose upload folder (<project>/<task name>.<task id>/) holds
them; events are counted and measured in the database. The totals are the data dir's own
(disk: allocated blocks, as du counts them). Files no task owns are one row with an empty
task.

With --stack (this host's Docker stack), the stack's data dir is walked: files under
data/fileserver by the same folders, the databases (data/elastic_7, data/mongo_4,
data/redis) as the database; events are counted per task in its Elasticsearch (a composite
aggregation on each events-* index), and an index's bytes on disk (_cat/indices store.size)
are shared out among its tasks by their number of events. Task and project names come from
the configured server's API. Run it as root to read the databases' folders.";

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
    /// The configured server is this host's Docker stack ('clearml server up'): walk the
    /// data dir its containers were started with (files under data/fileserver), count the
    /// events in its Elasticsearch (through the Docker API), names through the API;
    /// --data-dir is not used (CLEARML_STACK_PROJECT names another stack)
    #[arg(long, conflicts_with = "api")]
    pub stack: bool,
    /// Ask only the configured server's API (a server whose data dir this machine cannot
    /// read): file bytes by the stored URLs of task artifacts (their recorded size, else a
    /// HEAD of the URL) and models (a HEAD); events are not counted
    #[arg(long)]
    pub api: bool,
}

pub(super) const REHOST_HELP: &str = "\
With --data-dir (a 'clearml server serve' data dir; that server must be stopped), every kind
of link is rewritten in one database transaction: an interrupted run changes nothing, and a
second run finds nothing left to do. Without it, the configured server is changed through
its API (models.edit, tasks.edit): model URIs and task artifacts; debug images and plots
live in the events store, which the API cannot edit; with --stack (the configured server is
this host's Docker stack) they are rewritten in its Elasticsearch by one _update_by_query. A link
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
    #[arg(long, value_name = "DIR", conflicts_with = "stack")]
    pub data_dir: Option<PathBuf>,
    /// The configured server is this host's Docker stack ('clearml server up'): besides
    /// models and artifacts (through the API), rewrite the debug image and plot links in
    /// its Elasticsearch (through the Docker API; CLEARML_STACK_PROJECT names another stack)
    #[arg(long)]
    pub stack: bool,
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
    /// Back up while the stack keeps running: MongoDB through mongodump, Elasticsearch
    /// through a snapshot, Redis through SAVE (inside their containers), the file server's
    /// folder copied live. `server restore` takes the archive the same way
    #[arg(long)]
    pub online: bool,
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
