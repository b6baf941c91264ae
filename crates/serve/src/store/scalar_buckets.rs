//! The scalar buckets: every scalar series kept also as count, sum, min, max and first
//! and last iteration per bucket of 2^level iterations, for a few levels. A chart that
//! draws a long series at a few hundred points reads the level nearest its bucket width
//! instead of every row: a compare of 100 experiments read 150,000 rows where 300 curves
//! of 250 points need 75,000 buckets.
//!
//! Inserted events are added up in memory per bucket (`Pending`) and written when their
//! transaction commits (or at once outside one): a batch of 5,000 points of a series
//! costs about 2,900 bucket writes, where a write per event and level (a trigger) cost
//! 25,000 and made a 12 MB batch several times slower. Deleted events are handled by a
//! trigger, so every way of deleting keeps the buckets right; it counts a bucket again
//! from the rows left, so the pending buckets are written before any delete of a scalar.

use super::Store;
use super::error::StoreResult;
use super::events::NewEvent;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Buckets not written yet, by (task, level, metric, variant, bucket).
pub type Pending = HashMap<(String, u32, String, String, i64), Bucket>;

/// The levels kept (bucket widths 4, 32, 256, 2,048, 16,384): a width wanted in between
/// reads the next finer level, at most 8 buckets per bucket drawn (a width of 2 reads the
/// rows). Each level costs writes, so not every power of two is kept.
pub const LEVELS: [u32; 5] = [2, 5, 8, 11, 14];

/// The iteration `report_single_value` reports at: not a point of a curve.
const SINGLE_VALUE_ITER: i64 = -(1 << 31);

/// One bucket: how many points, their sum, min and max, and the first and last iteration
/// among them (a missing value counts as 0 and a missing iteration as 0, as the scalar
/// reads take them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub n: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    pub lo: i64,
    pub hi: i64,
}

impl Bucket {
    /// The bucket of one point: `value` at iteration `iter`.
    pub fn point(iter: i64, value: f64) -> Bucket {
        Bucket {
            n: 1,
            sum: value,
            min: value,
            max: value,
            lo: iter,
            hi: iter,
        }
    }

    /// Both buckets' points in one.
    pub fn merge(&mut self, o: &Bucket) {
        self.n += o.n;
        self.sum += o.sum;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.lo = self.lo.min(o.lo);
        self.hi = self.hi.max(o.hi);
    }
}

/// The table, keyed so that one task's buckets of one level are one range of the key
/// (a chart reads a level of all a task's series at once).
const TABLE: &str = "CREATE TABLE IF NOT EXISTS scalar_buckets (
    task TEXT NOT NULL, level INTEGER NOT NULL, metric TEXT NOT NULL, variant TEXT NOT NULL,
    bx INTEGER NOT NULL, n INTEGER NOT NULL, vsum REAL NOT NULL, vmin REAL NOT NULL,
    vmax REAL NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
    PRIMARY KEY (task, level, metric, variant, bx)) WITHOUT ROWID;";

const IS_CURVE_POINT: &str = "type = 'training_stats_scalar' AND coalesce(iter, 0) != -2147483648";

/// The delete trigger: each bucket of a deleted point (an event reported again, a task's
/// events cleared) is counted again from the rows left (at most 2^level rows each), and an
/// emptied bucket removed: min and max cannot be taken back by subtracting.
fn triggers() -> String {
    let when = |row: &str| {
        format!(
            "{row}.type = 'training_stats_scalar' AND coalesce({row}.iter, 0) != {SINGLE_VALUE_ITER}"
        )
    };
    let mut del = String::new();
    for l in LEVELS {
        // The bucket's rows by iteration range (the index's order), and a row without an
        // iteration, which counts as 0, by itself; `<= start + width - 1` cannot overflow.
        // An emptied bucket is counted as 0 points (its min and max cannot be NULL), then
        // removed.
        let same = "e.task = old.task AND e.type = old.type AND e.metric = old.metric AND e.variant = old.variant";
        let bx = format!("(coalesce(old.iter, 0) >> {l})");
        let key = format!(
            "task = old.task AND level = {l} AND metric = old.metric AND variant = old.variant
             AND bx = {bx}"
        );
        del.push_str(&format!(
            "UPDATE scalar_buckets SET (n, vsum, vmin, vmax, lo, hi) = (
                SELECT count(*), total(v), coalesce(min(v), 0), coalesce(max(v), 0),
                    coalesce(min(i), 0), coalesce(max(i), 0) FROM (
                    SELECT coalesce(e.value, 0) AS v, e.iter AS i FROM events e WHERE {same}
                      AND e.iter >= ({bx} << {l}) AND e.iter <= ({bx} << {l}) + {w}
                      AND e.iter != {SINGLE_VALUE_ITER}
                    UNION ALL
                    SELECT coalesce(e.value, 0), 0 FROM events e WHERE {same}
                      AND e.iter IS NULL AND {bx} = 0))
             WHERE {key};
             DELETE FROM scalar_buckets WHERE {key} AND n = 0;\n",
            w = (1i64 << l) - 1
        ));
    }
    // A task's events deleted together go after its buckets (`delete_task_events`):
    // then each row costs one look-up here, not ten.
    let top = LEVELS[LEVELS.len() - 1];
    let kept = format!(
        "EXISTS (SELECT 1 FROM scalar_buckets WHERE task = old.task AND level = {top}
         AND metric = old.metric AND variant = old.variant AND bx = coalesce(old.iter, 0) >> {top})"
    );
    format!(
        "CREATE TRIGGER IF NOT EXISTS scalar_buckets_del AFTER DELETE ON events WHEN {} AND {kept}
         BEGIN\n{del}END;",
        when("old")
    )
}

