//! `clearml init`: the clearml-init wizard when a person is at a terminal, and a
//! non-interactive mode for CI (protocol §1; users asked for it in clearml#414).
//!
//! Both end the same way: the three hosts and the key pair are checked with `auth.login`
//! (unless --no-verify), then written: a new file, or only the `api` block of an existing
//! one replaced (atomic, 0600, previous file kept as .bak). The secret is never printed.

use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Ctx;
use crate::api;
use crate::cli::{GlobalArgs, InitArgs};
use crate::config::edit::{self, ApiSettings};
use crate::config::hosts::{self, normalize_url};
use crate::config::paste::{self, Pasted};
use crate::config::resolve::{
    self, ENV_ACCESS_KEY, ENV_API_HOST, ENV_FILES_HOST, ENV_SECRET_KEY, ENV_WEB_HOST,
};
use crate::config::{Settings, TlsVerify, hocon, home_dir};
use crate::error::{CliError, one_line};
use crate::output::{Output, mask_secret};

pub async fn run(ctx: &Ctx, args: InitArgs) -> anyhow::Result<()> {
    let target = target_file(&ctx.global, &args);
    let tls = tls_for_init(&ctx.global);
    let gives_credentials = args.access_key.is_some()
        || args.secret_key.is_some()
        || args.secret_key_stdin
        || args.credentials.is_some();
    let interactive = !args.non_interactive && !gives_credentials && std::io::stdin().is_terminal();
    if interactive {
        let global = ctx.global.clone();
        let out = ctx.out.clone();
        let handle = tokio::runtime::Handle::current();
        // The wizard blocks on the terminal; run it off the async threads so Ctrl-C works.
        return tokio::task::spawn_blocking(move || {
            Wizard {
                out,
                global,
                args,
                target,
                tls,
                handle,
            }
            .run()
        })
        .await
        .context("the setup wizard stopped unexpectedly")?;
    }
    non_interactive(ctx, args, target, tls).await
}

/// `--file`, else `--config`, else the SDK's choice (CLEARML_CONFIG_FILE, else the first
/// existing of ~/trains.conf and ~/clearml.conf, else ~/clearml.conf).
fn target_file(global: &GlobalArgs, args: &InitArgs) -> PathBuf {
    let home = home_dir();
    let env = |name: &str| std::env::var(name).ok();
    let chosen = match &args.file {
        Some(f) => resolve::expand_user(&f.to_string_lossy(), &home),
        None => resolve::discover(global.config.as_deref(), &env, &home).in_use,
    };
    std::path::absolute(&chosen).unwrap_or(chosen)
}

/// TLS verification for the login check: flags, env, else what the current file says.
fn tls_for_init(global: &GlobalArgs) -> TlsVerify {
    if let Ok(s) = Settings::load(global) {
        return s.verify.value;
    }
    if global.insecure {
        TlsVerify::Off
    } else if let Some(ca) = &global.ca_bundle {
        TlsVerify::CaBundle(ca.clone())
    } else {
        TlsVerify::On
    }
}

fn env_of(names: &[&str]) -> Option<String> {
    let env = |name: &str| std::env::var(name).ok();
    resolve::env_first(&env, names).map(|(_, v)| v)
}

/// An existing, non-empty file (clearml-init overwrites an empty one).
fn has_content(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// The error text with any copy of the secret masked (belt and braces: the client
/// promises not to include it).
fn safe_error(err: &anyhow::Error, secret: &str) -> String {
    let text = one_line(err);
    if secret.len() >= 4 {
        text.replace(secret, &mask_secret(secret))
    } else {
        text
    }
}

/// Write the api settings to `target`: update in place or create.
fn write_config(out: &Output, target: &Path, s: &ApiSettings) -> anyhow::Result<()> {
    let text = if target.exists() {
        let existing = std::fs::read_to_string(target)
            .with_context(|| format!("cannot read {}", target.display()))?;
        if existing.trim().is_empty() {
            edit::new_file_text(s)
        } else {
            let env = hocon::Env {
                var: &hocon::process_env,
            };
            edit::update_text(&existing, target, s, &env)?
        }
    } else {
        edit::new_file_text(s)
    };
    let backup = edit::write_atomic(target, &text)?;
    out.info(format!("New configuration stored in {}", target.display()));
    if let Some(bak) = backup {
        out.info(format!("The previous file is kept as {}", bak.display()));
    }
    Ok(())
}

// ------------------------------------------------------------------ non-interactive

fn usage(msg: impl Into<String>) -> anyhow::Error {
    CliError::usage(msg).into()
}

/// A host from a flag / the paste / the environment, normalised; errors name the flag.
fn host_input(value: Option<String>, flag: &str) -> anyhow::Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => normalize_url(&v)
            .map(Some)
            .map_err(|e| usage(format!("{flag}: {e} (expected e.g. http://localhost:8008)"))),
    }
}

