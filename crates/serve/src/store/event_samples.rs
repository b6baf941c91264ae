//! Stepping through a task's debug images and plots one sample at a time (the UI's image
//! and plot viewers): the iteration range each variant (or plot metric) still has, and the
//! next or previous sample from a position.

use super::Store;
use super::error::StoreResult;
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params_from_iter};
use serde_json::Value;

const IMAGE: &str = "training_debug_image";
const PLOT: &str = "plot";

/// Which iterations a step may land on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterBound {
    Any,
    At(i64),
    UpTo(i64),
    Before(i64),
    After(i64),
}

impl IterBound {
    /// The condition on `iter` (empty for `Any`), with its parameter.
    fn sql(self) -> Option<(&'static str, i64)> {
        match self {
            IterBound::Any => None,
            IterBound::At(i) => Some(("iter = ?", i)),
            IterBound::UpTo(i) => Some(("iter <= ?", i)),
            IterBound::Before(i) => Some(("iter < ?", i)),
            IterBound::After(i) => Some(("iter > ?", i)),
        }
    }
}

/// A debug-image variant and the iterations it has images for: `min` is the earliest
/// iteration whose image is still the latest one at its URL (an image saved again under the
/// same URL replaces the older ones), `max` the last iteration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VariantRange {
    pub metric: String,
    pub variant: String,
    pub min: i64,
    pub max: i64,
}

