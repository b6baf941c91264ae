//! `clearml queue, worker`: the clap types.

use super::*;

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
