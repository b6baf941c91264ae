//! The official server stack: service specs mirroring the official docker-compose.yml,
//! driven through the Docker Engine API (bollard), with preflight checks.
//!
//! - `spec`: the typed services and the user's choices (flags > clearml-server.toml > defaults)
//! - `render`: the same stack as a docker-compose.yml or Helm values
//! - `docker`: the engine calls (bollard): pull, networks, containers, logs, inspect
//! - `ready`: readiness waits and failure reports with the likely fix
//! - `doctor`: preflight checks of the host
//! - `lifecycle`: up, down, status, logs
//! - `backup`: consistent backup and restore of the data dir
//! - `es`, `events`: the stack's Elasticsearch (curl in its container): the event links
//! - `online`: backups while the stack runs (the databases' own dump tools) and their restore
//! - `users`: the API server's fixed users in the data dir's config
//! - `upgrade`: the upgrade plan, image and backup checks, data counts
//!
//! The compose project name is `clearml` unless CLEARML_STACK_PROJECT names another one
//! (a second stack on the same host, or tests); it also prefixes the container names.
pub mod backup;
pub mod docker;
pub mod doctor;
pub mod error;
pub mod es;
pub mod events;
pub mod json;
pub mod lifecycle;
pub mod online;
pub mod ready;
pub mod render;
pub mod spec;
pub mod upgrade;
pub mod users;
pub use docker::PullPolicy;

pub use error::StackError;
