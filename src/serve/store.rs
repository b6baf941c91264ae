//! SQLite storage: one table per collection (tasks, projects, models, queues) holding each
//! document as JSON plus indexed columns for the common filters, and an events table.
//! Nothing is cached in memory beyond SQLite's own page cache, so RSS stays flat as data grows.

mod ui;
pub use ui::ProjectActivity;

use super::envelope::ApiError;
use regex::Regex;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The document collections, each a table of the same shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coll {
    Tasks,
    Projects,
    Models,
    Queues,
}

impl Coll {
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
pub const COLUMNS: &[&str] = &[
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
];
/// Columns holding a JSON array (membership tests run `json_each` on the small column,
/// not on the whole document).
pub const ARRAY_COLUMNS: &[&str] = &["tags", "system_tags"];
/// Columns with an index.
const INDEXED: &[&str] = &[
    "project",
    "status",
    "name",
    "created",
    "last_update",
    "parent",
];

pub struct Store {
    pub conn: Connection,
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    access_key TEXT PRIMARY KEY, secret_key TEXT NOT NULL, label TEXT,
    created TEXT NOT NULL, last_used TEXT);
CREATE TABLE IF NOT EXISTS events (
    rid INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL, type TEXT NOT NULL,
    metric TEXT NOT NULL DEFAULT '', variant TEXT NOT NULL DEFAULT '', iter INTEGER,
    ts INTEGER NOT NULL, value REAL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_task ON events(task, type, metric, variant, iter);
"#;

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
    INDEXED
        .iter()
        .map(|c| format!("CREATE INDEX IF NOT EXISTS {table}_{c} ON {table}({c});"))
        .collect()
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

/// The database holds the token-signing key: owner-only, like everything else in the data
/// dir. Created 0600 when missing (SQLite gives its -wal and -shm files the database's
/// mode); an existing database and its -wal/-shm are set to 0600.
pub fn make_private(db: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(db)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", db.display()))?;
    let with_suffix = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    for path in [db.to_path_buf(), with_suffix("-wal"), with_suffix("-shm")] {
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| anyhow::anyhow!("cannot make {} private: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The layout of the database this build writes (`PRAGMA user_version`). Raise it when a
/// change would confuse an older build reading the file; a build refuses a database of a
/// higher version instead of misreading it. 0 = written before versions were recorded
/// (same layout as 1; `open` brings it up to date).
pub const SCHEMA_VERSION: i64 = 1;

impl Store {
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let conn = Connection::open(path)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            anyhow::bail!(
                "{} was written by a newer clearml (database schema {found}; this build knows up to {SCHEMA_VERSION}): upgrade clearml, or give serve another --data-dir",
                path.display()
            );
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        // Keep SQLite's page cache small (negative = KiB): RSS goal is tens of MiB.
        conn.pragma_update(None, "cache_size", -8000)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        for c in [Coll::Tasks, Coll::Projects, Coll::Models, Coll::Queues] {
            conn.execute_batch(&collection_schema(c.table()))?;
            add_missing_columns(&conn, c.table())?;
            conn.execute_batch(&collection_indexes(c.table()))?;
        }
        register_functions(&conn)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Store { conn })
    }

    /// A read-only connection to a database `open` has set up (WAL, schema).
    pub fn open_reader(path: &Path) -> anyhow::Result<Store> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Smaller than the writer's: several readers may be open at once.
        conn.pragma_update(None, "cache_size", -4000)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        register_functions(&conn)?;
        Ok(Store { conn })
    }

    pub fn meta_get(&self, key: &str) -> Result<Option<String>, ApiError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn meta_set(&self, key: &str, value: &str) -> Result<(), ApiError> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn get(&self, coll: Coll, id: &str) -> Result<Option<Value>, ApiError> {
        let sql = format!("SELECT doc FROM {} WHERE id = ?1", coll.table());
        let text: Option<String> = self.conn.query_row(&sql, [id], |r| r.get(0)).optional()?;
        text.map(|t| serde_json::from_str(&t).map_err(ApiError::internal))
            .transpose()
    }

    /// Insert or replace a document (by its `id`).
    pub fn put(&self, coll: Coll, doc: &Value) -> Result<(), ApiError> {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::internal("document without id"))?;
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

    pub fn delete(&self, coll: Coll, id: &str) -> Result<bool, ApiError> {
        let sql = format!("DELETE FROM {} WHERE id = ?1", coll.table());
        Ok(self.conn.execute(&sql, [id])? > 0)
    }

    /// Documents matching `filter`, ordered and limited.
    pub fn select(
        &self,
        coll: Coll,
        filter: &SqlFilter,
        order: &str,
        limit: Option<usize>,
        offset: usize,
    ) -> Result<Vec<Value>, ApiError> {
        // The page is picked by row id first and the documents read after: sorting whole
        // documents made SQLite carry every match's document through the sort (spilling to
        // temporary files) for each page. `order` ends with `rid`, so both sorts agree.
        let table = coll.table();
        let mut page = format!(
            "SELECT rid FROM {table} WHERE {} ORDER BY {order}",
            filter.sql()
        );
        if let Some(l) = limit {
            // SQLite takes signed 64-bit values: absurd page numbers just find nothing.
            let cap = i64::MAX as usize;
            page.push_str(&format!(" LIMIT {} OFFSET {}", l.min(cap), offset.min(cap)));
        }
        let sql = format!("SELECT doc FROM {table} WHERE rid IN ({page}) ORDER BY {order}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?).map_err(ApiError::internal)?);
        }
        Ok(out)
    }

    pub fn count(&self, coll: Coll, filter: &SqlFilter) -> Result<usize, ApiError> {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {}",
            coll.table(),
            filter.sql()
        );
        let n: i64 = self.conn.query_row(
            &sql,
            rusqlite::params_from_iter(filter.params.iter()),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// End a transaction a panicking handler left open (the next `BEGIN` would fail).
    pub fn rollback_abandoned(&self) {
        if !self.conn.is_autocommit() {
            tracing::warn!("rolling back a transaction left open by a failed request");
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Run `f` in one transaction (commit on Ok, roll back on Err).
    pub fn tx<T>(&mut self, f: impl FnOnce(&Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// A WHERE clause under construction: AND-ed terms with positional parameters.
#[derive(Default, Debug, Clone)]
pub struct SqlFilter {
    pub terms: Vec<String>,
    pub params: Vec<SqlValue>,
}

impl SqlFilter {
    pub fn sql(&self) -> String {
        if self.terms.is_empty() {
            "1".to_string()
        } else {
            self.terms.join(" AND ")
        }
    }
    /// Add a term; `?` placeholders in it take the given params in order.
    pub fn add(&mut self, term: String, params: Vec<SqlValue>) {
        self.terms.push(term);
        self.params.extend(params);
    }
    pub fn eq(mut self, field: &str, value: &str) -> Self {
        self.add(
            format!("{} = ?", field_expr(field)),
            vec![SqlValue::Text(value.into())],
        );
        self
    }
}

/// SQL expression for a (possibly dotted) document field.
pub fn field_expr(field: &str) -> String {
    if COLUMNS.contains(&field) {
        return field.to_string();
    }
    let path: String = field
        .split('.')
        .map(|p| format!(".\"{}\"", p.replace(['"', '\0'], "")))
        .collect();
    format!("json_extract(doc, '${}')", path.replace('\'', "''"))
}

/// `clearml_regexp(pattern, text)` (Python-style search semantics) and helpers.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "clearml_regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let re: Arc<Regex> = ctx.get_or_create_aux(
                0,
                |vr| -> Result<Regex, Box<dyn std::error::Error + Send + Sync>> {
                    Ok(Regex::new(vr.as_str()?)?)
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
    use super::*;
    use serde_json::json;

    #[test]
    fn older_databases_get_the_new_columns_filled_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE tasks (rid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                 name TEXT, project TEXT, status TEXT, created TEXT, last_update TEXT, doc TEXT NOT NULL);",
            )
            .unwrap();
            let doc =
                json!({"id": "t1", "name": "old", "system_tags": ["archived"], "type": "testing"});
            conn.execute(
                "INSERT INTO tasks (id, name, doc) VALUES ('t1', 'old', ?1)",
                [doc.to_string()],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let mut f = SqlFilter::default();
        crate::serve::query::add_list_filter(&mut f, "system_tags", &json!(["archived"]));
        assert_eq!(store.count(Coll::Tasks, &f).unwrap(), 1);
        let f = SqlFilter::default().eq("type", "testing");
        assert_eq!(store.count(Coll::Tasks, &f).unwrap(), 1);
        // And writes keep working through the migrated table.
        store
            .put(
                Coll::Tasks,
                &json!({"id": "t2", "name": "new", "tags": ["x"]}),
            )
            .unwrap();
        assert_eq!(
            store.get(Coll::Tasks, "t2").unwrap().unwrap()["tags"],
            json!(["x"])
        );
    }

    #[test]
    fn the_schema_version_is_recorded_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.sqlite");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = Store::open(&path)
            .err()
            .expect("a newer schema is refused")
            .to_string();
        assert!(err.contains("written by a newer clearml"), "{err}");
        assert!(err.contains("--data-dir"), "{err}");
        // Refused without being changed: the version stays the newer one.
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION + 1);
    }
}
