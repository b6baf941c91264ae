//! `credentials create|list|revoke`: key pairs through `auth.create_credentials`,
//! `auth.get_credentials` and `auth.revoke_credentials`, as the web UI's "Workspace"
//! page makes them (against `serve` and the real server alike).

pub mod json;

use serde_json::{Value, json};

use crate::api::Client;
use crate::cli::CredentialsCommand;
use crate::error::CliError;
use crate::output::{Format, Listing, shape_value};
use clearml_cmd_core::Ctx;
use clearml_cmd_core::task::query::fmt_time;
use clearml_config::Settings;

/// Longest label accepted (the web UI's field is one short line).
const MAX_LABEL_CHARS: usize = 256;

pub async fn run(ctx: &Ctx, cmd: CredentialsCommand) -> anyhow::Result<()> {
    // Bad input is refused before anything is asked of the server.
    if let CredentialsCommand::Create {
        label: Some(label), ..
    } = &cmd
    {
        check_label(label)?;
    }
    if let CredentialsCommand::Revoke { access_keys, .. } = &cmd {
        for k in access_keys {
            check_access_key(k)?;
        }
    }
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    if !client.has_credentials() {
        return Err(CliError::auth("no credentials configured")
            .with_hint("run 'clearml init' first: a key pair is needed to make others")
            .into());
    }
    match cmd {
        CredentialsCommand::Create { label, dry_run } => {
            create(ctx, &client, &settings, label, dry_run).await
        }
        CredentialsCommand::List => list(ctx, &client, &settings).await,
        CredentialsCommand::Revoke {
            access_keys,
            force,
            dry_run,
        } => revoke(ctx, &client, &settings, access_keys, force, dry_run).await,
    }
}

fn check_label(label: &str) -> Result<(), CliError> {
    if label.trim().is_empty() {
        return Err(CliError::usage("--label is empty").with_hint("leave it out for no label"));
    }
    if label.chars().any(char::is_control) {
        return Err(CliError::usage(
            "--label holds a control character (newline, tab, escape)",
        ));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(CliError::usage(format!(
            "--label is longer than {MAX_LABEL_CHARS} characters"
        )));
    }
    Ok(())
}

/// An access key as servers make them: letters and digits (the real server's are 30
/// upper-case characters; anything else cannot name a pair).
fn check_access_key(key: &str) -> Result<(), CliError> {
    if key.is_empty() || key.len() > 128 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(CliError::usage(format!(
            "{} is not an access key (letters and digits, as 'clearml credentials list' shows them)",
            crate::output::escape_control(&key.chars().take(64).collect::<String>())
        )));
    }
    Ok(())
}

fn current_key(settings: &Settings) -> Option<String> {
    settings.access_key.as_ref().map(|k| k.value.clone())
}

async fn create(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    label: Option<String>,
    dry_run: bool,
) -> anyhow::Result<()> {
    let label = label.map(|l| l.trim().to_string());
    if dry_run {
        ctx.out.info(format!(
            "dry run: would make a key pair{} on {}",
            label
                .as_deref()
                .map(|l| format!(" labelled {l:?}"))
                .unwrap_or_default(),
            client.api_host()
        ));
        return Ok(());
    }
    let mut body = json!({});
    if let Some(l) = &label {
        body["label"] = json!(l);
    }
    let data = client.call("auth.create_credentials", &body).await?;
    let creds = &data["credentials"];
    let (Some(access_key), Some(secret_key)) =
        (creds["access_key"].as_str(), creds["secret_key"].as_str())
    else {
        return Err(CliError::failure(
            "the server answered auth.create_credentials without a key pair",
        )
        .into());
    };
    // Written once, here only: the server never gives the secret again.
    check_access_key(access_key).map_err(|_| {
        CliError::failure("the server answered auth.create_credentials with a malformed key")
    })?;
    if secret_key.is_empty() || secret_key.chars().any(|c| c.is_control() || c == '"') {
        return Err(CliError::failure(
            "the server answered auth.create_credentials with a malformed secret",
        )
        .into());
    }
    let created = json::Created {
        access_key: access_key.into(),
        secret_key: secret_key.into(),
        label: label.clone(),
        api_server: settings.api_host.value.clone(),
        web_server: settings.web_host.value.clone(),
        files_server: settings.files_host.value.clone(),
    };
    if ctx.out.format == Format::Json {
        ctx.out.json(&shape_value(&created));
    } else {
        print!("{}", conf_block(&created));
    }
    ctx.out.info(format!(
        "made key pair {access_key}{} on {}; its secret is shown only this once \
         ('clearml init --credentials -' takes the block above)",
        label
            .as_deref()
            .map(|l| format!(" ({})", crate::output::escape_control(l)))
            .unwrap_or_default(),
        client.api_host()
    ));
    Ok(())
}

