//! clearml.conf: find it as the SDK does, read it the pyhocon way, resolve
//! flags > CLEARML_* env > file > defaults, and edit its `api` block in place.
//!
//! - `hocon`: the reader (pyhocon's dialect), values with the file:line they came from;
//! - `resolve`: which files, and the value in force for each setting with its source;
//! - `hosts`: URL normalisation and the derivations of clearml-init and the SDK;
//! - `paste`: the credentials block a person pastes from the web UI;
//! - `edit`: replacing the `api { ... }` block of a file, atomically, keeping the rest.

pub mod duration;
pub mod edit;
mod error;
pub mod hocon;
pub mod hosts;
pub mod paste;
pub mod resolve;

use std::fmt;
use std::path::PathBuf;

pub use error::ConfigError;

/// The longest an API call may take (one attempt) unless `--request-timeout` says
/// otherwise. The SDK waits up to 300 s for an answer; a server that accepts connections
/// and never answers would hold `task list` that long. (A setting, so it lives here; the
/// API client re-exports it.)
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the person gave on the command line about the configuration (the global flags);
/// the environment and the files are read by [`Settings::load`].
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--config FILE`: must exist.
    pub config: Option<PathBuf>,
    /// `--api-host URL`
    pub api_host: Option<String>,
    /// `--insecure`
    pub insecure: bool,
    /// `--ca-bundle FILE`
    pub ca_bundle: Option<PathBuf>,
    /// `--request-timeout`; None: [`DEFAULT_REQUEST_TIMEOUT`].
    pub request_timeout: Option<std::time::Duration>,
}

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
    /// The files actually read, in merge order (later wins).
    pub config_files_read: Vec<PathBuf>,
    /// How `config_file` was chosen (--config, CLEARML_CONFIG_FILE, or the default).
    pub config_chosen_by: Source,
    pub api_host: Sourced<String>,
    pub web_host: Sourced<String>,
    pub files_host: Sourced<String>,
    pub access_key: Option<Sourced<String>>,
    pub secret_key: Option<Sourced<String>>,
    pub verify: Sourced<TlsVerify>,
    /// CLEARML_AUTH_TOKEN: a pre-issued token used instead of key/secret.
    pub auth_token: Option<String>,
    /// The merged files as read (no environment applied): other settings live here.
    pub file_config: hocon::Object,
    /// `--request-timeout` / CLEARML_REQUEST_TIMEOUT, else the default.
    pub request_timeout: std::time::Duration,
}

impl Settings {
    /// The settings in force for this process: its flags, environment and $HOME.
    /// A `--config FILE` that does not exist is a usage error: the person asked for that
    /// file, and reading it as empty would turn a typo into "no credentials configured".
    pub fn load(global: &Inputs) -> anyhow::Result<Settings> {
        let settings = Self::load_allowing_missing_file(global)?;
        settings.check_explicit_file()?;
        Ok(settings)
    }

    /// Like `load`, for `init`, which creates the file `--config` names.
    pub fn load_allowing_missing_file(global: &Inputs) -> anyhow::Result<Settings> {
        let home = home_dir();
        let env = |name: &str| std::env::var(name).ok();
        resolve::resolve(&resolve::Inputs {
            config_flag: global.config.as_deref(),
            api_host_flag: global.api_host.as_deref(),
            insecure: global.insecure,
            ca_bundle: global.ca_bundle.as_deref(),
            env: &env,
            home: &home,
        })
        .map(|settings| Settings {
            request_timeout: global.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            ..settings
        })
    }

    /// Fails when the file was named by `--config` and is not there (or not a file).
    /// CLEARML_CONFIG_FILE naming a missing file reads as empty, as in the SDK.
    pub fn check_explicit_file(&self) -> Result<(), ConfigError> {
        if self.config_chosen_by != Source::Flag("--config") || self.config_file.is_file() {
            return Ok(());
        }
        let path = self.config_file.display().to_string();
        if self.config_file.exists() {
            return Err(ConfigError::ConfigFile {
                path,
                why: "not a file",
                hint: "name a clearml.conf file".into(),
            });
        }
        let hint = format!("check the path, or create it with 'clearml init --file {path}'");
        Err(ConfigError::ConfigFile {
            path,
            why: "no such file",
            hint,
        })
    }
}

/// $HOME (the SDK's `expanduser("~")`), falling back to the current directory.
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File { path, line } => write!(f, "{}:{line}", path.display()),
            Source::Default => f.write_str("default"),
            Source::Derived(how) => write!(f, "derived ({how})"),
        }
    }
}

impl Source {
    /// Short kind for machine output: flag, env, file, default, derived.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Flag(_) => "flag",
            Source::Env(_) => "env",
            Source::File { .. } => "file",
            Source::Default => "default",
            Source::Derived(_) => "derived",
        }
    }
}

impl fmt::Display for TlsVerify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsVerify::On => f.write_str("on"),
            TlsVerify::Off => f.write_str("off"),
            TlsVerify::CaBundle(p) => write!(f, "CA bundle {}", p.display()),
        }
    }
}

/// Whether an error chain holds this crate's "the person's input is refused" error.
#[cfg(test)]
pub(crate) fn test_is_config_error(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<ConfigError>())
}
