//! clearml.conf: find it as the SDK does, read it the pyhocon way, resolve
//! flags > CLEARML_* env > file > defaults, and edit its `api` block in place.
//!
//! (Skeleton: the foundation work fills in the HOCON reader and file resolution.)

use std::path::PathBuf;

use crate::cli::GlobalArgs;

/// Where a value in force came from (shown by `clearml config show`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(String),
    File { path: PathBuf, line: usize },
    Default,
    Derived(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// TLS verification as the SDK allows it: on, off, or a CA bundle path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsVerify {
    On,
    Off,
    CaBundle(PathBuf),
}

/// The settings in force for talking to a server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The clearml.conf in use (may not exist).
    pub config_file: PathBuf,
    pub api_host: Sourced<String>,
    pub web_host: Sourced<String>,
    pub files_host: Sourced<String>,
    pub access_key: Option<Sourced<String>>,
    pub secret_key: Option<Sourced<String>>,
    pub verify: Sourced<TlsVerify>,
    /// CLEARML_AUTH_TOKEN: a pre-issued token used instead of key/secret.
    pub auth_token: Option<String>,
}

impl Settings {
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Settings> {
        let _ = global;
        anyhow::bail!("config loading is not implemented yet")
    }
}
