//! The document collections (tasks, projects, models, queues): one table each, holding the
//! document as JSON plus indexed columns for the common filters. Queries that read these
//! tables go here.

use super::Store;
use super::error::{StoreError, StoreResult};
use super::filter::{Order, SqlFilter};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

/// The document collections, each a table of the same shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coll {
    Tasks,
    Projects,
    Models,
    Queues,
}

impl Coll {
    pub const ALL: [Coll; 4] = [Coll::Tasks, Coll::Projects, Coll::Models, Coll::Queues];

    pub fn table(self) -> &'static str {
        match self {
            Coll::Tasks => "tasks",
            Coll::Projects => "projects",
            Coll::Models => "models",
            Coll::Queues => "queues",
        }
    }
}

/// Document fields mirrored into real columns (indexed); everything else is read with
/// `json_extract` from the `doc` column.
pub(super) const COLUMNS: &[&str] = &[
    "id",
    "name",
    "project",
    "status",
    "created",
    "last_update",
    "type",
    "user",
    "parent",
    "tags",
    "system_tags",
    // A task's run times: the project statistics sum and compare them over every task of
    // a project, which read from the documents took 4 ms for 1,000 tasks.
    "started",
    "completed",
];
/// Columns holding a JSON array (membership tests run `json_each` on the small column,
/// not on the whole document).
pub(super) const ARRAY_COLUMNS: &[&str] = &["tags", "system_tags"];

impl Store {
    pub fn get(&self, coll: Coll, id: &str) -> StoreResult<Option<Value>> {
        let sql = format!("SELECT doc FROM {} WHERE id = ?1", coll.table());
        let text: Option<String> = self.conn.query_row(&sql, [id], |r| r.get(0)).optional()?;
        Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
    }

