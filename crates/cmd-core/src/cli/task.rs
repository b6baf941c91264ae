//! `clearml task`: the clap types.

use super::*;

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

pub(super) const TASK_LAUNCH_HELP: &str = "\
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

pub(super) const TASK_SELECT_HELP: &str = "\
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
