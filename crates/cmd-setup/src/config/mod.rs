//! `clearml config show|path|dump`: what is in force and where it came from.

pub mod json;

use serde_json::json;

use crate::cli::{ConfigCommand, Format};
use crate::output::{Listing, mask_secret};
use clearml_cmd_core::Ctx;
use clearml_config::{Settings, Source, Sourced, home_dir, resolve};

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
            let settings = Settings::load(&ctx.config)?;
            if let Source::Env(name) = &settings.config_chosen_by
                && !settings.config_file.is_file()
            {
                ctx.out.warn(format!(
                    "{name} names {}, which does not exist: no file is read (as in the SDK)",
                    settings.config_file.display()
                ));
            }
            ctx.out.listing(&show_listing(&settings));
            Ok(())
        }
        ConfigCommand::Dump => {
            let settings = Settings::load(&ctx.config)?;
            let mut value = settings.file_config.to_json();
            mask_secrets(&mut value);
            if ctx.out.format == Format::Csv {
                // A spreadsheet wants rows: one per setting, dotted path and value.
                let mut rows = Listing::new(["key", "value"]);
                flatten(&value, "", &mut rows);
                ctx.out.listing(&rows);
            } else {
                ctx.out.json(&value);
            }
            Ok(())
        }
    }
}

/// Words that make a key a secret wherever it appears (`agent.git_pass`,
/// `sdk.azure.storage.containers[].account_key`, `session_token`, `credentials_json`, ...).
const SECRET_WORDS: &[&str] = &[
    "secret",
    "pass", // pass, passwd, password, git_pass, passphrase
    "token",
    "credential", // a leaf named so (credentials_json); `credentials { }` blocks recurse
    "private",
    "account_key",
    "sas",
    "connection_string",
    "api_key",
    "apikey",
];

/// Sections under which any `key`-named setting is a credential (`sdk.aws.s3.key`,
/// `sdk.aws.s3.credentials[].key`, `api.credentials.access_key`).
const CREDENTIAL_SECTIONS: &[&str] = &["credentials", "aws", "s3", "azure", "gcp", "google", "gs"];

/// Whether the value at `path` (its keys from the root; the last one is the value's own
/// name) looks like a credential, judged by names only.
pub fn is_secret_path(path: &[&str]) -> bool {
    let Some((name, parents)) = path.split_last() else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    if SECRET_WORDS.iter().any(|w| name.contains(w)) {
        return true;
    }
    name.contains("key")
        && parents
            .iter()
            .any(|p| CREDENTIAL_SECTIONS.contains(&p.to_ascii_lowercase().as_str()))
}

/// Mask, in place, every scalar whose path looks like a credential (lists inherit the
/// name of the key that holds them). Empty strings, nulls and booleans say nothing.
pub fn mask_secrets(v: &mut serde_json::Value) {
    mask_under(v, &mut Vec::new());
}

fn mask_under(v: &mut serde_json::Value, path: &mut Vec<String>) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            for (k, child) in map.iter_mut() {
                path.push(k.clone());
                mask_under(child, path);
                path.pop();
            }
        }
        J::Array(items) => items.iter_mut().for_each(|item| mask_under(item, path)),
        J::String(s) if !s.is_empty() && secret_here(path) => *s = mask_secret(s),
        // any URL with a password in it (api_server, a proxy, a git remote...)
        J::String(s) if s.contains("://") => *s = crate::api::redact_urls(s),
        J::Number(n) if secret_here(path) => *v = J::String(mask_secret(&n.to_string())),
        _ => {}
    }
}

fn secret_here(path: &[String]) -> bool {
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    is_secret_path(&keys)
}

/// The tree as `key,value` rows: dotted paths, `[i]` for list items, scalars as text.
fn flatten(v: &serde_json::Value, prefix: &str, rows: &mut Listing) {
    use serde_json::Value as J;
    match v {
        J::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(child, &key, rows);
            }
        }
        J::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                flatten(item, &format!("{prefix}[{i}]"), rows);
            }
        }
        other => {
            let text = match other {
                J::String(s) => s.clone(),
                J::Null => String::new(),
                J::Object(_) => "{}".into(),
                J::Array(_) => "[]".into(),
                scalar => scalar.to_string(),
            };
            rows.push(
                vec![prefix.to_string(), text.clone()],
                json!({ "key": prefix, "value": other }),
            );
        }
    }
}

