//! Why a pipeline cannot start; the command line decides the exit each means.

/// A pipeline refused before it runs.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Another live scheduler task already drives this pipeline on the server.
    #[error(
        "a scheduler for pipeline '{pipeline}' already runs on this server: task {task}: stop that one first (clearml task list --project {project}), or run this pipeline's schedule there"
    )]
    SchedulerRunning {
        pipeline: String,
        task: String,
        project: String,
    },
}
