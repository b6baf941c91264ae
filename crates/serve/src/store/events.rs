//! The events table: scalars, logs, plots and debug images of tasks, one row each (the
//! event as JSON plus the columns queries select and sort on).

use super::Store;
use super::error::StoreResult;
use rusqlite::params;
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

/// One event to store.
pub struct NewEvent<'a> {
    pub task: &'a str,
    pub kind: &'a str,
    pub metric: &'a str,
    pub variant: &'a str,
    pub iter: Option<i64>,
    /// Milliseconds since the epoch.
    pub ts: i64,
    pub value: Option<f64>,
    /// The whole event, as JSON text.
    pub doc: &'a str,
}

/// One stored scalar: metric, variant, iteration (missing = 0), timestamp, value (missing = 0).
pub type ScalarRow = (String, String, i64, i64, f64);

/// One event at a given iteration: metric, variant, value, timestamp.
pub type IterationValue = (String, String, Option<f64>, i64);

/// Which events of a task a page reads.
#[derive(Debug, Clone, Copy)]
pub struct EventSelect<'a> {
    pub task: &'a str,
    pub kind: Option<&'a str>,
    pub metric: Option<&'a str>,
}

/// The order of an events page (insertion order breaks ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOrder {
    TimeAsc,
    TimeDesc,
    IterAsc,
    IterDesc,
}

impl EventOrder {
    fn sql(self) -> &'static str {
        match self {
            EventOrder::TimeAsc => "ts ASC, rid ASC",
            EventOrder::TimeDesc => "ts DESC, rid DESC",
            EventOrder::IterAsc => "iter ASC, rid ASC",
            EventOrder::IterDesc => "iter DESC, rid DESC",
        }
    }
}

/// A task's scalar rows of one type (`?1`, `?2`), of one metric (`?3`) or all (`?3` NULL):
/// two statements, not `?3 IS NULL OR ...`, so that SQLite seeks the index on metric. The
/// order is the index's own (rows of one iteration in the order they were stored):
/// ordering by `ts` too made SQLite sort every row again in a temporary B-tree, a fifth of
/// a 100-experiment compare page.
pub(super) const SCALARS_OF_METRIC: &str = "SELECT metric, variant, iter, ts, value FROM events \
     WHERE task = ?1 AND type = ?2 AND metric = ?3 ORDER BY metric, variant, iter";
pub(super) const SCALARS: &str = "SELECT metric, variant, iter, ts, value FROM events \
     WHERE task = ?1 AND type = ?2 AND ?3 IS NULL ORDER BY metric, variant, iter";

impl Store {
    pub fn insert_event(&self, e: &NewEvent) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events(task, type, metric, variant, iter, ts, value, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                e.task, e.kind, e.metric, e.variant, e.iter, e.ts, e.value, e.doc
            ])?;
        self.add_to_buckets(e)
    }

    /// Delete every event of `task`; returns how many went.
    pub fn delete_task_events(&self, task: &str) -> StoreResult<usize> {
        // The buckets first: the events' delete trigger then finds nothing to count again.
        self.flush_buckets()?;
        self.conn
            .execute("DELETE FROM scalar_buckets WHERE task = ?1", [task])?;
        Ok(self
            .conn
            .execute("DELETE FROM events WHERE task = ?1", [task])?)
    }

    /// Each of a task's events of type `kind`, as a scalar row, in order of metric,
    /// variant, iteration and time (streamed: a task can hold millions).
    pub fn for_each_scalar(
        &self,
        task: &str,
        kind: &str,
        f: impl FnMut(ScalarRow),
    ) -> StoreResult<()> {
        self.for_each_scalar_of(task, kind, None, f)
    }

    /// As [`Store::for_each_scalar`], of one metric only when `metric` is given (read
    /// through the index: a page drawing 4 of 40 metrics reads a tenth of the rows).
    pub fn for_each_scalar_of(
        &self,
        task: &str,
        kind: &str,
        metric: Option<&str>,
        mut f: impl FnMut(ScalarRow),
    ) -> StoreResult<()> {
        self.for_each_scalar_ref(task, kind, metric, |m, v, i, t, val| {
            f((m.to_string(), v.to_string(), i, t, val))
        })
    }

    /// As [`Store::for_each_scalar_of`], with the metric and variant borrowed from the
    /// row: no allocation per point (a compare of 100 tasks reads 150,000 of them).
    pub fn for_each_scalar_ref(
        &self,
        task: &str,
        kind: &str,
        metric: Option<&str>,
        mut f: impl FnMut(&str, &str, i64, i64, f64),
    ) -> StoreResult<()> {
        let mut stmt = self.conn.prepare_cached(if metric.is_some() {
            SCALARS_OF_METRIC
        } else {
            SCALARS
        })?;
        fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
            r.get_ref(i)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
            })
        }
        let mut rows = stmt.query(params![task, kind, metric])?;
        while let Some(r) = rows.next()? {
            f(
                text(r, 0)?,
                text(r, 1)?,
                r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                r.get::<_, i64>(3)?,
                r.get::<_, Option<f64>>(4)?.unwrap_or(0.0),
            );
        }
        Ok(())
    }

    /// (metric, variant, value, timestamp) of a task's `kind` events at iteration `iter`,
    /// in insertion order.
    pub fn values_at_iteration(
        &self,
        task: &str,
        kind: &str,
        iter: i64,
    ) -> StoreResult<Vec<IterationValue>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT metric, variant, value, ts FROM events WHERE task = ?1 AND type = ?2 AND iter = ?3 ORDER BY rid")?;
        let rows = stmt.query_map(params![task, kind, iter], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest timestamp of a task's `kind` events.
    pub fn last_event_time(&self, task: &str, kind: &str) -> StoreResult<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT MAX(ts) FROM events WHERE task = ?1 AND type = ?2",
            params![task, kind],
            |r| r.get(0),
        )?)
    }

    /// The distinct (metric, variant) pairs of a task's `kind` events.
    pub fn metric_variants(&self, task: &str, kind: &str) -> StoreResult<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT metric, variant FROM events WHERE task = ?1 AND type = ?2",
        )?;
        let rows = stmt.query_map(params![task, kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The distinct metric names of a task's `kind` events, sorted.
    pub fn metric_names(&self, task: &str, kind: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT metric FROM events WHERE task = ?1 AND type = ?2 ORDER BY metric",
        )?;
        let rows = stmt.query_map(params![task, kind], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One page of events (as stored) and how many match in all.
    pub fn event_page(
        &self,
        sel: EventSelect,
        order: EventOrder,
        limit: usize,
        offset: usize,
    ) -> StoreResult<(Vec<Value>, usize)> {
        let mut cond = "task = ?1".to_string();
        let mut args: Vec<SqlValue> = vec![sel.task.to_string().into()];
        for (column, value) in [("type", sel.kind), ("metric", sel.metric)] {
            if let Some(v) = value {
                args.push(v.to_string().into());
                cond.push_str(&format!(" AND {column} = ?{}", args.len()));
            }
        }
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM events WHERE {cond}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT doc FROM events WHERE {cond} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            order.sql()
        ))?;
        let docs = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                r.get::<_, String>(0)
            })?
            .map(|d| Ok(serde_json::from_str(&d?)?))
            .collect::<StoreResult<Vec<Value>>>()?;
        Ok((docs, total as usize))
    }
}
