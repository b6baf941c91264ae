//! The credentials table: key pairs made through `auth.create_credentials` (the primary
//! pair lives in the data dir's credentials.json, not here).

use super::Store;
use super::error::StoreResult;
use rusqlite::params;
use std::collections::HashMap;

/// A stored pair as listed (the secret is never read back for a listing).
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub access_key: String,
    pub label: Option<String>,
    pub created: String,
    pub last_used: Option<String>,
}

impl Store {
    /// Every stored pair, access key → secret key.
    pub fn key_pairs(&self) -> StoreResult<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT access_key, secret_key FROM credentials")?;
        let pairs = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(pairs)
    }

    pub fn insert_key_pair(
        &self,
        access_key: &str,
        secret_key: &str,
        label: Option<&str>,
        created: &str,
    ) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO credentials(access_key, secret_key, label, created) VALUES (?1, ?2, ?3, ?4)",
            params![access_key, secret_key, label, created],
        )?;
        Ok(())
    }

    /// The stored pairs in the order they were made.
    pub fn list_keys(&self) -> StoreResult<Vec<StoredKey>> {
        let mut stmt = self.conn.prepare(
            "SELECT access_key, label, created, last_used FROM credentials ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredKey {
                access_key: r.get(0)?,
                label: r.get(1)?,
                created: r.get(2)?,
                last_used: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Delete a pair; returns how many rows went (0 = no such key).
    pub fn delete_key_pair(&self, access_key: &str) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "DELETE FROM credentials WHERE access_key = ?1",
            [access_key],
        )?)
    }

    /// Set a pair's label; returns how many rows changed (0 = no such key).
    pub fn set_key_label(&self, access_key: &str, label: Option<&str>) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "UPDATE credentials SET label = ?2 WHERE access_key = ?1",
            params![access_key, label],
        )?)
    }

    /// Record that a stored pair just logged in (no-op for a key not stored here).
    pub fn touch_key_pair(&self, access_key: &str, when: &str) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE credentials SET last_used = ?2 WHERE access_key = ?1",
            params![access_key, when],
        )?;
        Ok(())
    }
}
