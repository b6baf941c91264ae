//! The one integration-test binary: every test drives the built `clearml` binary
//! against real processes (our built-in server, the Docker engine, the Python SDK).

mod admin;
mod api_a;
mod api_b;
mod api_c;
mod api_d;
mod api_e;
mod api_f;
mod api_g;
mod cleanup;
mod cli_basics;
mod common;
mod config;
mod conformance;
mod dataset;
mod faults;
mod generated;
mod hostile;
mod import;
mod in_process;
mod init;
mod launch;
mod pipeline;
mod sdk_flows;
mod secrets;
mod serve;
mod serve_hardening;
mod serve_lifecycle;
mod server_ping_watch;
mod stack;
mod stack_users;
mod sync;
mod task_actions;
mod task_model;
mod web_ui;
