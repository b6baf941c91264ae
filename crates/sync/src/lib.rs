//! Copying projects from one ClearML server to another over the public API, in either
//! direction (the official server, `clearml server serve`, anything that speaks the API),
//! directly or through an archive carried by hand.
//!
//! - `source`: what a copy reads from (a live server, or an unpacked archive);
//! - `events`: a task's events read page by page, each kind as a real server serves it;
//! - `engine`: the copy itself: projects, queues, models, tasks, events, files, status;
//! - `state`: the id map that makes a second run copy only what changed;
//! - `rewrite`: ids, URLs, events and status calls, as pure functions;
//! - `archive`: `export` to one `.tar.zst` with a sha256 manifest, and reading it back;
//! - `unpack`: the checks that make reading a hostile archive safe (names, types, sizes).
//!
//! Nothing here prints: progress goes to the caller's callback, the outcome is a [`Report`].

pub mod archive;
mod engine;
mod error;
pub mod events;
pub mod rewrite;
pub mod source;
pub mod state;
mod unpack;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clearml_api::Client;
use clearml_config::resolve;
pub use error::SyncError;

pub use engine::run;
pub use rewrite::SYNC_TAG_PREFIX;
pub use source::{ApiSource, Source};
pub use unpack::Limits;

/// One side of a copy: a server's API client, its file server, and the clearml.conf that
/// named it (the default state file sits beside the target's).
pub struct Endpoint {
    pub client: Client,
    pub files_host: String,
    pub config_file: PathBuf,
}

impl Endpoint {
    /// A side given as a clearml.conf path (its credentials and hosts alone: the
    /// environment is not consulted, so two files never share one CLEARML_API_HOST), or as
    /// an API URL (credentials and the file server from the environment, as the SDK reads
    /// them, else from the default clearml.conf).
    pub fn open(spec: &str, flag: &str, request_timeout: Duration) -> anyhow::Result<Endpoint> {
        let home = clearml_config::home_dir();
        let is_url = spec.starts_with("http://") || spec.starts_with("https://");
        let process_env = |name: &str| std::env::var(name).ok();
        let no_env = |_: &str| None;
        let settings = if is_url {
            resolve::resolve(&resolve::Inputs {
                config_flag: None,
                api_host_flag: Some(spec),
                insecure: false,
                ca_bundle: None,
                env: &process_env,
                home: &home,
            })?
        } else {
            let path = Path::new(spec);
            if !path.is_file() {
                return Err(SyncError::unusable(format!(
                    "{flag} {spec}: no such clearml.conf (and not an http(s) URL)"
                ))
                .with_hint(format!(
                    "give a clearml.conf path or an API URL, e.g. {flag} http://localhost:8008"
                ))
                .into());
            }
            resolve::resolve(&resolve::Inputs {
                config_flag: Some(path),
                api_host_flag: None,
                insecure: false,
                ca_bundle: None,
                env: &no_env,
                home: &home,
            })?
        };
        let settings = clearml_config::Settings {
            request_timeout,
            ..settings
        };
        let client =
            // Redirects stay on the host named: a hostile server cannot send the copy to
            // fetch from (or post to) another one.
            Client::from_settings_with(&settings, true)
                .map_err(|e| e.context(format!("{flag} {spec}")))?;
        Ok(Endpoint {
            client,
            files_host: settings.files_host.value.trim_end_matches('/').to_string(),
            config_file: settings.config_file,
        })
    }
}

/// What to copy and how.
pub struct Options {
    /// Project names (each with its sub-projects); empty: every project.
    pub projects: Vec<String>,
    /// Only tasks updated within this long.
    pub since: Option<Duration>,
    /// Count what would be copied; change nothing.
    pub dry_run: bool,
    /// Copy artifacts, models and debug images between the file servers (else URIs are
    /// left pointing at the source).
    pub with_files: bool,
    pub state_path: PathBuf,
    /// Tasks copied side by side.
    pub concurrency: usize,
}

/// Objects and bytes copied (or, in a dry run, to be copied).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counts {
    pub projects_created: u64,
    pub queues_created: u64,
    pub tasks_total: u64,
    pub tasks_copied: u64,
    pub tasks_updated: u64,
    pub tasks_unchanged: u64,
    pub models_copied: u64,
    pub models_updated: u64,
    pub models_unchanged: u64,
    pub events: u64,
    pub files: u64,
    pub bytes: u64,
}

/// An object the target refused (or that could not be read), and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub reason: String,
}

/// The outcome of a run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub counts: Counts,
    pub skipped: Vec<Skipped>,
    /// What could not be reproduced exactly (once per kind of difference, with a count).
    pub notes: Vec<(String, u64)>,
    pub elapsed: Duration,
}

impl Report {
    fn note(&mut self, text: String) {
        match self.notes.iter_mut().find(|(t, _)| *t == text) {
            Some((_, n)) => *n += 1,
            None => self.notes.push((text, 1)),
        }
    }
}