impl Store {
    /// The iteration range of each debug-image variant of `task` (of `metric` only when
    /// given), by metric and variant.
    pub fn image_variant_ranges(
        &self,
        task: &str,
        metric: Option<&str>,
    ) -> StoreResult<Vec<VariantRange>> {
        let mut args: Vec<SqlValue> = vec![task.to_string().into(), IMAGE.to_string().into()];
        let mut cond =
            "task = ?1 AND type = ?2 AND json_extract(doc, '$.url') IS NOT NULL".to_string();
        if let Some(m) = metric {
            args.push(m.to_string().into());
            cond.push_str(" AND metric = ?3");
        }
        let sql = format!(
            "SELECT metric, variant, MIN(last), MAX(last) FROM (
                SELECT metric, variant, MAX(coalesce(iter, 0)) AS last FROM events WHERE {cond}
                GROUP BY metric, variant, json_extract(doc, '$.url'))
             GROUP BY metric, variant ORDER BY metric, variant"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(VariantRange {
                metric: r.get(0)?,
                variant: r.get(1)?,
                min: r.get(2)?,
                max: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first debug image (by iteration, metric and variant; descending when `desc`) of
    /// one of `variants` at an iteration within its range and `bound`.
    pub fn image_step(
        &self,
        task: &str,
        variants: &[VariantRange],
        bound: IterBound,
        desc: bool,
    ) -> StoreResult<Option<Value>> {
        if variants.is_empty() {
            return Ok(None);
        }
        let candidates: Vec<(&str, &str, i64)> = variants
            .iter()
            .map(|v| (v.metric.as_str(), v.variant.as_str(), v.min))
            .collect();
        let mut args: Vec<SqlValue> = vec![
            task.to_string().into(),
            IMAGE.to_string().into(),
            serde_json::to_string(&candidates)?.into(),
        ];
        let mut cond = "task = ?1 AND type = ?2 AND json_extract(doc, '$.url') IS NOT NULL
            AND EXISTS (SELECT 1 FROM json_each(?3) AS c WHERE metric = c.value ->> 0
                AND variant = c.value ->> 1 AND coalesce(iter, 0) >= c.value ->> 2)"
            .to_string();
        if let Some((term, i)) = bound.sql() {
            args.push(i.into());
            cond.push_str(&format!(" AND {}", term.replace('?', "?4")));
        }
        let dir = if desc { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT doc FROM events WHERE {cond}
             ORDER BY iter {dir}, metric {dir}, variant {dir}, json_extract(doc, '$.url') DESC LIMIT 1"
        );
        let doc: Option<String> = self
            .conn
            .query_row(&sql, params_from_iter(args.iter()), |r| r.get(0))
            .optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// Each plot metric of `task` (only `metric` when given) with its first and last iteration.
    pub fn plot_metric_ranges(
        &self,
        task: &str,
        metric: Option<&str>,
    ) -> StoreResult<Vec<(String, i64, i64)>> {
        let mut args: Vec<SqlValue> = vec![task.to_string().into(), PLOT.to_string().into()];
        let mut cond = "task = ?1 AND type = ?2".to_string();
        if let Some(m) = metric {
            args.push(m.to_string().into());
            cond.push_str(" AND metric = ?3");
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT metric, MIN(coalesce(iter, 0)), MAX(coalesce(iter, 0)) FROM events WHERE {cond}
             GROUP BY metric ORDER BY metric"
        ))?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The plots of the first (iteration, metric) of `task` (descending when `desc`) within
    /// `bound`, of `metric` only when given; with `or_same_iter_metric = (iter, metric)` a
    /// later (earlier) metric of that same iteration also qualifies. Up to 100 plots, by
    /// variant.
    pub fn plot_step(
        &self,
        task: &str,
        metric: Option<&str>,
        bound: IterBound,
        or_same_iter_metric: Option<(i64, &str)>,
        desc: bool,
    ) -> StoreResult<Vec<Value>> {
        let mut args: Vec<SqlValue> = vec![task.to_string().into(), PLOT.to_string().into()];
        let mut cond = "task = ?1 AND type = ?2".to_string();
        if let Some(m) = metric {
            args.push(m.to_string().into());
            cond.push_str(&format!(" AND metric = ?{}", args.len()));
        }
        let mut iter_terms = Vec::new();
        if let Some((term, i)) = bound.sql() {
            args.push(i.into());
            iter_terms.push(term.replace('?', &format!("?{}", args.len())));
        }
        if let Some((i, m)) = or_same_iter_metric {
            args.push(i.into());
            args.push(m.to_string().into());
            let op = if desc { "<" } else { ">" };
            iter_terms.push(format!(
                "(iter = ?{} AND metric {op} ?{})",
                args.len() - 1,
                args.len()
            ));
        }
        if !iter_terms.is_empty() {
            cond.push_str(&format!(" AND ({})", iter_terms.join(" OR ")));
        }
        let dir = if desc { "DESC" } else { "ASC" };
        let first: Option<(Option<i64>, String)> = self
            .conn
            .query_row(
                &format!(
                    "SELECT iter, metric FROM events WHERE {cond} ORDER BY iter {dir}, metric {dir} LIMIT 1"
                ),
                params_from_iter(args.iter()),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((iter, metric)) = first else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM events WHERE task = ?1 AND type = ?2 AND iter IS ?3 AND metric = ?4
             ORDER BY variant, rid LIMIT 100",
        )?;
        let rows = stmt.query_map(rusqlite::params![task, PLOT, iter, metric], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for d in rows {
            out.push(serde_json::from_str(&d?)?);
        }
        Ok(out)
    }
}

/// A (metric, variant) a task reported debug images or plots for, with (for images whose
/// newest file was written more than once) the last iteration before that file's newest
/// one: events up to it show a file since overwritten.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VariantState {
    pub metric: String,
    pub variant: String,
    pub last_invalid: Option<i64>,
}

/// Metrics and their variants to read; no variants = all of the metric's.
pub type MetricSelection = [(String, Vec<String>)];

/// `kind`'s condition (images must have a URL) and the selection as one JSON parameter;
/// empty selection = everything.
fn kind_and_selection(
    kind_is_image: bool,
    selection: &MetricSelection,
    args: &mut Vec<SqlValue>,
) -> StoreResult<String> {
    let mut cond = String::new();
    if kind_is_image {
        cond.push_str(" AND json_extract(doc, '$.url') IS NOT NULL");
    }
    if !selection.is_empty() {
        args.push(serde_json::to_string(selection)?.into());
        cond.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM json_each(?{}) AS s WHERE s.value ->> 0 = metric
                AND (json_array_length(s.value -> 1) = 0
                     OR variant IN (SELECT value FROM json_each(s.value -> 1))))",
            args.len()
        ));
    }
    Ok(cond)
}

