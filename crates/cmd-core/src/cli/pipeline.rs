//! `clearml pipeline`: the clap types.

use super::*;

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
