//! `clearml init`: the clearml-init wizard when a person is at a terminal, and a
//! non-interactive mode for CI (protocol §1; users asked for it in clearml#414).
//!
//! Both end the same way: the three hosts and the key pair are checked with `auth.login`
//! (unless --no-verify), then written: a new file, or only the `api` block of an existing
//! one replaced (atomic, 0600, previous file kept as .bak). The secret is never printed.

use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;

mod wizard;

use crate::api;
use crate::cli::{GlobalArgs, InitArgs};
use crate::error::{CliError, one_line};
use crate::output::{Output, mask_secret};
use clearml_cmd_core::Ctx;
use clearml_config::edit::{self, ApiSettings};
use clearml_config::hosts::{self, normalize_url};
use clearml_config::paste::{self, Pasted};
use clearml_config::resolve::{
    self, ENV_ACCESS_KEY, ENV_API_HOST, ENV_FILES_HOST, ENV_SECRET_KEY, ENV_WEB_HOST,
};
use clearml_config::{Settings, Source, TlsVerify, hocon, home_dir};

pub async fn run(ctx: &Ctx, args: InitArgs) -> anyhow::Result<()> {
    let target = target_file(&ctx.global, &args);
    if is_legacy_default(&ctx.global, &args, &target) {
        ctx.out.warn(format!(
            "updating the legacy {} (the file the SDK reads when there is no ~/clearml.conf); rename it to clearml.conf when no trains-era tool needs it",
            target.display()
        ));
    }
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
            wizard::Wizard {
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

/// Whether `target` is ~/trains.conf chosen by default (no --file, --config or variable).
fn is_legacy_default(global: &GlobalArgs, args: &InitArgs, target: &Path) -> bool {
    let env = |name: &str| std::env::var(name).ok();
    args.file.is_none()
        && resolve::discover(global.config.as_deref(), &env, &home_dir()).chosen_by
            == clearml_config::Source::Default
        && target.file_name().is_some_and(|n| n == "trains.conf")
}

/// TLS verification for the login check: flags, env, else what the current file says.
fn tls_for_init(global: &GlobalArgs) -> TlsVerify {
    if let Ok(s) = Settings::load_allowing_missing_file(&global.into()) {
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

/// What a flag gave, else the pasted credentials, else the environment (clearml-init's order).
fn given(flag: &Option<String>, pasted: &Option<String>, env: &[&str]) -> Option<String> {
    flag.clone().or(pasted.clone()).or_else(|| env_of(env))
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

/// The `--credentials` block (a file, or stdin for `-`), parsed; empty when not given.
fn read_pasted(args: &InitArgs) -> anyhow::Result<Pasted> {
    match &args.credentials {
        None => Ok(Pasted::default()),
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
            Ok(p)
        }
    }
}

/// The secret key: typed (hidden), piped, `--secret-key` (with a warning), the pasted
/// block or the environment.
fn read_secret_key(ctx: &Ctx, args: &InitArgs, pasted: &Pasted) -> anyhow::Result<String> {
    let secret_key = if args.secret_key_stdin && std::io::stdin().is_terminal() {
        // Typed at a terminal: do not echo it.
        eprint!("Secret key (hidden): ");
        let line = console::Term::stderr()
            .read_secure_line()
            .context("cannot read the secret key from the terminal")?;
        Some(line.trim().to_string())
    } else if args.secret_key_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the secret key from stdin")?;
        if line.trim().is_empty() {
            return Err(usage(
                "--secret-key-stdin: stdin was empty (pipe the secret in, e.g. <<<\"$SECRET\")",
            ));
        }
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
    secret_key.filter(|s| !s.is_empty()).ok_or_else(|| {
        usage("missing the secret key: pass --secret-key-stdin (or set CLEARML_API_SECRET_KEY, or --credentials FILE)")
    })
}

/// The API, web and files hosts: given, pasted or from the environment, the missing
/// ones derived from the others; all three must differ.
fn server_hosts(
    ctx: &Ctx,
    args: &InitArgs,
    pasted: &Pasted,
) -> anyhow::Result<(String, String, String)> {
    let api = host_input(
        given(&ctx.global.api_host, &pasted.api, &ENV_API_HOST),
        "--api-host",
    )?;
    let web = host_input(
        given(&args.web_host, &pasted.web, &ENV_WEB_HOST),
        "--web-host",
    )?;
    let files = host_input(
        given(&args.files_host, &pasted.files, &ENV_FILES_HOST),
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
    Ok((api, web, files))
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
    let pasted = read_pasted(&args)?;

    let access_key = given(&args.access_key, &pasted.access_key, &ENV_ACCESS_KEY)
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            usage("missing the access key: pass --access-key KEY (or --credentials FILE)")
        })?;
    let secret_key = read_secret_key(ctx, &args, &pasted)?;

    let (api, web, files) = server_hosts(ctx, &args, &pasted)?;

    if has_content(&target) && !args.force {
        // Missing input, like a missing key: the command line must say what to do with it.
        return Err(CliError::usage(format!("{} already exists", target.display()))
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
        ctx.out.info(format!(
            "Verifying credentials with {} ...",
            api::redact_urls(&settings.api)
        ));
        match api::verify_credentials(
            &settings.api,
            &tls,
            &settings.access_key,
            &settings.secret_key,
            ctx.global.request_timeout(),
        )
        .await
        {
            Ok(server) => ctx.out.info(verified_line(&server)),
            Err(e) => {
                let msg = safe_error(&e, &settings.secret_key);
                return Err(anyhow::Error::new(CliError::new(
                    verify_exit(&e),
                    format!("{msg}; nothing written"),
                )));
            }
        }
    }
    write_config(&ctx.out, &target, &settings)?;
    warn_if_shadowed(&ctx.out, &ctx.global, &target, &settings);
    Ok(())
}

/// After writing, resolve again as the SDK will and say which written values something
/// else overrides (a CLEARML_* variable, a file merged later), so the person is not
/// surprised that the new settings seem to have no effect.
pub(super) fn warn_if_shadowed(out: &Output, global: &GlobalArgs, target: &Path, s: &ApiSettings) {
    let env = |name: &str| std::env::var(name).ok();
    let home = home_dir();
    let Ok(now) = resolve::resolve(&resolve::Inputs {
        config_flag: global.config.as_deref(),
        api_host_flag: None,
        insecure: false,
        ca_bundle: None,
        env: &env,
        home: &home,
    }) else {
        return;
    };
    if !now.config_files_read.iter().any(|f| same_file(f, target)) {
        return; // --file elsewhere: the person chose a file the SDK does not read by default
    }
    let written = [
        ("api.api_server", &s.api, Some(&now.api_host)),
        ("api.web_server", &s.web, Some(&now.web_host)),
        ("api.files_server", &s.files, Some(&now.files_host)),
        (
            "api.credentials.access_key",
            &s.access_key,
            now.access_key.as_ref(),
        ),
    ];
    for (key, value, in_force) in written {
        let Some(in_force) = in_force else { continue };
        let from_target =
            matches!(&in_force.source, Source::File { path, .. } if same_file(path, target));
        if in_force.value != *value && !from_target {
            out.warn(format!(
                "{} overrides the {key} just written ({})",
                in_force.source, in_force.value
            ));
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// How init exits when verifying the credentials failed: unreachable, refused or a bad
/// URL keep their exit; anything else is a plain failure. (The error itself is not kept
/// as the cause: its text may hold the secret, which [`safe_error`] redacts.)
fn verify_exit(err: &anyhow::Error) -> crate::error::Exit {
    use crate::error::Exit;
    match crate::error::exit_of(err) {
        exit @ (Exit::Unreachable | Exit::AuthRefused | Exit::Usage) => exit,
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
