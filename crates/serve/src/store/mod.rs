//! SQLite storage, and the only place in the server that runs SQL: the connection is
//! private to this module, services call the methods below and get `StoreError`s back.
//! Nothing is cached in memory beyond SQLite's own page cache and the bounded order of the
//! listings being paged through (`listing_cache`), so RSS stays flat as data grows.
//!
//! One submodule per concern; a new query goes into the submodule of the table it reads,
//! as an `impl Store` method taking and returning plain Rust values (not SQL text):
//! - `documents`: the collections (tasks, projects, models, queues): get/put/delete,
//!   select/count by filter, and queries over their columns (project names, status counts);
//! - `filter`: `SqlFilter` / `Order`, the WHERE and ORDER BY a caller describes with typed
//!   calls (the get_all query language in `serve::query` translates requests into these);
//! - `events`: the events table (scalars, logs, plots, debug images);
//! - `event_keys`: event queries by metric and variant across tasks, and replacing an
//!   event reported again under the same key;
//! - `event_samples`: stepping through debug images and plots (one sample at a time, or
//!   pages of iterations);
//! - `credentials`: key pairs made through `auth.create_credentials`;
//! - `admin`: whole-database administration: moving stored file links to another file
//!   server prefix (`server rehost`), what uses the space (`server usage`);
//! - `activity_log`: workers' machine statistics and queue samples (bounded);
//! - `listing_cache`: the row ids of a paged listing's matches, shared by the readers
//!   between its pages;
//! - `meta`: server-wide values (company, token key);
//! - `project_stats`: aggregates over projects' contents (task statistics, counts per
//!   project) for `projects.get_all_ex`;
//! - `scalar_buckets`: every scalar series also as buckets of 2^level iterations (count,
//!   sum, min, max), kept by triggers, for charts of long series;
//! - `ui`: figures only the web UI shows (per-project model counts, last task update);
//! - `schema`: tables, indexes, migrations of older files, `SCHEMA_VERSION`, SQL functions.
//!
//! A new table gets its own submodule and its DDL in `schema` (raise `SCHEMA_VERSION` when
//! an older build would misread the file).

mod activity_log;
mod admin;
mod credentials;
mod documents;
mod error;
mod event_keys;
mod event_samples;
mod events;
mod filter;
mod listing_cache;
mod meta;
mod partial;
mod project_stats;
mod scalar_buckets;
mod schema;
mod ui;

pub use admin::{KINDS as REHOST_KINDS, rewrite_prefix};
pub use documents::Coll;
pub use error::{StoreError, StoreResult};
pub use event_samples::{IterBound, IterPage, LastItersPer, LogPage, VariantRange, VariantState};
pub use events::{EventOrder, EventSelect, NewEvent};
pub use filter::{Cmp, ListCond, Order, SqlFilter};
pub use listing_cache::ListingCache;
pub use project_stats::{CountBy, StatusGroup};
pub use scalar_buckets::{Bucket, LEVELS as SCALAR_LEVELS};
pub use schema::SCHEMA_VERSION;
pub use schema::natural_key;
pub use ui::ProjectActivity;

use rusqlite::Connection;
use std::path::Path;

pub struct Store {
    conn: Connection,
    /// Reader connections share the order of the listings being paged through.
    listing: Option<std::sync::Arc<ListingCache>>,
    /// Scalar buckets of the events inserted in the open transaction, written at its
    /// commit (`scalar_buckets`): one write per bucket instead of one per event and level.
    pending: std::cell::RefCell<scalar_buckets::Pending>,
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

/// The layout version of an existing database written by an older build, which opening
/// it will bring up to date (`None` for a new, current or unreadable file: `open` reports
/// the unreadable one).
pub fn older_layout(path: &Path) -> Option<i64> {
    if !path.exists() {
        return None;
    }
    let conn =
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .ok()?;
    (found > 0 && found < SCHEMA_VERSION).then_some(found)
}

impl Store {
    /// The writer connection: refuses a database from a newer build, creates or updates
    /// the layout.
    pub fn open(path: &Path) -> StoreResult<Store> {
        let conn = Connection::open(path)?;
        schema::check_version(&conn, path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        // Keep SQLite's page cache small (negative = KiB): RSS goal is tens of MiB.
        conn.pragma_update(None, "cache_size", -8000)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        schema::migrate(&conn)?;
        schema::register_functions(&conn)?;
        Ok(Store {
            conn,
            listing: None,
            pending: Default::default(),
        })
    }

    /// A read-only connection to a database `open` has set up (WAL, schema).
    pub fn open_reader(path: &Path) -> StoreResult<Store> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Smaller than the writer's: several readers may be open at once.
        conn.pragma_update(None, "cache_size", -4000)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        schema::register_functions(&conn)?;
        Ok(Store {
            conn,
            listing: None,
            pending: Default::default(),
        })
    }

    /// Rows inserted, changed or deleted through this connection since it was opened
    /// (SQLite's count, trigger changes included): whether a call wrote anything.
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }

