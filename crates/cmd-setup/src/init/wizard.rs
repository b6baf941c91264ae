//! The interactive flow (clearml-init's, protocol §1.2): paste the web UI's block or
//! type the keys, derive the hosts and ask for those clearml-init cannot derive, review
//! them, verify with auth.login and offer a retry, then write.

use std::path::PathBuf;

use anyhow::Context;

use super::{has_content, safe_error, verified_line, verify_exit, warn_if_shadowed, write_config};
use crate::api;
use crate::cli::{GlobalArgs, InitArgs};
use crate::error::CliError;
use crate::output::{Output, mask_secret};
use clearml_config::edit::ApiSettings;
use clearml_config::hosts::{self, normalize_url};
use clearml_config::paste::{self, Pasted};
use clearml_config::{TlsVerify, resolve};

pub(super) struct Wizard {
    pub(super) out: Output,
    pub(super) global: GlobalArgs,
    pub(super) args: InitArgs,
    pub(super) target: PathBuf,
    pub(super) tls: TlsVerify,
    pub(super) handle: tokio::runtime::Handle,
}

/// The hosts an existing file holds: offered as the answers when the wizard must ask.
#[derive(Default)]
struct Current {
    api: Option<String>,
    web: Option<String>,
    files: Option<String>,
}

impl Current {
    fn of(target: &std::path::Path) -> Current {
        let env = |name: &str| std::env::var(name).ok();
        let Ok(conf) = resolve::load_files(&[target.to_path_buf()], &env) else {
            return Current::default();
        };
        let text = |path: &str| {
            conf.get_path(path)
                .and_then(|n| n.value.as_text())
                .and_then(|t| normalize_url(&t).ok())
        };
        Current {
            api: text("api.api_server").or_else(|| text("api.host")),
            web: text("api.web_server"),
            files: text("api.files_server"),
        }
    }
}

/// Where the three hosts stand in the wizard.
struct Hosts {
    api: String,
    web: String,
    files: String,
}

fn prompt_err(e: dialoguer::Error) -> anyhow::Error {
    match e {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => CliError::new(
            crate::error::Exit::Interrupted,
            "interrupted; nothing written",
        )
        .into(),
        dialoguer::Error::IO(io) => anyhow::Error::new(io).context("cannot read from the terminal"),
    }
}

impl Wizard {
    fn theme(&self) -> Box<dyn dialoguer::theme::Theme> {
        if self.out.color {
            Box::new(dialoguer::theme::ColorfulTheme::default())
        } else {
            Box::new(dialoguer::theme::SimpleTheme)
        }
    }

    fn say(&self, line: impl AsRef<str>) {
        eprintln!("{}", line.as_ref());
    }

    fn ask_url(&self, prompt: &str, initial: Option<&str>) -> anyhow::Result<String> {
        let theme = self.theme();
        let mut input = dialoguer::Input::<String>::with_theme(theme.as_ref()).with_prompt(prompt);
        if let Some(i) = initial {
            input = input.with_initial_text(i);
        }
        let text = input
            .validate_with(|t: &String| normalize_url(t).map(|_| ()))
            .interact_text()
            .map_err(prompt_err)?;
        Ok(normalize_url(&text).expect("validated"))
    }

    fn ask_keys(&self) -> anyhow::Result<(String, String)> {
        let theme = self.theme();
        let key = dialoguer::Input::<String>::with_theme(theme.as_ref())
            .with_prompt("Access key")
            .validate_with(|t: &String| {
                if t.trim().is_empty() {
                    Err("the access key is required")
                } else {
                    Ok(())
                }
            })
            .interact_text()
            .map_err(prompt_err)?;
        let secret = dialoguer::Password::with_theme(theme.as_ref())
            .with_prompt("Secret key (hidden)")
            .interact()
            .map_err(prompt_err)?;
        Ok((key.trim().to_string(), secret.trim().to_string()))
    }

    fn confirm(&self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        let theme = self.theme();
        dialoguer::Confirm::with_theme(theme.as_ref())
            .with_prompt(prompt)
            .default(default)
            .wait_for_newline(true)
            .interact()
            .map_err(prompt_err)
    }