fn source_json(source: &Source) -> json::SettingSource {
    let mut j = json::SettingSource {
        kind: source.kind().to_string(),
        text: source.to_string(),
        flag: None,
        env: None,
        file: None,
        line: None,
        how: None,
    };
    match source {
        Source::Flag(f) => j.flag = Some(f.to_string()),
        Source::Env(n) => j.env = Some(n.clone()),
        Source::File { path, line } => {
            j.file = Some(path.clone());
            j.line = Some(*line);
        }
        Source::Derived(how) => j.how = Some(how.to_string()),
        Source::Default => {}
    }
    j
}

/// A row; `value` None means "not set / unknown" (null in JSON).
fn push(listing: &mut Listing, name: &str, value: Option<String>, source: Option<&Source>) {
    let source_text = source.map_or_else(|| "not set".to_string(), Source::to_string);
    let json = crate::output::shape_value(&json::SettingRow {
        setting: name.to_string(),
        value: value.clone(),
        source: source.map(source_json),
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
    // A password in the URL (http://u:PW@host) is shown as ***.
    let value = Some(crate::api::redact_urls(&host.value)).filter(|v| !v.is_empty());
    push(listing, name, value, Some(&host.source));
}

/// Each value in force and where it came from; secrets masked.
pub fn show_listing(s: &Settings) -> Listing {
    let mut l = Listing::new(["setting", "value", "source"]);
    let file_note = if s.config_files_read.is_empty() {
        " (does not exist)"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_secret_wherever_they_are() {
        for path in [
            "agent.git_pass",
            "agent.git_password",
            "sdk.aws.s3.secret",
            "sdk.aws.s3.key",
            "sdk.aws.s3.session_token",
            "sdk.aws.s3.credentials.key",
            "sdk.azure.storage.containers.account_key",
            "sdk.azure.storage.containers.sas_token",
            "sdk.google.storage.credentials_json",
            "api.credentials.access_key",
            "api.credentials.secret_key",
            "agent.docker_internal_mounts.private_key",
            "x.connection_string",
        ] {
            let keys: Vec<&str> = path.split('.').collect();
            assert!(is_secret_path(&keys), "{path} should be masked");
        }
        for path in [
            "api.api_server",
            "agent.git_user",
            "sdk.aws.s3.region",
            "sdk.aws.s3.credentials.bucket",
            "sdk.aws.s3.credentials.host",
            "agent.package_manager.type",
            "sdk.development.worker.log_stdout",
            "agent.default_docker.image",
            // A "key" outside any credentials section is an ordinary setting.
            "sdk.metrics.plot_key",
        ] {
            let keys: Vec<&str> = path.split('.').collect();
            assert!(!is_secret_path(&keys), "{path} should be shown");
        }
    }

    #[test]
    fn masking_covers_lists_numbers_and_nested_credentials() {
        let mut v = json!({
            "agent": {"git_user": "me", "git_pass": "GITPASSWORD123"},
            "sdk": {"aws": {"s3": {
                "key": "AKIAIOSFODNN7EXAMPLE",
                "secret": "def",
                "region": "",
                "credentials": [{"bucket": "b", "key": "k1", "secret": "longsecretvalue"}]
            }}},
            "pin": {"password": 123456789},
            "tokens": {"token": ["tok-aaaaaaaaa", "tok-bbbbbbbbb"]}
        });
        mask_secrets(&mut v);
        assert_eq!(
            v,
            json!({
                "agent": {"git_user": "me", "git_pass": "GITP***"},
                "sdk": {"aws": {"s3": {
                    "key": "AKIA***",
                    "secret": "***",
                    "region": "",
                    "credentials": [{"bucket": "b", "key": "***", "secret": "long***"}]
                }}},
                "pin": {"password": "1234***"},
                "tokens": {"token": ["tok-***", "tok-***"]}
            })
        );
    }

    #[test]
    fn flattened_rows_use_dotted_paths_and_list_indexes() {
        let v = json!({"api": {"api_server": "http://h:8008", "n": 2, "ok": true, "none": null},
                       "l": [1, {"a": "x,y"}], "e": {}, "el": []});
        let mut rows = Listing::new(["key", "value"]);
        flatten(&v, "", &mut rows);
        assert_eq!(
            rows.to_csv(),
            "key,value\napi.api_server,http://h:8008\napi.n,2\napi.ok,true\napi.none,\nl[0],1\nl[1].a,\"x,y\"\ne,{}\nel,[]\n"
        );
    }
}
