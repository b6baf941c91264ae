//! The official server stack: service specs mirroring the official docker-compose.yml,
//! driven through the Docker Engine API (bollard), with preflight checks.
//!
//! (Skeleton: the server-stack work fills it in.)
