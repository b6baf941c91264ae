//! Aggregates over a project's contents for `projects.get_all_ex`: task statistics per
//! project and status, and documents counted per project, each one SQL statement (the
//! listing used to read and parse every task of every listed project on each call).

use super::Store;
use super::documents::Coll;
use super::error::StoreResult;
use super::filter::SqlFilter;
use std::collections::HashMap;

/// The tasks of one project in one status.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusGroup {
    pub project: String,
    /// `None`: the task has no status.
    pub status: Option<String>,
    pub tasks: i64,
    /// Sum over the tasks of whole seconds from `started` to `completed` (when both are
    /// set and completed is later).
    pub runtime_secs: i64,
    /// Tasks completed after the `since` given (epoch milliseconds).
    pub completed_since: i64,
    /// The latest `started`, as stored.
    pub last_started: Option<String>,
}

/// Epoch milliseconds of an ISO time held in the column `field` (NULL when missing or not
/// a time). `strftime('%f')` is `SS.SSS`: its last three digits are the milliseconds.
fn epoch_ms(field: &str) -> String {
    let x = field;
    format!(
        "(CAST(strftime('%s', {x}) AS INTEGER) * 1000 + CAST(substr(strftime('%f', {x}), 4, 3) AS INTEGER))"
    )
}

/// The indexed reference columns `count_by` groups on.
#[derive(Debug, Clone, Copy)]
pub enum CountBy {
    /// A task's or model's project.
    Project,
    /// A project's parent project.
    Parent,
}

impl Store {
    /// Tasks matching `filter` grouped by project and status.
    pub fn task_status_groups(
        &self,
        filter: &SqlFilter,
        since_ms: i64,
    ) -> StoreResult<Vec<StatusGroup>> {
        let (started, completed) = (epoch_ms("started"), epoch_ms("completed"));
        let sql = format!(
            "SELECT project, status, COUNT(*),
                SUM(CASE WHEN s IS NOT NULL AND c IS NOT NULL AND c > s THEN (c - s) / 1000 ELSE 0 END),
                SUM(CASE WHEN c > {since_ms} AND coalesce(status, '') NOT IN ('queued', 'in_progress', 'failed') THEN 1 ELSE 0 END),
                MAX(started)
             FROM (SELECT project, status, {started} AS s, {completed} AS c,
                          started
                   FROM tasks WHERE project IS NOT NULL AND {})
             GROUP BY project, status",
            filter.sql()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(filter.params()), |r| {
            Ok(StatusGroup {
                project: r.get(0)?,
                status: r.get(1)?,
                tasks: r.get(2)?,
                runtime_secs: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                completed_since: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                last_started: r.get::<_, Option<String>>(5).unwrap_or(None),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many documents of `coll` matching `filter` hold each value of `column`;
    /// documents without one are left out.
    pub fn count_by(
        &self,
        coll: Coll,
        filter: &SqlFilter,
        column: CountBy,
    ) -> StoreResult<HashMap<String, i64>> {
        let column = match column {
            CountBy::Project => "project",
            CountBy::Parent => "parent",
        };
        let sql = format!(
            "SELECT {column}, COUNT(*) FROM {} WHERE {column} IS NOT NULL AND {} GROUP BY {column}",
            coll.table(),
            filter.sql()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(filter.params()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