    pub(super) fn run(self) -> anyhow::Result<()> {
        terminal::restore_at_exit();
        self.say("ClearML SDK setup");
        self.say(format!("Configuration file: {}", self.target.display()));
        if has_content(&self.target) {
            let q = format!(
                "{} exists. Replace its api section? (the rest of the file stays; the old file is kept as .bak)",
                self.target.display()
            );
            if !(self.args.force || self.confirm(&q, false)?) {
                self.say("Leaving setup; nothing written.");
                return Ok(());
            }
        }
        self.say("");
        self.say(
            "In the ClearML web app open Settings > Workspace, press \"Create new credentials\",",
        );
        // read_paste stops at the block's closing brace (or an empty line for other text):
        // the prompt must not ask for an Enter that would answer the next question.
        self.say("then \"Copy to clipboard\", and paste here (the block ends at its closing brace; Enter alone to type the keys):");
        let pasted = self.read_pasted_block()?;
        let (key, secret) = match (&pasted.access_key, &pasted.secret_key) {
            (Some(k), Some(s)) => (k.clone(), s.clone()),
            _ => self.ask_keys()?,
        };
        self.say(format!(
            "Detected credentials key=\"{key}\" secret=\"{}\"",
            mask_secret(&secret)
        ));

        let initial = self.initial_hosts(&pasted)?;
        let hosts = self.review_hosts(initial)?;
        let (key, secret, hosts) = self.verify_until_settled(key, secret, hosts)?;
        let settings = ApiSettings {
            api: hosts.api,
            web: hosts.web,
            files: hosts.files,
            access_key: key,
            secret_key: secret,
        };
        write_config(&self.out, &self.target, &settings)?;
        warn_if_shadowed(&self.out, &self.global, &self.target, &settings);
        self.say("ClearML setup completed successfully.");
        Ok(())
    }

    /// The block pasted from the web UI; empty (the keys are asked) when blank or unreadable.
    fn read_pasted_block(&self) -> anyhow::Result<Pasted> {
        let jupyter = std::env::var_os("JPY_PARENT_PID").is_some();
        let text = paste::read_paste(&mut std::io::stdin().lock(), jupyter)
            .context("cannot read the pasted block")?;
        let pasted = if text.trim().is_empty() {
            Pasted::default()
        } else {
            match paste::parse_paste(&text) {
                Ok(p) => {
                    if !p.has_credentials() {
                        self.say(
                            "No access_key/secret_key pair in what was pasted; please enter them.",
                        );
                    }
                    p
                }
                Err(e) => {
                    self.say(format!(
                        "Could not read the pasted block ({e}); please enter the keys."
                    ));
                    Pasted::default()
                }
            }
        };
        Ok(pasted)
    }

    /// Verify the credentials until they pass, or the person writes without verifying;
    /// on failure they may re-enter the keys, edit the hosts, retry or quit.
    fn verify_until_settled(
        &self,
        mut key: String,
        mut secret: String,
        mut hosts: Hosts,
    ) -> anyhow::Result<(String, String, Hosts)> {
        loop {
            if self.args.no_verify {
                break;
            }
            self.say(format!(
                "Verifying credentials with {} ...",
                api::redact_urls(&hosts.api)
            ));
            let result = self.handle.block_on(api::verify_credentials(
                &hosts.api,
                &self.tls,
                &key,
                &secret,
                self.global.request_timeout(),
            ));
            let err = match result {
                Ok(server) => {
                    self.say(verified_line(&server));
                    break;
                }
                Err(e) => e,
            };
            self.say(format!(
                "Could not verify the credentials: {}",
                safe_error(&err, &secret)
            ));
            let choices = [
                "Enter the keys again",
                "Edit the hosts",
                "Try again",
                "Write the file without verifying",
                "Quit without writing",
            ];
            let theme = self.theme();
            let pick = dialoguer::Select::with_theme(theme.as_ref())
                .with_prompt("What now?")
                .items(&choices)
                .default(0)
                .interact()
                .map_err(prompt_err)?;
            match pick {
                0 => {
                    (key, secret) = self.ask_keys()?;
                    self.say(format!(
                        "Detected credentials key=\"{key}\" secret=\"{}\"",
                        mask_secret(&secret)
                    ));
                }
                1 => {
                    let edited = self.edit_hosts(hosts)?;
                    hosts = self.review_hosts(edited)?;
                }
                2 => {}
                3 => break,
                _ => {
                    return Err(CliError::new(
                        verify_exit(&err),
                        "credentials not verified; nothing written",
                    )
                    .into());
                }
            }
        }
        Ok((key, secret, hosts))
    }

