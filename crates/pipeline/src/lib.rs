//! Pipelines from a TOML file, run as the SDK's PipelineController runs them: `spec`
//! (file to validated DAG), `refs` (`${...}` references), `runner` (controller, clone,
//! override, enqueue, watch). No clap and no printing here: `commands/pipeline.rs` shows.

mod error;
pub mod job_hash;
pub mod refs;
pub mod runner;
pub mod schedule;
pub mod scheduler_task;
pub mod spec;
pub mod stats;

pub use error::PipelineError;