async fn non_interactive(
    ctx: &Ctx,
    args: InitArgs,
    target: PathBuf,
    tls: TlsVerify,
) -> anyhow::Result<()> {
    if args.secret_key_stdin && args.credentials.as_deref() == Some("-") {
        return Err(usage(
            "--secret-key-stdin and --credentials - both read stdin: use one of them",
        ));
    }
    let pasted = match &args.credentials {
        None => Pasted::default(),
        Some(src) => {
            let text = if src == "-" {
                let mut t = String::new();
                std::io::stdin()
                    .read_to_string(&mut t)
                    .context("cannot read the credentials block from stdin")?;
                t
            } else {
                std::fs::read_to_string(src)
                    .map_err(|e| usage(format!("--credentials: cannot read {src}: {e}")))?
            };
            let p = paste::parse_paste(&text).map_err(|e| {
                usage(format!(
                    "--credentials: not a credentials block from the web UI ({e})"
                ))
            })?;
            if !p.has_credentials() && args.access_key.is_none() {
                return Err(usage(
                    "--credentials: the block holds no access_key/secret_key pair",
                ));
            }
            p
        }
    };

    let access_key = args
        .access_key
        .clone()
        .or(pasted.access_key.clone())
        .or_else(|| env_of(&ENV_ACCESS_KEY))
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            usage("missing the access key: pass --access-key KEY (or --credentials FILE)")
        })?;
    let secret_key = if args.secret_key_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the secret key from stdin")?;
        Some(line.trim().to_string())
    } else if let Some(s) = &args.secret_key {
        ctx.out.warn(
            "--secret-key puts the secret in the command line, where other users of this machine can see it (ps); prefer --secret-key-stdin or CLEARML_API_SECRET_KEY",
        );
        Some(s.trim().to_string())
    } else {
        pasted
            .secret_key
            .clone()
            .or_else(|| env_of(&ENV_SECRET_KEY))
    };
    let secret_key = secret_key.filter(|s| !s.is_empty()).ok_or_else(|| {
        usage("missing the secret key: pass --secret-key-stdin (or set CLEARML_API_SECRET_KEY, or --credentials FILE)")
    })?;

    let api = host_input(
        ctx.global
            .api_host
            .clone()
            .or(pasted.api.clone())
            .or_else(|| env_of(&ENV_API_HOST)),
        "--api-host",
    )?;
    let web = host_input(
        args.web_host
            .clone()
            .or(pasted.web.clone())
            .or_else(|| env_of(&ENV_WEB_HOST)),
        "--web-host",
    )?;
    let files = host_input(
        args.files_host
            .clone()
            .or(pasted.files.clone())
            .or_else(|| env_of(&ENV_FILES_HOST)),
        "--files-host",
    )?;
    let Some(seed) = web.clone().or(api.clone()) else {
        return Err(usage(
            "missing the server: pass --api-host URL (and --web-host/--files-host unless they follow from it)",
        ));
    };
    let derived = hosts::derive_from(&seed);
    let why = || derived.note.clone().unwrap_or_default();
    let api = api.or(derived.api.clone()).ok_or_else(|| {
        usage(format!(
            "cannot tell the API host from {seed} ({}): pass --api-host",
            why()
        ))
    })?;
    let web = web.or(derived.web.clone()).ok_or_else(|| {
        usage(format!(
            "cannot tell the web host from {seed} ({}): pass --web-host",
            why()
        ))
    })?;
    let files = files.or(derived.files.clone()).ok_or_else(|| {
        usage(format!(
            "cannot tell the files host from {seed} ({}): pass --files-host",
            why()
        ))
    })?;
    if api == web || api == files || web == files {
        return Err(usage(format!(
            "the API ({api}), web ({web}) and files ({files}) hosts must all differ: check --api-host/--web-host/--files-host"
        )));
    }

    if has_content(&target) && !args.force {
        return Err(CliError::failure(format!("{} already exists", target.display()))
            .with_hint("pass --force to replace its api block (the previous file is kept as .bak), or --file to write another")
            .into());
    }

    let settings = ApiSettings {
        api,
        web,
        files,
        access_key,
        secret_key,
    };
    if args.no_verify {
        ctx.out.info("Not verifying the credentials (--no-verify)");
    } else {
        ctx.out
            .info(format!("Verifying credentials with {} ...", settings.api));
        match api::verify_credentials(
            &settings.api,
            &tls,
            &settings.access_key,
            &settings.secret_key,
        )
        .await
        {
            Ok(server) => ctx.out.info(verified_line(&server)),
            Err(e) => {
                let code = crate::error::exit_code_of(&e);
                let msg = safe_error(&e, &settings.secret_key);
                return Err(anyhow::Error::new(CliError::new(
                    exit_of(code),
                    format!("{msg}; nothing written"),
                )));
            }
        }
    }
    write_config(&ctx.out, &target, &settings)
}

