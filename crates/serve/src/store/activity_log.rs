//! The activity table: samples of workers' machine statistics and of queue lengths and
//! waiting times, kept so the charts outlive a restart (the real server keeps them in
//! Elasticsearch). Each kind is bounded: now and then the rows beyond the last `keep` go.

use super::Store;
use super::error::StoreResult;
use rusqlite::params;

impl Store {
    /// Append samples of `kind` (time in ms, the sample as JSON); keep the last `keep`.
    pub fn append_activity(
        &self,
        kind: &str,
        rows: &[(i64, String)],
        keep: usize,
    ) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO activity(kind, ts, doc) VALUES (?1, ?2, ?3)")?;
        for (ts, doc) in rows {
            stmt.execute(params![kind, ts, doc])?;
        }
        // Trimming reads `keep` rows: only now and then (every 1024th row).
        let last = self.conn.last_insert_rowid();
        if (last as usize) % 1024 < rows.len() {
            self.conn.execute(
                "DELETE FROM activity WHERE kind = ?1 AND rid < (SELECT rid FROM activity WHERE kind = ?1 ORDER BY rid DESC LIMIT 1 OFFSET ?2)",
                params![kind, keep as i64],
            )?;
        }
        Ok(())
    }

    /// The last `limit` samples of `kind`, oldest first.
    pub fn load_activity(&self, kind: &str, limit: usize) -> StoreResult<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT ts, doc FROM (SELECT rid, ts, doc FROM activity WHERE kind = ?1 ORDER BY rid DESC LIMIT ?2) ORDER BY rid",
        )?;
        let rows = stmt.query_map(params![kind, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