/// Create the table and its trigger; a file made before them (schema version 2 and
/// older) gets its buckets counted from the events it holds, once.
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let existed: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'scalar_buckets'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    conn.execute_batch(TABLE)?;
    if !existed {
        let t0 = std::time::Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let fill = || -> rusqlite::Result<()> {
            for l in LEVELS {
                conn.execute(
                    &format!(
                        "INSERT INTO scalar_buckets
                         SELECT task, {l}, metric, variant, coalesce(iter, 0) >> {l}, count(*),
                            total(coalesce(value, 0)), min(coalesce(value, 0)),
                            max(coalesce(value, 0)), min(coalesce(iter, 0)), max(coalesce(iter, 0))
                         FROM events WHERE {IS_CURVE_POINT}
                         GROUP BY task, metric, variant, coalesce(iter, 0) >> {l}"
                    ),
                    [],
                )?;
            }
            Ok(())
        };
        match fill() {
            Ok(()) => {
                conn.execute_batch("COMMIT")?;
                tracing::info!(
                    "scalar buckets counted from the stored events in {:.1} s (once)",
                    t0.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    conn.execute_batch(&triggers())
}

/// The bucket in a row's columns `at`.. (n, vsum, vmin, vmax, lo, hi).
fn bucket_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Bucket> {
    Ok(Bucket {
        n: r.get(at)?,
        sum: r.get(at + 1)?,
        min: r.get(at + 2)?,
        max: r.get(at + 3)?,
        lo: r.get(at + 4)?,
        hi: r.get(at + 5)?,
    })
}

impl Store {
    /// Add an inserted event to its pending buckets when it is a point of a curve; outside
    /// a transaction they are written at once.
    pub(super) fn add_to_buckets(&self, e: &NewEvent) -> StoreResult<()> {
        let iter = e.iter.unwrap_or(0);
        if e.kind != "training_stats_scalar" || iter == SINGLE_VALUE_ITER {
            return Ok(());
        }
        // As stored: SQLite keeps NaN as NULL, which the reads take as 0.
        let v = e.value.filter(|v| !v.is_nan()).unwrap_or(0.0);
        let point = Bucket::point(iter, v);
        {
            let mut pending = self.pending.borrow_mut();
            for l in LEVELS {
                let key = (
                    e.task.to_string(),
                    l,
                    e.metric.to_string(),
                    e.variant.to_string(),
                    iter >> l,
                );
                pending
                    .entry(key)
                    .and_modify(|b| b.merge(&point))
                    .or_insert(point);
            }
        }
        if self.conn.is_autocommit() {
            self.flush_buckets()?;
        }
        Ok(())
    }

    /// Whether inserted events' buckets wait to be written.
    pub(super) fn buckets_pending(&self) -> bool {
        !self.pending.borrow().is_empty()
    }

    /// Write the pending buckets, each added to what is stored.
    pub(super) fn flush_buckets(&self) -> StoreResult<()> {
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        if pending.is_empty() {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO scalar_buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT DO UPDATE SET n = n + excluded.n, vsum = vsum + excluded.vsum,
                vmin = min(vmin, excluded.vmin), vmax = max(vmax, excluded.vmax),
                lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)",
        )?;
        for ((task, level, metric, variant, bx), b) in pending {
            stmt.execute(params![
                task, level, metric, variant, bx, b.n, b.sum, b.min, b.max, b.lo, b.hi
            ])?;
        }
        Ok(())
    }

    /// Each curve of a task (of one metric when given), sorted by metric and variant,
    /// with all its points as one bucket: from the coarsest level, a few rows a series.
    pub fn scalar_series(
        &self,
        task: &str,
        metric: Option<&str>,
    ) -> StoreResult<Vec<(String, String, Bucket)>> {
        let top = LEVELS[LEVELS.len() - 1];
        let mut stmt = self.conn.prepare_cached(
            "SELECT metric, variant, sum(n), total(vsum), min(vmin), max(vmax), min(lo), max(hi)
             FROM scalar_buckets WHERE task = ?1 AND level = ?2 AND (?3 IS NULL OR metric = ?3)
             GROUP BY metric, variant ORDER BY metric, variant",
        )?;
        let rows = stmt.query_map(params![task, top, metric], |r| {
            Ok((r.get(0)?, r.get(1)?, bucket_at(r, 2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The buckets of one level of a task's curves, in order of metric, variant and
    /// iteration: of one series when `series` is given, else of all of them.
    pub fn for_each_bucket(
        &self,
        task: &str,
        level: u32,
        series: Option<(&str, &str)>,
        mut f: impl FnMut(&str, &str, Bucket),
    ) -> StoreResult<()> {
        let mut stmt = self.conn.prepare_cached(if series.is_some() {
            "SELECT metric, variant, n, vsum, vmin, vmax, lo, hi FROM scalar_buckets
             WHERE task = ?1 AND level = ?2 AND metric = ?3 AND variant = ?4 ORDER BY bx"
        } else {
            "SELECT metric, variant, n, vsum, vmin, vmax, lo, hi FROM scalar_buckets
             WHERE task = ?1 AND level = ?2 ORDER BY metric, variant, bx"
        })?;
        let mut rows = match series {
            Some((m, v)) => stmt.query(params![task, level, m, v])?,
            None => stmt.query(params![task, level])?,
        };
        fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
            r.get_ref(i)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
            })
        }
        while let Some(r) = rows.next()? {
            f(text(r, 0)?, text(r, 1)?, bucket_at(r, 2)?);
        }
        Ok(())
    }

    /// The value a task's scalar series holds at iteration `iter` (the last reported).
    pub fn scalar_at(
        &self,
        task: &str,
        metric: &str,
        variant: &str,
        iter: i64,
    ) -> StoreResult<Option<f64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(value, 0) FROM events WHERE task = ?1
             AND type = 'training_stats_scalar' AND metric = ?2 AND variant = ?3 AND iter = ?4
             LIMIT 1",
        )?;
        let mut rows = stmt.query(params![task, metric, variant, iter])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewEvent;

    fn add(store: &Store, task: &str, metric: &str, iter: Option<i64>, value: f64) {
        store
            .replace_event_key(task, "training_stats_scalar", metric, "v", iter)
            .unwrap();
        store
            .insert_event(&NewEvent {
                task,
                kind: "training_stats_scalar",
                metric,
                variant: "v",
                iter,
                ts: 0,
                value: Some(value),
                doc: "{}",
            })
            .unwrap();
    }

    /// Every level's buckets as the triggers left them.
    fn table(store: &Store) -> Vec<(String, u32, String, i64, Bucket)> {
        let mut stmt = store
            .conn
            .prepare("SELECT task, level, metric, bx, n, vsum, vmin, vmax, lo, hi FROM scalar_buckets ORDER BY 1, 2, 3, 4")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, bucket_at(r, 4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// The buckets counted from the events afresh, as an older file gets them, are the
    /// ones kept (sums to rounding: they add in another order).
    fn assert_recount(store: &Store) {
        let kept = table(store);
        store
            .conn
            .execute_batch("DROP TABLE scalar_buckets")
            .unwrap();
        migrate(&store.conn).unwrap();
        let counted = table(store);
        assert_eq!(kept.len(), counted.len());
        for (k, c) in kept.iter().zip(&counted) {
            assert!((k.4.sum - c.4.sum).abs() < 1e-9, "{k:?} {c:?}");
            let unsummed = |b: &(String, u32, String, i64, Bucket)| {
                let mut b = b.clone();
                b.4.sum = 0.0;
                b
            };
            assert_eq!(unsummed(k), unsummed(c));
        }
    }

    #[test]
    fn the_buckets_stay_equal_to_a_recount_through_adds_replacements_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("b.sqlite")).unwrap();
        let metric = "Verlust потеря 损失";
        for i in -20..300 {
            add(&store, "t1", metric, Some(i), (i as f64 * 0.37).sin());
        }
        add(&store, "t1", metric, None, 5.0);
        add(&store, "t1", metric, Some(SINGLE_VALUE_ITER), 99.0);
        add(&store, "t2", "acc", Some(i64::MAX), 1.0);
        add(&store, "t2", "acc", Some(i64::MIN + 1), -1.0);
        // Reported again: the spike at 17 and an extreme at 250 replaced, a middle value too.
        add(&store, "t1", metric, Some(17), 40.0);
        add(&store, "t1", metric, Some(17), 0.5);
        add(&store, "t1", metric, Some(250), -3.0);
        add(&store, "t1", metric, Some(100), 0.1);
        add(&store, "t1", metric, None, 2.0);
        add(&store, "t2", "acc", Some(i64::MAX), 2.0);
        let kept = table(&store);
        assert!(kept.iter().all(|b| b.4.n > 0));
        let b17 = kept
            .iter()
            .find(|b| b.0 == "t1" && b.1 == 2 && b.3 == 4)
            .unwrap();
        assert_eq!((b17.4.n, b17.4.lo, b17.4.hi), (4, 16, 19));
        assert!(b17.4.max < 1.0, "the replaced 40 is gone: {b17:?}");
        // A negative iteration is in the bucket below zero, as Rust's >> puts it.
        assert!(kept.iter().any(|b| b.1 == 5 && b.3 == -1 && b.4.lo == -20));
        assert_recount(&store);

        // The task's events deleted one way and another: nothing left over.
        store
            .conn
            .execute(
                "DELETE FROM events WHERE task = 't1' AND iter BETWEEN 0 AND 150",
                [],
            )
            .unwrap();
        assert_recount(&store);
        store.delete_task_events("t1").unwrap();
        store.delete_task_events("t2").unwrap();
        assert_eq!(table(&store), []);
    }

    #[test]
    fn a_transaction_s_buckets_are_written_at_its_commit_a_key_reported_twice_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("tx.sqlite")).unwrap();
        store
            .tx(|s| -> StoreResult<()> {
                for i in 0..100 {
                    add(s, "t", "Genauigkeit", Some(i), i as f64);
                }
                assert!(s.buckets_pending());
                // Reported again in the same batch: the row goes, and its bucket with it.
                add(s, "t", "Genauigkeit", Some(50), -7.0);
                for i in 100..200 {
                    add(s, "t", "Genauigkeit", Some(i), i as f64);
                }
                Ok(())
            })
            .unwrap();
        assert!(!store.buckets_pending());
        let top = store.scalar_series("t", None).unwrap();
        assert_eq!((top[0].2.n, top[0].2.min), (200, -7.0));
        assert_recount(&store);
        // A transaction rolled back leaves no bucket behind.
        let failed: StoreResult<()> = store.tx(|s| {
            add(s, "t", "Genauigkeit", Some(5000), 1.0);
            Err(rusqlite::Error::QueryReturnedNoRows.into())
        });
        assert!(failed.is_err() && !store.buckets_pending());
        assert_eq!(store.scalar_series("t", None).unwrap()[0].2.hi, 199);
    }

    #[test]
    fn a_task_s_series_and_a_level_are_read_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite")).unwrap();
        for i in 0..40 {
            add(&store, "t", "b", Some(i), i as f64);
            add(&store, "t", "a", Some(i + 3), -(i as f64));
        }
        let series = store.scalar_series("t", None).unwrap();
        let names: Vec<&str> = series.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            series[0].2,
            Bucket {
                n: 40,
                sum: -780.0,
                min: -39.0,
                max: 0.0,
                lo: 3,
                hi: 42
            }
        );
        assert_eq!(store.scalar_series("t", Some("b")).unwrap().len(), 1);
        let mut seen = Vec::new();
        store
            .for_each_bucket("t", 5, None, |m, _, b| {
                seen.push((m.to_string(), b.lo, b.n))
            })
            .unwrap();
        assert_eq!(
            seen,
            [
                ("a".into(), 3, 29),
                ("a".into(), 32, 11),
                ("b".into(), 0, 32),
                ("b".into(), 32, 8)
            ]
        );
        let mut one = 0;
        store
            .for_each_bucket("t", 2, Some(("b", "v")), |_, _, _| one += 1)
            .unwrap();
        assert_eq!(one, 10);
        assert_eq!(store.scalar_at("t", "a", "v", 42).unwrap(), Some(-39.0));
        assert_eq!(store.scalar_at("t", "a", "v", 0).unwrap(), None);
    }
}