impl Store {
    /// The selected (metric, variant)s of `task`'s debug images (`images`) or plots, by
    /// metric and variant.
    pub fn event_variant_states(
        &self,
        task: &str,
        images: bool,
        selection: &MetricSelection,
    ) -> StoreResult<Vec<VariantState>> {
        let kind = if images { IMAGE } else { PLOT };
        let mut args: Vec<SqlValue> = vec![task.to_string().into(), kind.to_string().into()];
        let cond = format!(
            "task = ?1 AND type = ?2{}",
            kind_and_selection(images, selection, &mut args)?
        );
        // For images: of each variant's newest file (the URL written at the highest
        // iteration), the iteration it was written at before its last one.
        let sql = if images {
            format!(
                "WITH e AS (SELECT metric, variant, json_extract(doc, '$.url') AS url,
                        coalesce(iter, 0) AS it FROM events WHERE {cond}),
                 u AS (SELECT metric, variant, url, ROW_NUMBER() OVER (
                        PARTITION BY metric, variant ORDER BY MAX(it) DESC, url DESC) AS rn
                       FROM e GROUP BY metric, variant, url)
                 SELECT metric, variant, (SELECT e.it FROM e WHERE e.metric = u.metric
                        AND e.variant = u.variant AND e.url = u.url
                        ORDER BY e.it DESC LIMIT 1 OFFSET 1)
                 FROM u WHERE rn = 1 ORDER BY metric, variant"
            )
        } else {
            format!(
                "SELECT DISTINCT metric, variant, NULL FROM events WHERE {cond} ORDER BY metric, variant"
            )
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(VariantState {
                metric: r.get(0)?,
                variant: r.get(1)?,
                last_invalid: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `count` iterations (within `bound`, newest first when `desc`) of `task`'s
    /// debug images or plots of `metrics`, each with one event per metric and variant (the
    /// image with the greatest URL, the newest plot), by metric and variant.
    pub fn iteration_events(
        &self,
        task: &str,
        images: bool,
        metrics: &[String],
        bound: IterBound,
        desc: bool,
        count: usize,
    ) -> StoreResult<Vec<(i64, Vec<Value>)>> {
        let kind = if images { IMAGE } else { PLOT };
        let selection: Vec<(String, Vec<String>)> =
            metrics.iter().map(|m| (m.clone(), Vec::new())).collect();
        let mut args: Vec<SqlValue> = vec![task.to_string().into(), kind.to_string().into()];
        let mut cond = format!(
            "task = ?1 AND type = ?2{}",
            kind_and_selection(images, &selection, &mut args)?
        );
        if let Some((term, i)) = bound.sql() {
            args.push(i.into());
            cond.push_str(&format!(
                " AND {}",
                term.replace("iter", "coalesce(iter, 0)")
                    .replace('?', &format!("?{}", args.len()))
            ));
        }
        let dir = if desc { "DESC" } else { "ASC" };
        let iters: Vec<i64> = {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT DISTINCT coalesce(iter, 0) AS it FROM events WHERE {cond} ORDER BY it {dir} LIMIT {}",
                count.min(i64::MAX as usize)
            ))?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let pick = if images {
            "json_extract(doc, '$.url') DESC"
        } else {
            "ts DESC"
        };
        let it_param = args.len() + 1;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT doc FROM (SELECT doc, metric, variant, ROW_NUMBER() OVER (
                PARTITION BY metric, variant ORDER BY {pick}, rid DESC) AS rn
             FROM events WHERE {cond} AND coalesce(iter, 0) = ?{it_param})
             WHERE rn = 1 ORDER BY metric, variant"
        ))?;
        let mut out = Vec::new();
        for it in iters {
            let mut a = args.clone();
            a.push(it.into());
            let docs = stmt
                .query_map(params_from_iter(a.iter()), |r| r.get::<_, String>(0))?
                .map(|d| Ok(serde_json::from_str(&d?)?))
                .collect::<StoreResult<Vec<Value>>>()?;
            out.push((it, docs));
        }
        Ok(out)
    }
}