fn exit_of(code: i32) -> crate::error::Exit {
    use crate::error::Exit;
    match code {
        3 => Exit::Unreachable,
        4 => Exit::AuthRefused,
        2 => Exit::Usage,
        _ => Exit::Failure,
    }
}

fn verified_line(server: &api::VerifiedServer) -> String {
    let mut line = format!("Credentials verified (API {}", server.api_version);
    if !server.server_version.is_empty() {
        line.push_str(&format!(", server {}", server.server_version));
    }
    line.push(')');
    line
}

// ------------------------------------------------------------------ the wizard

struct Wizard {
    out: Output,
    global: GlobalArgs,
    args: InitArgs,
    target: PathBuf,
    tls: TlsVerify,
    handle: tokio::runtime::Handle,
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
            .interact()
            .map_err(prompt_err)
    }

    fn run(self) -> anyhow::Result<()> {
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
        self.say("then \"Copy to clipboard\", and paste here (an empty line ends; Enter alone to type the keys):");
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
        let (mut key, mut secret) = match (&pasted.access_key, &pasted.secret_key) {
            (Some(k), Some(s)) => (k.clone(), s.clone()),
            _ => self.ask_keys()?,
        };
        self.say(format!(
            "Detected credentials key=\"{key}\" secret=\"{}\"",
            mask_secret(&secret)
        ));

        let mut hosts = self.initial_hosts(&pasted)?;
        loop {
            hosts = self.review_hosts(hosts)?;
            if self.args.no_verify {
                break;
            }
            self.say(format!("Verifying credentials with {} ...", hosts.api));
            let result = self.handle.block_on(api::verify_credentials(
                &hosts.api, &self.tls, &key, &secret,
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
                1 => hosts = self.edit_hosts(hosts)?,
                2 => {}
                3 => break,
                _ => {
                    let code = crate::error::exit_code_of(&err);
                    return Err(CliError::new(
                        exit_of(code),
                        "credentials not verified; nothing written",
                    )
                    .into());
                }
            }
        }
        let settings = ApiSettings {
            api: hosts.api,
            web: hosts.web,
            files: hosts.files,
            access_key: key,
            secret_key: secret,
        };
        write_config(&self.out, &self.target, &settings)?;
        self.say("ClearML setup completed successfully.");
        Ok(())
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
        let seed = match web.clone().or(api.clone()) {
            Some(s) => s,
            None => {
                self.say("");
                self.say("Enter the URL of the ClearML web app, e.g. http://localhost:8080");
                self.ask_url("Web app URL", None)?
            }
        };
        let derived = hosts::derive_from(&seed);
        if let Some(note) = &derived.note {
            self.say(note);
        }
        let pick = |given: Option<String>, derived: Option<String>, seed_is: bool| {
            given.or(derived).or(seed_is.then(|| seed.clone()))
        };
        let seed_api = api.is_none() && web.is_none() && hosts::seed_is_api(&seed);
        let api = pick(api, derived.api.clone(), seed_api);
        let web = pick(web, derived.web.clone(), false);
        let files = pick(files, derived.files.clone(), false);
        let api = match api {
            Some(a) => a,
            None => self.ask_url("API host URL (usually port 8008)", None)?,
        };
        let web = match web {
            Some(w) => w,
            None => self.ask_url("Web app URL (usually port 8080)", None)?,
        };
        let files = match files {
            Some(f) => f,
            None => self.ask_url("File server URL (usually port 8081)", None)?,
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
