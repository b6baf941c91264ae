//! The server's key pairs: the primary pair (from the environment, or generated on first
//! start and kept 0600 in `credentials.json`) plus pairs made through `auth.create_credentials`
//! (kept in the database).

use super::auth::{new_access_key, new_secret_key, secrets_equal};
use super::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyPair {
    pub access_key: String,
    pub secret_key: String,
}

pub struct Credentials {
    pub primary: KeyPair,
    /// `credentials.json` of a stored primary pair that has not logged in yet: the first
    /// login with it records that it reached someone (then it is no longer printed).
    unused_file: Option<PathBuf>,
    used: AtomicBool,
    /// Pairs made through `auth.create_credentials` (access → secret key), mirrored from
    /// the database so authentication never waits for it; revoking removes a pair here too.
    stored: RwLock<HashMap<String, String>>,
}

/// Where the primary pair came from (decides whether it is printed).
pub enum Origin {
    Environment,
    /// From `credentials.json`; `used` once it has logged in.
    Stored {
        used: bool,
    },
    Generated,
}

/// `credentials.json`: the pair plus whether it ever logged in. Until it has, every start
/// prints it, so a block lost on the way (a start killed before printing, a script that
/// overwrote its output file on a retry) is printed again instead of never.
#[derive(Serialize, Deserialize)]
struct StoredPair {
    #[serde(flatten)]
    pair: KeyPair,
    /// Files written before this field existed were printed when generated.
    #[serde(default = "used_by_default")]
    used: bool,
}

fn used_by_default() -> bool {
    true
}

fn store_pair(path: &Path, pair: &KeyPair, used: bool) -> anyhow::Result<()> {
    let stored = StoredPair {
        pair: pair.clone(),
        used,
    };
    super::write_private_atomic(path, serde_json::to_string_pretty(&stored)?.as_bytes())
}

impl Credentials {
    fn new(primary: KeyPair, unused_file: Option<PathBuf>) -> Credentials {
        Credentials {
            primary,
            used: AtomicBool::new(unused_file.is_none()),
            unused_file,
            stored: RwLock::new(HashMap::new()),
        }
    }

    /// Load the pairs kept in the database (once, at start).
    pub fn load_stored(&self, store: &Store) -> anyhow::Result<()> {
        let pairs = store.key_pairs()?;
        *self.stored.write().unwrap_or_else(|p| p.into_inner()) = pairs;
        Ok(())
    }

    /// A pair just stored in the database by `auth.create_credentials`.
    pub fn add(&self, access_key: &str, secret_key: &str) {
        self.stored
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(access_key.into(), secret_key.into());
    }

    /// A pair just deleted from the database by `auth.revoke_credentials`.
    pub fn remove(&self, access_key: &str) {
        self.stored
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(access_key);
    }

    /// Is this access key one the server still accepts?
    pub fn is_live(&self, access_key: &str) -> bool {
        access_key == self.primary.access_key
            || self
                .stored
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(access_key)
    }

    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<(Credentials, Origin)> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let (Some(a), Some(s)) = (env("CLEARML_API_ACCESS_KEY"), env("CLEARML_API_SECRET_KEY")) {
            let pair = KeyPair {
                access_key: a.trim().into(),
                secret_key: s.trim().into(),
            };
            return Ok((Credentials::new(pair, None), Origin::Environment));
        }
        let path = data_dir.join("credentials.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let stored: StoredPair = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not valid ({e}): fix or delete it to generate a new key pair",
                    path.display()
                )
            })?;
            let unused_file = (!stored.used).then_some(path);
            let origin = Origin::Stored { used: stored.used };
            return Ok((Credentials::new(stored.pair, unused_file), origin));
        }
        let pair = KeyPair {
            access_key: new_access_key(),
            secret_key: new_secret_key(),
        };
        store_pair(&path, &pair, false)?;
        Ok((Credentials::new(pair, Some(path)), Origin::Generated))
    }

    /// The primary pair just logged in: record it once, so later starts stop printing it.
    fn note_primary_used(&self) {
        if self.used.swap(true, Ordering::Relaxed) {
            return;
        }
        if let Some(path) = &self.unused_file
            && let Err(e) = store_pair(path, &self.primary, true)
        {
            tracing::warn!("cannot record the first login in {}: {e:#}", path.display());
        }
    }

    /// Does this key/secret pair log in?
    pub fn check(&self, access_key: &str, secret_key: &str) -> bool {
        if access_key == self.primary.access_key {
            let ok = secrets_equal(secret_key, &self.primary.secret_key);
            if ok {
                self.note_primary_used();
            }
            return ok;
        }
        let stored = self.stored.read().unwrap_or_else(|p| p.into_inner());
        stored
            .get(access_key)
            .is_some_and(|s| secrets_equal(secret_key, s))
    }
}
