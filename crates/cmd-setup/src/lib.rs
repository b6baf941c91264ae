//! `clearml init`, `config …` and `credentials …`: setting up and looking at a client's
//! configuration and its keys.

pub mod config;
pub mod credentials;
pub mod init;

use clearml_cmd_core::{api, cli, error, output};