/// What "the last N iterations" of plots counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastItersPer {
    /// Each variant's own last N plots.
    Variant,
    /// The last N iterations each metric of a task has plots at.
    TaskMetric,
    /// The last N iterations a task has plots at.
    Task,
}

impl Store {
    /// The plots of `tasks` (of the selected metrics and variants; empty = all) in their
    /// last `n` iterations as `per` counts them, by task, metric, variant and iteration
    /// (newest first).
    pub fn last_plots(
        &self,
        tasks: &[String],
        selection: &MetricSelection,
        n: usize,
        per: LastItersPer,
    ) -> StoreResult<Vec<Value>> {
        self.last_iter_events(PLOT, tasks, selection, n, per)
    }

    /// `last_plots` for events of any `kind`.
    pub fn last_iter_events(
        &self,
        kind: &str,
        tasks: &[String],
        selection: &MetricSelection,
        n: usize,
        per: LastItersPer,
    ) -> StoreResult<Vec<Value>> {
        let mut args: Vec<SqlValue> = vec![
            serde_json::to_string(tasks)?.into(),
            kind.to_string().into(),
        ];
        let cond = format!(
            "task IN (SELECT value FROM json_each(?1)) AND type = ?2{}",
            kind_and_selection(false, selection, &mut args)?
        );
        let rank = match per {
            LastItersPer::Variant => {
                "ROW_NUMBER() OVER (PARTITION BY task, metric, variant ORDER BY iter DESC, rid DESC)"
            }
            LastItersPer::TaskMetric => {
                "DENSE_RANK() OVER (PARTITION BY task, metric ORDER BY iter DESC)"
            }
            LastItersPer::Task => "DENSE_RANK() OVER (PARTITION BY task ORDER BY iter DESC)",
        };
        let sql = format!(
            "SELECT doc FROM (SELECT doc, task, metric, variant, iter, rid, {rank} AS r
                FROM events WHERE {cond})
             WHERE r <= {} ORDER BY task, metric, variant, iter DESC, rid DESC",
            n.min(i64::MAX as usize)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for d in rows {
            out.push(serde_json::from_str(&d?)?);
        }
        Ok(out)
    }
}

/// Where a page of a task's log starts and which way it runs.
#[derive(Debug, Clone, Copy)]
pub struct LogPage<'a> {
    pub task: &'a str,
    pub selection: &'a MetricSelection,
    /// Only events strictly before (`earlier`) or after this timestamp (ms).
    pub from_ts: Option<i64>,
    pub earlier: bool,
    pub batch: usize,
}

pub struct IterPage<'a> {
    pub task: &'a str,
    pub kind: Option<&'a str>,
    pub selection: &'a MetricSelection,
    /// Only events strictly before (`earlier`) or after this iteration.
    pub from: Option<i64>,
    pub earlier: bool,
    pub batch: usize,
}

impl Store {
    /// A page of log events, newest first when `earlier`: `batch` events plus any more
    /// with the last one's timestamp (so that a page boundary never splits a timestamp),
    /// and how many log events the task has (of the selected metrics) in all.
    pub fn log_page(&self, page: LogPage) -> StoreResult<(Vec<Value>, usize)> {
        let mut args: Vec<SqlValue> = vec![page.task.to_string().into(), "log".to_string().into()];
        let cond = format!(
            "task = ?1 AND type = ?2{}",
            kind_and_selection(false, page.selection, &mut args)?
        );
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM events WHERE {cond}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let events = self.keyed_page(&cond, args, "ts", page.from_ts, page.earlier, page.batch)?;
        Ok((events, total as usize))
    }

