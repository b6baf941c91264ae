//! The database layout: tables, indexes, columns added to older files, the schema version
//! (`PRAGMA user_version`) and the SQL functions queries use.

use super::documents::{COLUMNS, Coll};
use super::error::{StoreError, StoreResult};
use regex::Regex;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use std::path::Path;
use std::sync::Arc;

/// The layout of the database this build writes (`PRAGMA user_version`). Raise it when a
/// change would confuse an older build reading the file; a build refuses a database of a
/// higher version instead of misreading it. 0 = written before versions were recorded
/// (same layout as 1; `open` brings it up to date).
/// 2: the `started` and `completed` columns (filled from the documents on open; an older
/// build would leave them stale, so it must not open the file).
/// 3: `scalar_buckets` and the triggers that keep it (counted from the events on open;
/// an older build would not know to keep them).
pub const SCHEMA_VERSION: i64 = 3;

/// Columns with an index.
const INDEXED: &[&str] = &[
    "project",
    "status",
    "name",
    "created",
    "last_update",
    "parent",
];

/// `events_key` holds every column the scalar reads select (`store::events::SCALARS`),
/// so a chart's rows come from the index alone, without a lookup of each row in the
/// table (a compare of 100 experiments reads 150,000). It replaced `events_task`
/// (task, type, metric, variant, iter), whose queries it serves as well; an older build
/// opening the file creates that one again beside it, which is harmless.
const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    access_key TEXT PRIMARY KEY, secret_key TEXT NOT NULL, label TEXT,
    created TEXT NOT NULL, last_used TEXT);
CREATE TABLE IF NOT EXISTS events (
    rid INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL, type TEXT NOT NULL,
    metric TEXT NOT NULL DEFAULT '', variant TEXT NOT NULL DEFAULT '', iter INTEGER,
    ts INTEGER NOT NULL, value REAL, doc TEXT NOT NULL);
DROP INDEX IF EXISTS events_task;
CREATE INDEX IF NOT EXISTS events_key ON events(task, type, metric, variant, iter, ts, value);
CREATE TABLE IF NOT EXISTS activity (
    rid INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, ts INTEGER NOT NULL,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS activity_kind ON activity(kind, rid);
"#;

/// Refuse a database written by a newer build, before anything in it is changed.
pub(super) fn check_version(conn: &Connection, path: &Path) -> StoreResult<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Create what is missing, bring older layouts up to date and record the version.
pub(super) fn migrate(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(TABLES)?;
    for c in Coll::ALL {
        conn.execute_batch(&collection_schema(c.table()))?;
        add_missing_columns(conn, c.table())?;
        conn.execute_batch(&collection_indexes(c.table()))?;
    }
    super::scalar_buckets::migrate(conn)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(())
}

fn collection_schema(table: &str) -> String {
    let columns: String = COLUMNS[1..].iter().map(|c| format!(", {c} TEXT")).collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (
            rid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE{columns},
            doc TEXT NOT NULL);"
    )
}

/// Indexes come after `add_missing_columns`, so older databases have the columns first.
fn collection_indexes(table: &str) -> String {
    let mut sql: String = INDEXED
        .iter()
        .map(|c| format!("CREATE INDEX IF NOT EXISTS {table}_{c} ON {table}({c});"))
        .collect();
    // The listings' usual order, `-last_update` with empties last, in the very order the
    // query asks for (empty flag ASC, last_update DESC, then rowid ASC): every page reads
    // the index up to its offset instead of sorting every match (13 ms a page of 10,000
    // tasks before, under 1 ms for the first page after).
    let empty = super::filter::empty_expr("last_update");
    sql.push_str(&format!(
        "CREATE INDEX IF NOT EXISTS {table}_listing ON {table}({empty}, last_update DESC);"
    ));
    sql
}

/// Columns added after a database was first created are added and filled from the documents.
fn add_missing_columns(conn: &Connection, table: &str) -> rusqlite::Result<()> {
    let existing: Vec<String> = conn
        .prepare(&format!("PRAGMA table_info({table})"))?
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<Result<_, _>>()?;
    for c in COLUMNS.iter().filter(|c| !existing.iter().any(|e| e == *c)) {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {c} TEXT"))?;
        // json_extract gives arrays back as JSON text, which is what the array columns hold.
        conn.execute_batch(&format!(
            "UPDATE {table} SET {c} = json_extract(doc, '$.{c}')"
        ))?;
    }
    Ok(())
}

/// SQL function giving a text a sort key in which runs of digits order by their numeric
/// value ("9" before "10"), as the real server's numeric-ordering collation does for
/// parameters, metrics and metadata. Values other than text are returned unchanged.
pub(super) const NATURAL_KEY_FN: &str = "clearml_natural";

/// The sort key: each digit run (leading zeros dropped) is prefixed with its length as
/// three digits, so longer numbers sort after shorter ones and equal lengths compare
/// digit by digit; other characters stay as they are.
pub fn natural_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut run = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                run.push(d);
                chars.next();
            }
            let digits = run.trim_start_matches('0');
            out.push_str(&format!("{:03}{digits}", digits.len().min(999)));
        } else {
            out.push(c);
            chars.next();
        }
    }
    out
}

/// `clearml_natural(text)` (see `natural_key`) and `clearml_regexp(pattern, text)`
/// (Python-style search semantics).
pub(super) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        NATURAL_KEY_FN,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Text(t) => {
                    rusqlite::types::Value::Text(natural_key(&String::from_utf8_lossy(t)))
                }
                other => rusqlite::types::Value::from(other),
            })
        },
    )?;
    conn.create_scalar_function(
        "clearml_regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let re: Arc<Regex> = ctx.get_or_create_aux(
                0,
                |vr| -> Result<Regex, Box<dyn std::error::Error + Send + Sync>> {
                    // Checked when the request was read; compiled under the same bounds.
                    Ok(crate::limits::client_regex(vr.as_str()?)?)
                },
            )?;
            let text = match ctx.get_raw(1) {
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Null => return Ok(false),
                other => match other {
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    rusqlite::types::ValueRef::Real(f) => f.to_string(),
                    _ => return Ok(false),
                },
            };
            Ok(re.is_match(&text))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::natural_key;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut v = vec!["10", "9", "1.5", "abc", "007", "1.10", "x2", "x10"];
        v.sort_by_key(|a| natural_key(a));
        assert_eq!(v, ["1.5", "1.10", "007", "9", "10", "abc", "x2", "x10"]);
    }
}