    /// Hosts from flags and the paste, derived as clearml-init does, and asked for where
    /// it would give up (custom ports, unknown names).
    fn initial_hosts(&self, pasted: &Pasted) -> anyhow::Result<Hosts> {
        let norm = |v: Option<String>, what: &str| -> Option<String> {
            let v = v?;
            match normalize_url(&v) {
                Ok(u) => Some(u),
                Err(e) => {
                    self.say(format!("Ignoring the {what} host: {e}"));
                    None
                }
            }
        };
        let api = norm(self.global.api_host.clone().or(pasted.api.clone()), "API");
        let web = norm(self.args.web_host.clone().or(pasted.web.clone()), "web");
        let files = norm(
            self.args.files_host.clone().or(pasted.files.clone()),
            "files",
        );
        let typed_seed = web.is_none() && api.is_none();
        let all_given = api.is_some() && web.is_some() && files.is_some();
        // Updating a file: what it holds now is the answer Enter keeps.
        let current = Current::of(&self.target);
        let seed = match web.clone().or(api.clone()) {
            Some(s) => s,
            None => {
                self.say("");
                self.say("Enter the URL of the ClearML web app, e.g. http://localhost:8080");
                self.ask_url("Web app URL", current.web.as_deref())?
            }
        };
        let derived = hosts::derive_from(&seed);
        let pick = |given: Option<String>, derived: Option<String>, seed_is: bool| {
            given.or(derived).or(seed_is.then(|| seed.clone()))
        };
        // A URL typed at the "Web app URL" prompt is the web host, unless it is plainly the
        // API's (port 8008, api. name): never ask for the same host twice.
        let seed_api = typed_seed && hosts::seed_is_api(&seed);
        let seed_web = typed_seed && !seed_api;
        let api = pick(api, derived.api.clone(), seed_api);
        let web = pick(web, derived.web.clone(), seed_web);
        let files = pick(files, derived.files.clone(), false);
        // Explain the derivation only when one was needed (not after a complete paste).
        if let Some(note) = &derived.note
            && !all_given
        {
            self.say(note);
        }
        let api = match api {
            Some(a) => a,
            None => self.ask_url("API host URL (usually port 8008)", current.api.as_deref())?,
        };
        let web = match web {
            Some(w) => w,
            None => self.ask_url("Web app URL (usually port 8080)", current.web.as_deref())?,
        };
        let files = match files {
            Some(f) => f,
            None => self.ask_url(
                "File server URL (usually port 8081)",
                current.files.as_deref(),
            )?,
        };
        Ok(Hosts { api, web, files })
    }

    fn show_hosts(&self, h: &Hosts) {
        self.say("");
        self.say("ClearML hosts:");
        self.say(format!("  Web app:    {}", h.web));
        self.say(format!("  API:        {}", h.api));
        self.say(format!("  File store: {}", h.files));
        self.say("");
    }

    /// Show the hosts and let the person accept or edit them until they are distinct.
    fn review_hosts(&self, mut h: Hosts) -> anyhow::Result<Hosts> {
        loop {
            self.show_hosts(&h);
            if h.api == h.web || h.api == h.files || h.web == h.files {
                self.say("The three hosts must all differ; please edit them.");
            } else if self.confirm("Use these hosts?", true)? {
                return Ok(h);
            }
            h = self.edit_hosts(h)?;
        }
    }

    fn edit_hosts(&self, h: Hosts) -> anyhow::Result<Hosts> {
        let web = self.ask_url("Web app URL", Some(&h.web))?;
        let api = self.ask_url("API host URL", Some(&h.api))?;
        let files = self.ask_url("File server URL", Some(&h.files))?;
        Ok(Hosts { api, web, files })
    }
}

/// Ctrl-C ends the process from the async side (exit 130) while a prompt may have the
/// terminal's echo off or the cursor hidden; put the terminal back as it was at exit.
mod terminal {
    use std::sync::OnceLock;

    static SAVED: OnceLock<libc::termios> = OnceLock::new();

    extern "C" fn restore() {
        if let Some(t) = SAVED.get() {
            // SAFETY: plain libc calls on the process's own stdin/stderr descriptors.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
                let show_cursor = b"\x1b[?25h";
                libc::write(
                    libc::STDERR_FILENO,
                    show_cursor.as_ptr().cast(),
                    show_cursor.len(),
                );
            }
        }
    }

    pub fn restore_at_exit() {
        // SAFETY: tcgetattr fills the struct on success; atexit takes a plain extern fn.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) == 0 && SAVED.set(t).is_ok() {
                libc::atexit(restore);
            }
        }
    }
}
