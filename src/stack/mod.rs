//! The official server stack: service specs mirroring the official docker-compose.yml,
//! driven through the Docker Engine API (bollard), with preflight checks.
//!
//! - `spec`: the typed services and the user's choices (flags > clearml-server.toml > defaults)
//! - `render`: the same stack as a docker-compose.yml or Helm values
pub mod render;
pub mod spec;