    /// A page of a task's events (of `kind`, `None` = all) by iteration (a missing one
    /// counts as 0), as the real server's get_task_events: `batch` events after (before,
    /// when `earlier`) iteration `from`, plus any more at the last one's iteration.
    pub fn iter_page(&self, page: IterPage) -> StoreResult<Vec<Value>> {
        let (cond, args) = Self::task_events_cond(page.task, page.kind, page.selection)?;
        self.keyed_page(
            &cond,
            args,
            "coalesce(iter, 0)",
            page.from,
            page.earlier,
            page.batch,
        )
    }

    /// How many events of `kind` (`None` = all) and the selected metrics a task has.
    pub fn count_task_events(
        &self,
        task: &str,
        kind: Option<&str>,
        selection: &MetricSelection,
    ) -> StoreResult<usize> {
        let (cond, args) = Self::task_events_cond(task, kind, selection)?;
        let n: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM events WHERE {cond}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    fn task_events_cond(
        task: &str,
        kind: Option<&str>,
        selection: &MetricSelection,
    ) -> StoreResult<(String, Vec<SqlValue>)> {
        let mut args: Vec<SqlValue> = vec![task.to_string().into()];
        let mut cond = "task = ?1".to_string();
        if let Some(k) = kind {
            args.push(k.to_string().into());
            cond.push_str(&format!(" AND type = ?{}", args.len()));
        }
        cond.push_str(&kind_and_selection(false, selection, &mut args)?);
        Ok((cond, args))
    }

    /// Events matching `cond` ordered by `key` (then insertion) descending when `earlier`:
    /// `batch` of them strictly past `from`, then the rest of those sharing the last one's
    /// key, so that a page boundary never splits a key value.
    fn keyed_page(
        &self,
        cond: &str,
        mut args: Vec<SqlValue>,
        key: &str,
        from: Option<i64>,
        earlier: bool,
        batch: usize,
    ) -> StoreResult<Vec<Value>> {
        let (dir, op) = if earlier { ("DESC", "<") } else { ("ASC", ">") };
        let mut page_args = args.clone();
        let mut page_cond = cond.to_string();
        if let Some(from) = from {
            page_args.push(from.into());
            page_cond.push_str(&format!(" AND {key} {op} ?{}", page_args.len()));
        }
        let mut events = Vec::new();
        let mut last: Option<(i64, i64)> = None;
        {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT rid, {key}, doc FROM events WHERE {page_cond} ORDER BY {key} {dir}, rid {dir} LIMIT {}",
                batch.min(i64::MAX as usize)
            ))?;
            let rows = stmt.query_map(params_from_iter(page_args.iter()), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (rid, k, doc) = row?;
                last = Some((k, rid));
                events.push(serde_json::from_str(&doc)?);
            }
        }
        if let Some((k, rid)) = last {
            args.push(k.into());
            args.push(rid.into());
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT doc FROM events WHERE {cond} AND {key} = ?{} AND rid {op} ?{} ORDER BY rid {dir}",
                args.len() - 1,
                args.len()
            ))?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?;
            for d in rows {
                events.push(serde_json::from_str(&d?)?);
            }
        }
        Ok(events)
    }

    /// Delete a task's log events older than `before_ts` (all when `None`), of `include`
    /// metrics only when given, keeping those of `exclude`; returns how many went.
    pub fn clear_log(
        &self,
        task: &str,
        before_ts: Option<i64>,
        include: &[String],
        exclude: &[String],
    ) -> StoreResult<usize> {
        let mut args: Vec<SqlValue> = vec![task.to_string().into()];
        let mut cond = "task = ?1 AND type = 'log'".to_string();
        if let Some(ts) = before_ts {
            args.push(ts.into());
            cond.push_str(&format!(" AND ts < ?{}", args.len()));
        }
        for (list, not) in [(include, ""), (exclude, "NOT ")] {
            if !list.is_empty() {
                args.push(serde_json::to_string(list)?.into());
                cond.push_str(&format!(
                    " AND {not}metric IN (SELECT value FROM json_each(?{}))",
                    args.len()
                ));
            }
        }
        Ok(self.conn.execute(
            &format!("DELETE FROM events WHERE {cond}"),
            params_from_iter(args.iter()),
        )?)
    }
}