    /// Insert or replace a document (by its `id`).
    pub fn put(&self, coll: Coll, doc: &Value) -> StoreResult<()> {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .ok_or(StoreError::NoId)?;
        let mut values: Vec<SqlValue> = vec![SqlValue::Text(id.to_string())];
        for c in &COLUMNS[1..] {
            values.push(match doc.get(*c) {
                Some(Value::String(s)) => SqlValue::Text(s.clone()),
                Some(v @ Value::Array(_)) if ARRAY_COLUMNS.contains(c) => {
                    SqlValue::Text(v.to_string())
                }
                _ => SqlValue::Null,
            });
        }
        values.push(SqlValue::Text(doc.to_string()));
        let names = COLUMNS.join(", ");
        let marks: Vec<String> = (1..=COLUMNS.len() + 1).map(|i| format!("?{i}")).collect();
        let updates: Vec<String> = COLUMNS[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({names}, doc) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}, doc = excluded.doc",
            coll.table(),
            marks.join(", "),
            updates.join(", ")
        );
        self.conn
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(values.iter()))?;
        Ok(())
    }

    pub fn delete(&self, coll: Coll, id: &str) -> StoreResult<bool> {
        let sql = format!("DELETE FROM {} WHERE id = ?1", coll.table());
        Ok(self.conn.execute(&sql, [id])? > 0)
    }

    /// Documents matching `filter`, ordered and limited.
    pub fn select(
        &self,
        coll: Coll,
        filter: &SqlFilter,
        order: &Order,
        limit: Option<usize>,
        offset: usize,
    ) -> StoreResult<Vec<Value>> {
        self.select_keys(coll, filter, order, limit, offset, None)
    }

    /// [`Store::select`] reading only the top-level fields `keys` of each document (all
    /// when `None`): the rest of the stored text is skipped over, not built into values. A
    /// listing that shows a few fields of large tasks parses a small part of each.
    pub fn select_keys(
        &self,
        coll: Coll,
        filter: &SqlFilter,
        order: &Order,
        limit: Option<usize>,
        offset: usize,
        keys: Option<&[String]>,
    ) -> StoreResult<Vec<Value>> {
        // One read transaction for the whole page: outside one, each of a later page's
        // 500 row reads took and released SQLite's file locks (four fcntl calls each, a
        // sixth of a page's CPU), and the page's documents come from one snapshot.
        self.in_read_tx(|| {
            let table = coll.table();
            let order = order.sql();
            let matches = format!(
                "SELECT rid FROM {table} WHERE {} ORDER BY {order}",
                filter.sql()
            );
            // Past the first page, the page is a slice of every match's id in order, read once
            // for all the pages of this query (`listing_cache`).
            if let (Some(limit), true, Some(cache)) = (limit, offset > 0, &self.listing) {
                let key = format!("{matches}\u{0}{:?}", filter.params().collect::<Vec<_>>());
                let read = || self.match_ids(&matches, filter).ok();
                if let Some(ids) = cache.ids(key, read) {
                    let page = ids.iter().skip(offset).take(limit);
                    return self.docs_by_rid(table, page, keys);
                }
            }
            // The page is picked by row id first and the documents read after: sorting whole
            // documents made SQLite carry every match's document through the sort (spilling to
            // temporary files) for each page. `order` ends with `rid`, so both sorts agree.
            let mut page = matches;
            // Bound, not written into the text: every page of a listing reuses one prepared
            // statement (preparing it again cost about 5% of a page).
            let mut paging = Vec::new();
            if let Some(l) = limit {
                // SQLite takes signed 64-bit values: absurd page numbers just find nothing.
                let cap = i64::MAX as usize;
                page.push_str(" LIMIT ? OFFSET ?");
                paging = vec![
                    rusqlite::types::Value::Integer(l.min(cap) as i64),
                    rusqlite::types::Value::Integer(offset.min(cap) as i64),
                ];
            }
            let sql = format!("SELECT doc FROM {table} WHERE rid IN ({page}) ORDER BY {order}");
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(
                filter.params().chain(paging.iter()),
            ))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(parse_doc(doc_text(row)?, keys)?);
            }
            Ok(out)
        })
    }

    /// `read` in a transaction of its own, unless one is open (a handler's write
    /// transaction, whose writes it then sees).
    fn in_read_tx<T>(&self, read: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
        if !self.conn.is_autocommit() {
            return read();
        }
        let tx = self.conn.unchecked_transaction()?;
        let out = read()?;
        tx.commit()?;
        Ok(out)
    }

    /// The row ids of every match of `matches` (a `SELECT rid ... ORDER BY`), in order.
    fn match_ids(&self, matches: &str, filter: &SqlFilter) -> StoreResult<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(matches)?;
        let ids = stmt.query_map(rusqlite::params_from_iter(filter.params()), |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The documents of these row ids, in this order (one deleted since is left out).
    fn docs_by_rid<'a>(
        &self,
        table: &str,
        ids: impl Iterator<Item = &'a i64>,
        keys: Option<&[String]>,
    ) -> StoreResult<Vec<Value>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT doc FROM {table} WHERE rid = ?1"))?;
        let mut out = Vec::new();
        for id in ids {
            // Parsed from SQLite's own copy of the text: no String per row.
            let mut rows = stmt.query([id])?;
            if let Some(row) = rows.next()? {
                out.push(parse_doc(doc_text(row)?, keys)?);
            }
        }
        Ok(out)
    }

    /// All documents matching `filter`, in insertion order.
    pub fn select_all(&self, coll: Coll, filter: &SqlFilter) -> StoreResult<Vec<Value>> {
        self.select(coll, filter, &Order::insertion(), None, 0)
    }

    /// The first document (in insertion order) matching `filter`.
    pub fn find_one(&self, coll: Coll, filter: &SqlFilter) -> StoreResult<Option<Value>> {
        Ok(self
            .select(coll, filter, &Order::insertion(), Some(1), 0)?
            .into_iter()
            .next())
    }

    pub fn count(&self, coll: Coll, filter: &SqlFilter) -> StoreResult<usize> {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {}",
            coll.table(),
            filter.sql()
        );
        let n: i64 =
            self.conn
                .query_row(&sql, rusqlite::params_from_iter(filter.params()), |r| {
                    r.get(0)
                })?;
        Ok(n as usize)
    }

    /// Ids of the projects whose full name starts with `prefix` (case-sensitive).
    pub fn project_ids_with_prefix(&self, prefix: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM projects WHERE substr(name, 1, ?1) = ?2")?;
        let rows = stmt.query_map(params![prefix.chars().count() as i64, prefix], |r| {
            r.get::<_, String>(0)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// (id, name) of every project below `name` (`name/...`), by name. SQL `LIKE`, so ASCII
    /// letters match regardless of case.
    pub fn sub_projects(&self, name: &str) -> StoreResult<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name FROM projects WHERE name LIKE ?1 ESCAPE '\\' ORDER BY name",
        )?;
        let pattern = format!(
            "{}/%",
            name.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = stmt.query_map([pattern], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// (status, count) of a project's tasks that are not archived; `None` = no status.
    pub fn task_status_counts(&self, project: &str) -> StoreResult<Vec<(Option<String>, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, COUNT(*) FROM tasks WHERE project = ?1 AND NOT EXISTS (SELECT 1 FROM json_each(system_tags) WHERE value = 'archived') GROUP BY status")?;
        let rows = stmt.query_map([project], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The `doc` text of a row (its first column), borrowed from SQLite.
fn doc_text<'r>(row: &'r rusqlite::Row<'_>) -> StoreResult<&'r str> {
    Ok(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)
}

/// A stored document, whole or only its top-level fields `keys`.
fn parse_doc(text: &str, keys: Option<&[String]>) -> StoreResult<Value> {
    Ok(match keys {
        Some(keys) => super::partial::parse_keys(text, keys)?,
        None => serde_json::from_str(text)?,
    })
}
