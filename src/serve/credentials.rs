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
    Stored,
    Generated,
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
        let path = data_dir.join("credentials.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let pair: KeyPair = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not valid ({e}): fix or delete it to generate a new key pair",
                    path.display()
                )
            })?;
            return Ok((Credentials { primary: pair }, Origin::Stored));
        }
        let pair = KeyPair {
            access_key: new_access_key(),
            secret_key: new_secret_key(),
        };
        super::write_private_atomic(&path, serde_json::to_string_pretty(&pair)?.as_bytes())?;
        Ok((Credentials { primary: pair }, Origin::Generated))
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
