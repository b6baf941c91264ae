//! The server's key pairs: the primary pair (from the environment, or generated on first
//! start and kept 0600 in `credentials.json`) plus pairs made through `auth.create_credentials`
//! (kept in the database).

use super::auth::{new_access_key, new_secret_key, secrets_equal};
use super::envelope::ApiError;
use super::store::Store;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyPair {
    pub access_key: String,
    pub secret_key: String,
}

pub struct Credentials {
    pub primary: KeyPair,
}

/// Where the primary pair came from (decides whether it is printed).
pub enum Origin {
    Environment,
    /// From `credentials.json`; `shown` is false until the pair has been printed once.
    Stored {
        shown: bool,
    },
    Generated,
}

/// `credentials.json`: the pair plus whether it was ever printed. A start that stored a
/// pair but never printed it (killed in between, stdout gone) prints it on the next start.
#[derive(Serialize, Deserialize)]
struct StoredPair {
    #[serde(flatten)]
    pair: KeyPair,
    /// Files written before this field existed were printed when generated.
    #[serde(default = "shown_by_default")]
    shown: bool,
}

fn shown_by_default() -> bool {
    true
}

fn credentials_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("credentials.json")
}

fn store_pair(data_dir: &Path, pair: &KeyPair, shown: bool) -> anyhow::Result<()> {
    let stored = StoredPair {
        pair: pair.clone(),
        shown,
    };
    super::write_private_atomic(
        &credentials_path(data_dir),
        serde_json::to_string_pretty(&stored)?.as_bytes(),
    )
}

impl Credentials {
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<(Credentials, Origin)> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let (Some(a), Some(s)) = (env("CLEARML_API_ACCESS_KEY"), env("CLEARML_API_SECRET_KEY")) {
            let pair = KeyPair {
                access_key: a.trim().into(),
                secret_key: s.trim().into(),
            };
            return Ok((Credentials { primary: pair }, Origin::Environment));
        }
        let path = credentials_path(data_dir);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let stored: StoredPair = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not valid ({e}): fix or delete it to generate a new key pair",
                    path.display()
                )
            })?;
            let origin = Origin::Stored {
                shown: stored.shown,
            };
            return Ok((
                Credentials {
                    primary: stored.pair,
                },
                origin,
            ));
        }
        let pair = KeyPair {
            access_key: new_access_key(),
            secret_key: new_secret_key(),
        };
        store_pair(data_dir, &pair, false)?;
        Ok((Credentials { primary: pair }, Origin::Generated))
    }

    /// Record that the stored primary pair has been printed (it is not printed again).
    pub fn mark_shown(&self, data_dir: &Path) -> anyhow::Result<()> {
        store_pair(data_dir, &self.primary, true)
    }

    /// Does this key/secret pair log in?
    pub fn check(
        &self,
        store: &Store,
        access_key: &str,
        secret_key: &str,
    ) -> Result<bool, ApiError> {
        if access_key == self.primary.access_key {
            return Ok(secrets_equal(secret_key, &self.primary.secret_key));
        }
        let stored: Option<String> = rusqlite::OptionalExtension::optional(store.conn.query_row(
            "SELECT secret_key FROM credentials WHERE access_key = ?1",
            [access_key],
            |r| r.get(0),
        ))?;
        Ok(stored.is_some_and(|s| secrets_equal(secret_key, &s)))
    }
}