    /// Page listings past their first page from `cache` (see `listing_cache`).
    pub fn with_listing_cache(mut self, cache: std::sync::Arc<ListingCache>) -> Store {
        self.listing = Some(cache);
        self
    }

    /// End a transaction a panicking handler left open (the next `BEGIN` would fail).
    pub fn rollback_abandoned(&self) {
        self.pending.borrow_mut().clear();
        if !self.conn.is_autocommit() {
            tracing::warn!("rolling back a transaction left open by a failed request");
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Open a transaction and leave it open, as a handler that panics inside `tx` does
    /// (the `debug.panic` test hook); `rollback_abandoned` ends it.
    pub fn begin_abandoned(&self) {
        let _ = self.conn.execute_batch("BEGIN IMMEDIATE");
    }

    /// Run `f` in one transaction (commit on Ok, roll back on Err).
    pub fn tx<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)?;
        match f(self).and_then(|v| Ok(self.flush_buckets().map(|()| v)?)) {
            Ok(v) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(StoreError::from)?;
                Ok(v)
            }
            Err(e) => {
                self.pending.borrow_mut().clear();
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// SQLite as .cargo/config.toml builds it: no shared page-cache pool and no memory
    /// statistics, the two global mutexes that made concurrent listing pages wait.
    #[test]
    fn sqlite_is_built_without_its_global_cache_and_memory_locks() {
        let conn = Connection::open_in_memory().unwrap();
        let mut stmt = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }

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
            let doc = json!({"id": "t1", "name": "old", "system_tags": ["archived"],
                             "type": "testing", "started": "2026-12-06T10:00:00.5+00:00"});
            conn.execute(
                "INSERT INTO tasks (id, name, doc) VALUES ('t1', 'old', ?1)",
                [doc.to_string()],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let mut f = SqlFilter::default();
        crate::query::add_list_filter(&mut f, "system_tags", &json!(["archived"]));
        assert_eq!(store.count(Coll::Tasks, &f).unwrap(), 1);
        let f = SqlFilter::default().eq("type", "testing");
        assert_eq!(store.count(Coll::Tasks, &f).unwrap(), 1);
        let started: Option<String> = store
            .conn
            .query_row("SELECT started FROM tasks WHERE id = 't1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(started.as_deref(), Some("2026-12-06T10:00:00.5+00:00"));
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
    fn scalar_rows_come_from_the_index_alone_in_its_order_without_a_sort() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.sqlite")).unwrap();
        for (sql, metric) in [
            (events::SCALARS, None),
            (events::SCALARS_OF_METRIC, Some("m")),
        ] {
            let plan: Vec<String> = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(rusqlite::params!["t", "s", metric], |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = plan.join(" | ");
            assert!(
                plan.contains("USING COVERING INDEX events_key") && !plan.contains("TEMP B-TREE"),
                "{plan}"
            );
        }
    }

    #[test]
    fn a_default_listing_page_reads_an_index_instead_of_sorting_every_match() {
        // `task list` asks for `-last_update` (empties last): without an index in exactly
        // that order each page sorted all matching tasks, the cost of `--all` on 10,000.
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.sqlite")).unwrap();
        let body = json!({"project": ["p1"], "system_tags": ["-archived"],
                          "order_by": ["-last_update"]});
        let filter = crate::query::build_filter(&body, true).unwrap();
        let order = crate::query::build_order(&body).unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT rid FROM tasks WHERE {} ORDER BY {} LIMIT 500 OFFSET 0",
            filter.sql(),
            order.sql()
        );
        let mut stmt = store.conn.prepare(&sql).unwrap();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(filter.params()), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join(" | ");
        assert!(plan.contains("tasks_listing"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn a_page_is_read_in_a_transaction_of_its_own_unless_one_is_open() {
        // A listing page opens (and ends) its own read transaction; inside a handler's
        // write transaction it reads that transaction's writes and leaves it open.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("tx.sqlite")).unwrap();
        for i in 0..30 {
            let doc = json!({"id": format!("t{i:02}"), "name": format!("Задача-{i}-Größe-任务")});
            store.put(Coll::Tasks, &doc).unwrap();
        }
        let keys = ["id".to_string(), "name".to_string()];
        let page = |s: &Store, offset| {
            s.select_keys(
                Coll::Tasks,
                &SqlFilter::default(),
                &Order::insertion(),
                Some(10),
                offset,
                Some(&keys),
            )
            .unwrap()
        };
        assert_eq!(page(&store, 20)[0]["name"], json!("Задача-20-Größe-任务"));
        assert!(store.conn.is_autocommit(), "no transaction left open");
        store
            .tx(|s| {
                s.put(Coll::Tasks, &json!({"id": "t20", "name": "neu-新"}))?;
                assert_eq!(page(s, 20)[0], json!({"id": "t20", "name": "neu-新"}));
                assert!(
                    !s.conn.is_autocommit(),
                    "the write transaction is still open"
                );
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(store.conn.is_autocommit());
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
