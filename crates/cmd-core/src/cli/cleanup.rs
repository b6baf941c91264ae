//! `clearml cleanup`: the clap types.

use super::*;

pub(super) const CLEANUP_HELP: &str = "\
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
