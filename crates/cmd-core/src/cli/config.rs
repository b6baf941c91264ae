//! `clearml config`: the clap types.

use super::*;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Each value in force and where it came from (flag, env, file:line, default); secrets masked
    Show,
    /// The clearml.conf path in use
    Path,
    /// The configuration file(s) as read (merged, before environment overrides), as JSON
    /// (--csv: key,value rows); credentials masked
    Dump,
}
