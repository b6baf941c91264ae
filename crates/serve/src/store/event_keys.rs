//! Event queries by metric and variant: the distinct metric/variant pairs tasks reported,
//! scalar points for raw and histogram reads, and replacing an event reported again under
//! the same key (the real server indexes non-log events by task, iteration, metric and
//! variant, so a second report overwrites the first).

use super::Store;
use super::error::StoreResult;
use super::events::ScalarRow;
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

/// The event type of scalars.
const SCALAR_TYPE: &str = "training_stats_scalar";

impl Store {
    /// Distinct (metric, variant) pairs of these tasks' events of one type (any type when
    /// `None`), optionally leaving out single-value scalars (iteration `single_iter`).
    pub fn event_metric_variants(
        &self,
        tasks: &[String],
        kind: Option<&str>,
        skip_iter: Option<i64>,
    ) -> StoreResult<Vec<(String, String, String)>> {
        let tasks_json = serde_json::to_string(tasks)?;
        let mut sql = "SELECT DISTINCT task, metric, variant FROM events WHERE task IN (SELECT value FROM json_each(?1))".to_string();
        let mut args = vec![SqlValue::Text(tasks_json)];
        if let Some(k) = kind {
            args.push(SqlValue::Text(k.into()));
            sql.push_str(&format!(" AND type = ?{}", args.len()));
        }
        if let Some(i) = skip_iter {
            args.push(SqlValue::Integer(i));
            sql.push_str(&format!(" AND coalesce(iter, 0) != ?{}", args.len()));
        }
        sql.push_str(" ORDER BY metric, variant");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Scalar points (events of the scalar type) of one task's metric (and variants, when given), ordered by iteration
    /// (`by_iter`) or timestamp, then insertion; `limit`/`offset` page through them.
    pub fn scalar_points(
        &self,
        task: &str,
        metric: &str,
        variants: &[String],
        by_iter: bool,
        limit: usize,
        offset: usize,
    ) -> StoreResult<(Vec<ScalarRow>, usize)> {
        let variants_json = serde_json::to_string(variants)?;
        let cond = "task = ?1 AND type = ?2 AND metric = ?3 AND (json_array_length(?4) = 0 OR variant IN (SELECT value FROM json_each(?4)))";
        let args = [
            SqlValue::Text(task.into()),
            SqlValue::Text(SCALAR_TYPE.into()),
            SqlValue::Text(metric.into()),
            SqlValue::Text(variants_json),
        ];
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM events WHERE {cond}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let order = if by_iter { "iter, ts, rid" } else { "ts, rid" };
        let cap = i64::MAX as usize;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT metric, variant, coalesce(iter, 0), ts, coalesce(value, 0) FROM events WHERE {cond} ORDER BY {order} LIMIT {} OFFSET {}",
            limit.min(cap),
            offset.min(cap)
        ))?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok((rows.collect::<Result<_, _>>()?, total as usize))
    }

    /// Remove a task's earlier event of this type, metric, variant and iteration (before the
    /// same key is reported again).
    pub fn replace_event_key(
        &self,
        task: &str,
        kind: &str,
        metric: &str,
        variant: &str,
        iter: Option<i64>,
    ) -> StoreResult<()> {
        let args = rusqlite::params![task, kind, metric, variant, iter];
        // Buckets not written yet would be counted twice: the delete trigger counts the
        // bucket again from the rows, theirs included. So they go first, when a row goes.
        if self.buckets_pending()
            && self
                .conn
                .prepare_cached(
                    "SELECT 1 FROM events WHERE task = ?1 AND type = ?2 AND metric = ?3 AND variant = ?4 AND iter IS ?5",
                )?
                .exists(args)?
        {
            self.flush_buckets()?;
        }
        self.conn
            .prepare_cached(
                "DELETE FROM events WHERE task = ?1 AND type = ?2 AND metric = ?3 AND variant = ?4 AND iter IS ?5",
            )?
            .execute(args)?;
        Ok(())
    }
}