/// The block the web UI shows for new credentials (a clearml.conf `api` section).
pub fn conf_block(c: &json::Created) -> String {
    format!(
        "api {{\n  web_server: {}\n  api_server: {}\n  files_server: {}\n  credentials {{\n    \"access_key\" = \"{}\"\n    \"secret_key\" = \"{}\"\n  }}\n}}\n",
        c.web_server, c.api_server, c.files_server, c.access_key, c.secret_key
    )
}

async fn listed(client: &Client) -> anyhow::Result<Vec<Value>> {
    let data = client.call("auth.get_credentials", &json!({})).await?;
    Ok(data["credentials"].as_array().cloned().unwrap_or_default())
}

async fn list(ctx: &Ctx, client: &Client, settings: &Settings) -> anyhow::Result<()> {
    let current = current_key(settings);
    let mut l = Listing::new(["access key", "label", "last used", "current"]);
    for k in listed(client).await? {
        let key = k["access_key"].as_str().unwrap_or("").to_string();
        let is_current = current.as_deref() == Some(key.as_str());
        l.push(
            vec![
                key.clone(),
                k["label"].as_str().unwrap_or("").into(),
                fmt_time(&k["last_used"]),
                if is_current {
                    "*".into()
                } else {
                    String::new()
                },
            ],
            shape_value(&json::KeyRow {
                access_key: key,
                label: k["label"].clone(),
                last_used: k["last_used"].clone(),
                last_used_from: k["last_used_from"].clone(),
                current: is_current,
            }),
        );
    }
    ctx.out.listing(&l);
    Ok(())
}

async fn revoke(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    access_keys: Vec<String>,
    force: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    let mut keys: Vec<String> = Vec::new();
    for k in access_keys {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let known = listed(client).await?;
    let label_of = |k: &str| {
        known
            .iter()
            .find(|c| c["access_key"] == k)
            .map(|c| c["label"].clone())
    };
    // Every key is checked before any is revoked: a typo changes nothing.
    let missing: Vec<&str> = keys
        .iter()
        .filter(|k| label_of(k).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::not_found(format!(
            "no key pair {} for this user on {} (nothing revoked)",
            missing.join(", "),
            client.api_host()
        ))
        .with_hint("'clearml credentials list' shows them")
        .into());
    }
    if let Some(current) = current_key(settings)
        && keys.contains(&current)
        && !force
    {
        return Err(CliError::usage(format!(
            "{current} is the key pair this clearml.conf logs in with (nothing revoked)"
        ))
        .with_hint("revoke it from another pair's configuration, or add --force")
        .into());
    }
    let mut l = Listing::new(["access key", "label", "revoked"]);
    let mut failed = None;
    for k in &keys {
        let label = label_of(k).unwrap_or(Value::Null);
        let mut revoked = false;
        if !dry_run {
            match client
                // The schema names the field both ways (`access_key`, required `key_id`).
                .call(
                    "auth.revoke_credentials",
                    &json!({"access_key": k, "key_id": k}),
                )
                .await
            {
                Ok(_) => revoked = true,
                Err(e) => {
                    // Stop at the first refusal; what was revoked is listed.
                    failed = Some(e.context(format!("revoking {k}")));
                }
            }
        }
        l.push(
            vec![
                k.clone(),
                label.as_str().unwrap_or("").into(),
                if dry_run {
                    "no (dry run)".into()
                } else if revoked {
                    "yes".into()
                } else {
                    "no".into()
                },
            ],
            shape_value(&json::Revoked {
                access_key: k.clone(),
                label,
                revoked,
            }),
        );
        if failed.is_some() {
            break;
        }
    }
    ctx.out.listing(&l);
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_keys_are_checked() {
        assert!(check_label("CI-Бот Schlüssel 密钥").is_ok());
        assert!(check_label("a\nb").is_err());
        assert!(check_label("\x1b[31m").is_err());
        assert!(check_label("  ").is_err());
        assert!(check_label(&"x".repeat(257)).is_err());
        assert!(check_access_key("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123").is_ok());
        assert!(check_access_key("AB CD").is_err());
        assert!(check_access_key("").is_err());
        assert!(check_access_key("ключ").is_err());
    }

    #[test]
    fn the_block_parses_as_the_web_ui_block() {
        let c = json::Created {
            access_key: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123".into(),
            secret_key: "s3cr3t-value_with-url-safe_chars".into(),
            label: None,
            api_server: "http://h:8008".into(),
            web_server: "http://h:8080".into(),
            files_server: "http://h:8081".into(),
        };
        let p = clearml_config::paste::parse_paste(&conf_block(&c)).unwrap();
        assert_eq!(
            p.access_key.as_deref(),
            Some("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123")
        );
        assert_eq!(
            p.secret_key.as_deref(),
            Some("s3cr3t-value_with-url-safe_chars")
        );
        assert_eq!(p.api.as_deref(), Some("http://h:8008"));
        assert_eq!(p.files.as_deref(), Some("http://h:8081"));
    }
}
