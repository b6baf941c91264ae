//! `clearml config show|path|dump`: what is in force and where it came from.

use serde_json::json;

use super::Ctx;
use crate::cli::ConfigCommand;
use crate::config::{Settings, Source, Sourced, home_dir, resolve};
use crate::output::{Listing, mask_secret};

pub async fn run(ctx: &Ctx, cmd: ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Path => {
            // No parsing: the path is useful exactly when the file is broken.
            let env = |name: &str| std::env::var(name).ok();
            let files = resolve::discover(ctx.global.config.as_deref(), &env, &home_dir());
            println!("{}", files.in_use.display());
            Ok(())
        }
        ConfigCommand::Show => {
            let settings = Settings::load(&ctx.global)?;
            ctx.out.listing(&show_listing(&settings));
            Ok(())
        }
        ConfigCommand::Dump => {
            let settings = Settings::load(&ctx.global)?;
            let mut value = settings.file_config.to_json();
            mask_secrets(&mut value);
            ctx.out.json(&value);
            Ok(())
        }
    }
}

/// Keys whose values are secrets wherever they appear (api credentials, storage keys).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("secret") || k.contains("password") || k.contains("token") || k == "account_key"
}

fn mask_secrets(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    serde_json::Value::String(s) if is_secret_key(k) && !s.is_empty() => {
                        *s = mask_secret(s)
                    }
                    _ => mask_secrets(child),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

fn source_json(source: &Source) -> serde_json::Value {
    let mut j = json!({ "kind": source.kind(), "text": source.to_string() });
    match source {
        Source::Flag(f) => j["flag"] = json!(f),
        Source::Env(n) => j["env"] = json!(n),
        Source::File { path, line } => {
            j["file"] = json!(path);
            j["line"] = json!(line);
        }
        Source::Derived(how) => j["how"] = json!(how),
        Source::Default => {}
    }
    j
}

/// A row; `value` None means "not set / unknown" (null in JSON).
fn push(listing: &mut Listing, name: &str, value: Option<String>, source: Option<&Source>) {
    let source_text = source.map_or_else(|| "not set".to_string(), Source::to_string);
    let json = json!({
        "setting": name,
        "value": value,
        "source": source.map_or(json!(null), source_json),
    });
    let shown = value.unwrap_or_else(|| {
        if source.is_some() {
            "(unknown)".into()
        } else {
            String::new()
        }
    });
    listing.push(vec![name.to_string(), shown, source_text], json);
}

fn push_host(listing: &mut Listing, name: &str, host: &Sourced<String>) {
    let value = Some(host.value.clone()).filter(|v| !v.is_empty());
    push(listing, name, value, Some(&host.source));
}

/// Each value in force and where it came from; secrets masked.
pub fn show_listing(s: &Settings) -> Listing {
    let mut l = Listing::new(["setting", "value", "source"]);
    let file_note = if s.config_files_read.is_empty() {
        " (not found)"
    } else {
        ""
    };
    let file = format!("{}{file_note}", s.config_file.display());
    push(&mut l, "config_file", Some(file), Some(&s.config_chosen_by));
    push_host(&mut l, "api_host", &s.api_host);
    push_host(&mut l, "web_host", &s.web_host);
    push_host(&mut l, "files_host", &s.files_host);
    let access = s.access_key.as_ref();
    push(
        &mut l,
        "access_key",
        access.map(|k| k.value.clone()),
        access.map(|k| &k.source),
    );
    let secret = s.secret_key.as_ref();
    push(
        &mut l,
        "secret_key",
        secret.map(|k| mask_secret(&k.value)),
        secret.map(|k| &k.source),
    );
    push(
        &mut l,
        "verify_tls",
        Some(s.verify.value.to_string()),
        Some(&s.verify.source),
    );
    if let Some(token) = &s.auth_token {
        let src = Source::Env(resolve::ENV_AUTH_TOKEN.to_string());
        push(&mut l, "auth_token", Some(mask_secret(token)), Some(&src));
    }
    l
}
